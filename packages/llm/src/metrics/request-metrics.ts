import type { ClientResult, RequestStatus, ServerTimings } from '../types.js';

/** Which phase of a level a request belonged to (SPEC §3). Only `measured` feeds the level's metrics. */
export type Phase = 'warmup' | 'gate' | 'measured' | 'drain';

/**
 * How n_out was obtained: the server's usage (or its running `timings.predicted_n`), a tokenizer over the
 * text, the word-count fallback, or `unknown` (a failed request whose count the server never gave: words
 * would be a guess).
 */
export type TokenCountSource = 'usage' | 'tokenizer' | 'words' | 'unknown';

/** Counts output tokens from text when the server sends no usage. */
export interface TokenCounter {
  /** Label stored with the result (`words` marks the approximation). */
  source: Exclude<TokenCountSource, 'usage' | 'unknown'>;
  count(text: string): number;
}

/** Word count: the labelled fallback until the dataset module hands us a tokenizer. */
export const wordCounter: TokenCounter = {
  source: 'words',
  count: (text) => {
    const m = text.match(/\S+/g);
    return m === null ? 0 : m.length;
  },
};

/**
 * One finished request with every per-request metric of SPEC §5. Times are performance.now() ms.
 * `chunkTimesMs` is kept only until the level has taken what it needs (window tokens, ITL gaps).
 */
export interface RequestRecord {
  seq: number;
  phase: Phase;
  status: RequestStatus;
  scheduledMs: number;
  /** When the driver handed the request to the client. */
  dispatchMs: number | null;
  /** When the client wrote it (ClientResult.sentAt); null if it was never sent. */
  sentMs: number | null;
  firstMs: number | null;
  lastMs: number | null;
  nIn: number;
  nOut: number;
  nOutSource: TokenCountSource;
  ttftMs: number | null;
  e2eMs: number | null;
  tpotMs: number | null;
  queueWaitMs: number | null;
  serverTtftMs: number | null;
  chunkTimesMs: Float64Array;
  /** Tokens per content chunk (null where unknown). */
  chunkTokens: (number | null)[];
  httpStatus: number | null;
  error: string | null;
  /** Sent again after a stale keep-alive connection (SPEC §5); absent = 0. */
  retries?: number;
  /** Prompt tokens served from the engine's cache, null when the engine does not say (SPEC §4). */
  cachedPromptTokens?: number | null;
  /** The engine's own timings of this request (llama.cpp), when sent. */
  serverTimings?: ServerTimings | null;
  /** A 429/503's Retry-After in seconds, when the server sent one. */
  retryAfterS?: number | null;
}

/** tpot = (last - first) / (n_out - 1), defined for n_out >= 2 (SPEC §5). */
export function tpotMs(firstMs: number | null, lastMs: number | null, nOut: number): number | null {
  if (firstMs === null || lastMs === null || nOut < 2) return null;
  return (lastMs - firstMs) / (nOut - 1);
}

/** Gaps between successive content chunks (vLLM's ITL, AIPerf's inter-chunk latency). */
export function chunkGapsMs(chunkTimesMs: ArrayLike<number>): Float64Array {
  const n = chunkTimesMs.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) out[i - 1] = chunkTimesMs[i]! - chunkTimesMs[i - 1]!;
  return out;
}

/**
 * Tokens carried by each chunk: the known count where the client knows it; otherwise the request's
 * n_out spread evenly over its chunks (exact for one-token-per-chunk streams, an average otherwise).
 */
export function tokensPerChunk(chunkTokens: (number | null)[], nChunks: number, nOut: number): Float64Array {
  const out = new Float64Array(nChunks);
  let knownSum = 0;
  let unknown = 0;
  for (let i = 0; i < nChunks; i++) {
    const t = chunkTokens[i];
    if (t === null || t === undefined) unknown++;
    else knownSum += t;
  }
  // Unknown chunks share whatever n_out leaves after the known ones (never negative).
  const share = unknown > 0 ? Math.max(0, nOut - knownSum) / unknown : 0;
  for (let i = 0; i < nChunks; i++) {
    const t = chunkTokens[i];
    out[i] = t === null || t === undefined ? share : t;
  }
  return out;
}

/** Per-token gaps: each chunk gap divided by the tokens in the later chunk (chunks with 0 tokens skipped). */
export function perTokenGapsMs(chunkTimesMs: ArrayLike<number>, tokens: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 1; i < chunkTimesMs.length; i++) {
    const k = tokens[i]!;
    if (k > 0) out.push((chunkTimesMs[i]! - chunkTimesMs[i - 1]!) / k);
  }
  return Float64Array.from(out);
}

/** Output tokens of one request whose arrival time lies in [startMs, endMs) (apportioned per chunk). */
export function tokensInWindow(
  chunkTimesMs: ArrayLike<number>,
  tokens: ArrayLike<number>,
  startMs: number,
  endMs: number,
): number {
  let sum = 0;
  for (let i = 0; i < chunkTimesMs.length; i++) {
    const t = chunkTimesMs[i]!;
    if (t >= startMs && t < endMs) sum += tokens[i]!;
  }
  return sum;
}

/**
 * The server's own output-token count of a result: usage.completion_tokens, else llama.cpp's running
 * `timings.predicted_n`; null when it gave neither, and only then is n_out counted from the text.
 */
export function serverOutputTokens(
  r: Pick<ClientResult, 'usageCompletionTokens' | 'serverTimings'>,
): number | null {
  return r.usageCompletionTokens ?? r.serverTimings?.predictedN ?? null;
}

/** Build the record of one request from what the client saw and when it was scheduled. */
export function buildRecord(
  input: {
    seq: number;
    phase: Phase;
    scheduledMs: number;
    dispatchMs: number | null;
    nInFallback: number;
    statusOverride?: RequestStatus;
    errorOverride?: string;
  },
  result: ClientResult | null,
  counter: TokenCounter,
): RequestRecord {
  const chunkTimes = Float64Array.from(result?.chunkTimes ?? []);
  const firstMs = chunkTimes.length > 0 ? chunkTimes[0]! : null;
  const lastMs = chunkTimes.length > 0 ? chunkTimes[chunkTimes.length - 1]! : null;
  let nOut = 0;
  let nOutSource: TokenCountSource = counter.source;
  const serverCount = result ? serverOutputTokens(result) : null;
  const failed = (input.statusOverride ?? result?.status ?? 'cancelled') !== 'ok';
  if (serverCount !== null) {
    nOut = serverCount;
    nOutSource = 'usage';
  } else if (failed && counter.source === 'words') {
    // A cut-short request without a server count: counting words would be a guess (SPEC §5 n_out).
    nOutSource = 'unknown';
  } else if (result && result.text.length > 0) {
    // Past the per-request text cap only the pieces are counted (each at least one token).
    nOut = counter.count(result.text) + (result.droppedTextPieces ?? 0);
  }
  const sentMs = result ? result.sentAt : null;
  const status = input.statusOverride ?? result?.status ?? 'cancelled';
  return {
    seq: input.seq,
    phase: input.phase,
    status,
    scheduledMs: input.scheduledMs,
    dispatchMs: input.dispatchMs,
    sentMs,
    firstMs,
    lastMs,
    nIn: result?.usagePromptTokens ?? input.nInFallback,
    nOut,
    nOutSource,
    ttftMs: firstMs === null ? null : firstMs - input.scheduledMs,
    e2eMs: lastMs === null ? null : lastMs - input.scheduledMs,
    tpotMs: tpotMs(firstMs, lastMs, nOut),
    queueWaitMs: sentMs === null ? null : sentMs - input.scheduledMs,
    serverTtftMs: firstMs === null || sentMs === null ? null : firstMs - sentMs,
    chunkTimesMs: chunkTimes,
    chunkTokens: result?.chunkTokens ?? [],
    httpStatus: result?.httpStatus ?? null,
    error: input.errorOverride ?? result?.error ?? null,
    retries: result?.retries ?? 0,
    cachedPromptTokens: result?.cachedPromptTokens ?? null,
    serverTimings: result?.serverTimings ?? null,
    retryAfterS: result?.retryAfterS ?? null,
  };
}
