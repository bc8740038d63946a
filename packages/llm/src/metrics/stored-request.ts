import type { RequestRecordInput, StoredRequest } from 'inferencebench';
import type { RequestStatus } from '../types.js';
import type { Phase, RequestRecord, TokenCountSource } from './request-metrics.js';

/**
 * One request as the store keeps it, and the only shape the level document is computed from (issue 12):
 * the run passes its own records through this representation before computing, so what it prints is what
 * the store reproduces, to the last digit. Times are rounded to the microsecond here, once.
 *
 * Where each field lives in the store does not matter: the core's store puts some fields in columns and
 * the rest in the record's `data` JSON; `readStoredRequest` reads a field from either.
 */
export interface StoredRequestView {
  level: number;
  seq: number;
  status: RequestStatus;
  phase: Phase;
  /** Scheduled arrival, ms from the level's origin (when the level started, warm-up included). */
  schedMs: number;
  ttftMs: number | null;
  tpotMs: number | null;
  e2eMs: number | null;
  queueWaitMs: number | null;
  serverTtftMs: number | null;
  nIn: number;
  nOut: number;
  nOutSource: TokenCountSource;
  /** Gaps between successive content chunks (the first chunk is at schedMs + ttftMs). */
  itlMs: number[];
  chunkTokens: (number | null)[] | null;
  /** Dispatch − scheduled when a slot was free at the scheduled time (the client's own lag), else null. */
  lagMs: number | null;
  httpStatus: number | null;
  error: string | null;
  /** Times sent again after a stale keep-alive connection (SPEC §5). */
  retries: number;
  /** Prompt tokens the engine served from its cache, null when it does not say (SPEC §4). */
  cachedTokens: number | null;
  /** A 429/503's Retry-After in seconds, when the server sent one. */
  retryAfterS: number | null;
}

/** Stored error text is capped per request: a server's error page repeated 10,000 times is not data. */
export const STORED_ERROR_MAX_CHARS = 500;

const r3 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

/** The store's view of one request: queryable fields plus ITL gaps, phase and the rest in `data`. */
export function toStoreRecord(
  level: number,
  rec: RequestRecord,
  lagMs: number | null,
  originMs: number,
): RequestRecordInput {
  const gaps: number[] = [];
  for (let i = 1; i < rec.chunkTimesMs.length; i++)
    gaps.push(r3(rec.chunkTimesMs[i]! - rec.chunkTimesMs[i - 1]!)!);
  const error =
    rec.error !== null && rec.error.length > STORED_ERROR_MAX_CHARS
      ? `${rec.error.slice(0, STORED_ERROR_MAX_CHARS - 3)}...`
      : rec.error;
  return {
    level,
    seq: rec.seq,
    status: rec.status,
    // A column of its own in the store (core's store knows level, seq, status and phase).
    phase: rec.phase,
    fields: {
      ttft_ms: r3(rec.ttftMs),
      tpot_ms: r3(rec.tpotMs),
      e2e_ms: r3(rec.e2eMs),
      n_in: rec.nIn,
      n_out: rec.nOut,
      queue_wait_ms: r3(rec.queueWaitMs),
      server_ttft_ms: r3(rec.serverTtftMs),
    },
    data: {
      sched_ms: r3(rec.scheduledMs - originMs),
      itl_ms: gaps,
      chunk_tokens: rec.chunkTokens.some((t) => t !== null) ? rec.chunkTokens : undefined,
      n_out_source: rec.nOutSource,
      lag_ms: r3(lagMs),
      http_status: rec.httpStatus,
      error,
      // Sent again after a stale keep-alive connection; cached prompt tokens and llama.cpp's own timings
      // (SPEC §4, §5); a 429/503's Retry-After (seconds).
      retries: rec.retries ? rec.retries : undefined,
      cached_tokens: rec.cachedPromptTokens ?? undefined,
      server_timings: rec.serverTimings ?? undefined,
      retry_after_s: rec.retryAfterS ?? undefined,
      // Epoch ms (the clock of stored samples) of schedule, send and end: the report draws requests in
      // flight and in the client queue over time from them. A request without a token ends now (records
      // are built as requests finish).
      scheduled_epoch_ms: performance.timeOrigin + rec.scheduledMs,
      sent_epoch_ms: rec.sentMs === null ? null : performance.timeOrigin + rec.sentMs,
      end_epoch_ms: performance.timeOrigin + (rec.lastMs ?? performance.now()),
    },
  };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A request from a flat map of its stored fields (columns and `data` keys together). */
export function readStoredRequest(f: Record<string, unknown>): StoredRequestView {
  return {
    level: Number(f.level),
    seq: Number(f.seq),
    status: f.status as RequestStatus,
    phase: (f.phase as Phase | undefined) ?? 'measured',
    schedMs: num(f.sched_ms) ?? 0,
    ttftMs: num(f.ttft_ms),
    tpotMs: num(f.tpot_ms),
    e2eMs: num(f.e2e_ms),
    queueWaitMs: num(f.queue_wait_ms),
    serverTtftMs: num(f.server_ttft_ms),
    nIn: num(f.n_in) ?? 0,
    nOut: num(f.n_out) ?? 0,
    nOutSource: (f.n_out_source as TokenCountSource | undefined) ?? 'usage',
    itlMs: Array.isArray(f.itl_ms) ? (f.itl_ms as number[]) : [],
    chunkTokens: Array.isArray(f.chunk_tokens) ? (f.chunk_tokens as (number | null)[]) : null,
    lagMs: num(f.lag_ms),
    httpStatus: num(f.http_status),
    error: typeof f.error === 'string' ? f.error : null,
    retries: num(f.retries) ?? 0,
    cachedTokens: num(f.cached_tokens),
    retryAfterS: num(f.retry_after_s),
  };
}

/** A stored row as the store gives it back: its columns, with `data`'s keys beside them. */
export function fromStoredRow(row: StoredRequest | Record<string, unknown>): StoredRequestView {
  const r = row as Record<string, unknown>;
  const data = r.data !== null && typeof r.data === 'object' ? (r.data as Record<string, unknown>) : {};
  const flat: Record<string, unknown> = { ...data };
  // A column wins over a data key of the same name (a store may move fields between the two).
  for (const [k, v] of Object.entries(r)) if (k !== 'data' && v !== undefined && v !== null) flat[k] = v;
  return readStoredRequest(flat);
}

/**
 * What JSON.stringify and then JSON.parse make of an array of numbers and nulls: a finite number stays
 * itself (the shortest decimal that JSON writes reads back as the same double) except -0, which becomes 0;
 * NaN, ±Infinity and undefined become null. Null when the array holds anything else (JSON then decides).
 */
function jsonNumberArray(a: unknown): (number | null)[] | null {
  if (!Array.isArray(a)) return null;
  const n = a.length;
  // Pushed, not `new Array(n)`: a holey array that long can fall into V8's slow dictionary mode.
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const v: unknown = a[i];
    if (typeof v === 'number') out.push(Number.isFinite(v) ? (v === 0 ? 0 : v) : null);
    else if (v === null || v === undefined) out.push(null);
    else return null;
  }
  return out;
}

/**
 * What the store will give back for a record the run is about to write: the same flat fields, through
 * JSON (so numbers, nulls and dropped `undefined`s are exactly as they will be read). The per-chunk arrays
 * (a thousand gaps a request) take JSON's rules without its text: the JSON round trip of 1,000,000 gaps
 * was a quarter of a level's statistics time (bench:stats).
 */
export function asStored(input: RequestRecordInput): StoredRequestView {
  const flat: Record<string, unknown> = {
    ...(input.data as Record<string, unknown>),
    ...(input.fields ?? {}),
    ...(input.phase !== undefined ? { phase: input.phase } : {}),
    level: input.level,
    seq: input.seq,
    status: input.status,
  };
  const itl = jsonNumberArray(flat.itl_ms);
  const tokens = jsonNumberArray(flat.chunk_tokens);
  if (itl !== null) flat.itl_ms = undefined;
  if (tokens !== null) flat.chunk_tokens = undefined;
  const parsed = JSON.parse(JSON.stringify(flat)) as Record<string, unknown>;
  if (itl !== null) parsed.itl_ms = itl;
  if (tokens !== null) parsed.chunk_tokens = tokens;
  return readStoredRequest(parsed);
}
