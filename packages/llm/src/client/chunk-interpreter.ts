/**
 * Turns SSE events of an OpenAI-compatible completions/chat stream into what the client records: content
 * chunk times, usage, system_fingerprint, the end marker and in-stream errors. Two interpreters share one
 * accumulator: `interpretEventFull` (JSON.parse, the reference) and `interpretEvent` (a byte scan for the
 * ordinary content chunk, falling back to the full parse for anything else).
 */
import type { ServerTimings } from '../types.js';
import { SSE_ERROR, type SseEventKind } from './sse-parser.js';

const decoder = new TextDecoder();
const NO_BYTES = new Uint8Array(0);

// Raw text buffers of finished requests (releaseBuffers), taken by the next requests: at most 16 MiB in all,
// none over 64 KiB, so a few huge outputs cannot pin memory.
const rawPool: Uint8Array<ArrayBuffer>[] = [];
let rawPoolBytes = 0;
const RAW_POOL_BYTES = 16 << 20;
const RAW_POOL_BUFFER_MAX = 64 << 10;

/**
 * Text kept per request (escaped bytes plus decoded characters, about 1 MB): enough for any real output
 * length, and a server that streams without end cannot grow a request without bound (SPEC §15).
 */
export const MAX_TEXT_CHARS = 1 << 20;

/** Everything one stream has told us so far. Text is kept as escaped JSON bytes and decoded on demand. */
export class StreamAccumulator {
  chunkTimes: number[] = [];
  // Token counts per chunk, filled in only when a server reports running usage totals; `chunkTokens` pads
  // it with nulls on read, so an ordinary content chunk costs no push here.
  private tokens: (number | null)[] = [];
  usageCompletionTokens: number | null = null;
  usagePromptTokens: number | null = null;
  /** Prompt tokens served from the engine's prefix cache (usage.prompt_tokens_details.cached_tokens, llama.cpp timings.cache_n). */
  cachedPromptTokens: number | null = null;
  /** The engine's own timings of this request (llama.cpp `timings`, last one seen). */
  serverTimings: ServerTimings | null = null;
  systemFingerprint: string | null = null;
  /** `data: [DONE]` was seen. */
  done = false;
  /** First in-stream error message (error event, error object, malformed JSON). */
  error: string | null = null;
  /** Some event had a top-level `choices` array (a server's native, non-OpenAI route has none). */
  sawChoices = false;
  /** Some choice carried a string `finish_reason`: the server said the completion ended. */
  finished = false;
  /** Text pieces dropped once the kept text reached MAX_TEXT_CHARS (each is at least one token). */
  droppedTextPieces = 0;
  /**
   * Bytes of the last fast-path chunk before its top-level `"choices":` value. Servers repeat them byte for
   * byte on every chunk (`{"id":...,"object":...,"created":...,"model":...,"choices":`), so a chunk that
   * starts with them need not have them validated again.
   */
  prefix: Uint8Array | null = null;
  prefixLen = 0;
  /** Offsets of the `choices` key (without quotes) inside the prefix. */
  prefixKeyStart = 0;
  prefixKeyEnd = 0;
  /** The system_fingerprint string the prefix sets (its last such key), applied when the prefix is skipped. */
  prefixFp: string | null = null;
  /**
   * The last plain content chunk's bytes around its content string: `shape[0..shapeHeadLen)` up to the
   * string's opening quote (included), then `shapeTailLen` bytes from its closing quote to the event's end.
   * A chunk made of the same head, any valid string body and the same tail means exactly "one more piece of
   * content" (nothing outside the string changed), so it is checked with two byte compares and one string
   * scan instead of a walk over every member.
   */
  shape: Uint8Array | null = null;
  shapeHeadLen = 0;
  shapeTailLen = 0;
  /** Events the shape fast path took (a measure of how often it fires; tests and benchmarks read it). */
  shapeHits = 0;
  /** The system_fingerprint a chunk of that shape sets (its bytes are in the head or tail); null: none. */
  shapeFp: string | null = null;
  private decoded = '';
  // Raw (still JSON-escaped) text bytes of fast-path chunks, decoded once when text is asked for.
  private raw = NO_BYTES;
  private rawLen = 0;

  /** Tokens per chunk (null: not reported), one entry per chunk time. */
  get chunkTokens(): (number | null)[] {
    const t = this.tokens;
    const n = this.chunkTimes.length;
    // One native fill for the whole gap (a stream with no token counts pads 1000 entries at its end).
    if (t.length < n) {
      const from = t.length;
      t.length = n;
      t.fill(null, from);
    }
    return t;
  }

  /** Generated text so far (reasoning and content, in arrival order). */
  get text(): string {
    if (this.rawLen > 0) this.flushRaw();
    return this.decoded;
  }

  /** Appends already decoded text. */
  appendText(s: string): void {
    if (this.rawLen + this.decoded.length >= MAX_TEXT_CHARS) {
      this.droppedTextPieces++;
      return;
    }
    if (this.rawLen > 0) this.flushRaw();
    this.decoded += s;
  }

  /** Appends the bytes of a JSON string literal's content, escapes included. */
  appendRawText(buf: Uint8Array, start: number, end: number): void {
    if (this.rawLen + this.decoded.length >= MAX_TEXT_CHARS) {
      this.droppedTextPieces++;
      return;
    }
    const need = this.rawLen + end - start;
    if (need > this.raw.length && this.raw.length === 0 && rawPool.length > 0) {
      this.raw = rawPool.pop()!;
      rawPoolBytes -= this.raw.length;
    }
    if (need > this.raw.length) {
      const grown = new Uint8Array(Math.max(need, this.raw.length * 2, 256));
      grown.set(this.raw.subarray(0, this.rawLen));
      this.raw = grown;
    }
    // A token is a few bytes: a plain loop beats allocating a subarray view for set().
    const raw = this.raw;
    let k = this.rawLen;
    for (let i = start; i < end; i++) raw[k++] = buf[i]!;
    this.rawLen = need;
  }

  private flushRaw(): void {
    // Each piece was a complete string literal body (no quote, no control byte), so their concatenation is
    // one valid literal body. Without a backslash that body is its own text: no quoted copy to JSON.parse
    // (two strings the size of the text, per request, were a sixth of what the client allocated per chunk).
    const bytes = this.raw.subarray(0, this.rawLen);
    const body = decoder.decode(bytes);
    this.decoded += bytes.indexOf(BACKSLASH) === -1 ? body : (JSON.parse(`"${body}"`) as string);
    this.rawLen = 0;
  }

  /** True once some chunk's token count is known (else `chunkTokens` is all nulls). */
  get tokenCountsKnown(): boolean {
    return this.tokens.length > 0;
  }

  /**
   * The request is over and its text has been read: the raw buffer goes back to a pool for the next
   * request (a fresh one grown from 256 bytes per request was garbage of about twice the text's size).
   */
  releaseBuffers(): void {
    if (this.rawLen > 0) this.flushRaw();
    const raw = this.raw;
    this.raw = NO_BYTES;
    if (raw.length > 0 && raw.length <= RAW_POOL_BUFFER_MAX && rawPoolBytes + raw.length <= RAW_POOL_BYTES) {
      rawPool.push(raw);
      rawPoolBytes += raw.length;
    }
  }
}

const DONE = [91, 68, 79, 78, 69, 93]; // "[DONE]"

function isDone(buf: Uint8Array, start: number, end: number): boolean {
  // Tolerate surrounding whitespace: some proxies pad the marker.
  while (start < end && buf[start] <= 32) start++;
  while (end > start && buf[end - 1] <= 32) end--;
  if (end - start !== 6) return false;
  for (let i = 0; i < 6; i++) if (buf[start + i] !== DONE[i]) return false;
  return true;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (isObject(err)) {
    if (typeof err.message === 'string') return err.message;
    return JSON.stringify(err);
  }
  return String(err);
}

function recordUsage(acc: StreamAccumulator, usage: unknown, isToken: boolean): void {
  if (!isObject(usage)) return;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : null;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : null;
  if (isToken && completion !== null && (acc.usageCompletionTokens !== null || acc.chunkTimes.length === 1)) {
    // Running totals on every content chunk (continuous usage): the delta is this chunk's token count.
    // A total that appears only on the last chunk says nothing about that chunk alone.
    const tokens = acc.chunkTokens;
    tokens[tokens.length - 1] = completion - (acc.usageCompletionTokens ?? 0);
  }
  if (completion !== null) acc.usageCompletionTokens = completion;
  if (prompt !== null) acc.usagePromptTokens = prompt;
  const details = usage.prompt_tokens_details;
  if (isObject(details) && typeof details.cached_tokens === 'number')
    acc.cachedPromptTokens = details.cached_tokens;
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * llama.cpp `timings` (on the last chunk, or on every chunk with `timings_per_token`): its running
 * `predicted_n` gives each content chunk's token count (llama.cpp holds back incomplete UTF-8, so a chunk
 * can carry several tokens), and `cache_n` the prompt tokens it took from its cache.
 */
function recordTimings(acc: StreamAccumulator, timings: unknown, isToken: boolean): void {
  if (!isObject(timings)) return;
  const t: ServerTimings = {
    cacheN: numOrNull(timings.cache_n),
    promptN: numOrNull(timings.prompt_n),
    promptMs: numOrNull(timings.prompt_ms),
    predictedN: numOrNull(timings.predicted_n),
    predictedMs: numOrNull(timings.predicted_ms),
    predictedPerTokenMs: numOrNull(timings.predicted_per_token_ms),
  };
  if (isToken && t.predictedN !== null) {
    const tokens = acc.chunkTokens;
    tokens[tokens.length - 1] = t.predictedN - (acc.serverTimings?.predictedN ?? 0);
  }
  if (t.cacheN !== null && acc.cachedPromptTokens === null) acc.cachedPromptTokens = t.cacheN;
  acc.serverTimings = t;
}

/** Reference interpreter: parses every event with JSON.parse. */
export function interpretEventFull(
  acc: StreamAccumulator,
  kind: SseEventKind,
  buf: Uint8Array,
  start: number,
  end: number,
  arrivalMs: number,
): void {
  if (acc.done || acc.error !== null) return;
  if (isDone(buf, start, end)) {
    acc.done = true;
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(buf.subarray(start, end)));
  } catch {
    acc.error =
      kind === SSE_ERROR
        ? decoder.decode(buf.subarray(start, Math.min(end, start + 4096)))
        : 'malformed SSE event';
    return;
  }
  if (kind === SSE_ERROR) {
    acc.error = errorMessage(isObject(parsed) && 'error' in parsed ? parsed.error : parsed);
    return;
  }
  if (!isObject(parsed)) {
    acc.error = 'malformed SSE event';
    return;
  }
  if (parsed.error !== undefined && parsed.error !== null) {
    acc.error = errorMessage(parsed.error);
    return;
  }
  if (parsed.object === 'error') {
    acc.error = typeof parsed.message === 'string' ? parsed.message : JSON.stringify(parsed);
    return;
  }
  if (typeof parsed.system_fingerprint === 'string') acc.systemFingerprint = parsed.system_fingerprint;
  let isToken = false;
  const choices = parsed.choices;
  if (Array.isArray(choices)) acc.sawChoices = true;
  if (Array.isArray(choices) && choices.length > 0 && isObject(choices[0])) {
    const choice = choices[0];
    if (typeof choice.finish_reason === 'string') acc.finished = true;
    let piece = '';
    if (isObject(choice.delta)) {
      const { reasoning_content: reasoning, content } = choice.delta;
      if (typeof reasoning === 'string') piece += reasoning;
      if (typeof content === 'string') piece += content;
    } else if (typeof choice.text === 'string') {
      piece = choice.text;
    }
    if (piece.length > 0) {
      isToken = true;
      acc.chunkTimes.push(arrivalMs);
      acc.appendText(piece);
    }
  }
  recordUsage(acc, parsed.usage, isToken);
  recordTimings(acc, parsed.timings, isToken);
}

// ---- Fast path -------------------------------------------------------------------------------------
// A validating JSON scanner over bytes that allocates nothing. It records where choices[0].delta.content,
// choices[0].delta.reasoning_content, choices[0].text and system_fingerprint sit, and gives up (so the
// full parse decides) on anything unusual: usage or error other than null, object:"error", escaped keys,
// deep nesting.

const QUOTE = 34;
const BACKSLASH = 92;
const MAX_DEPTH = 32;

// Roles of a value in the chunk; only these positions matter to the interpretation.
const ANY = 0;
const TOP = 1;
const CHOICES = 2;
const CHOICE0 = 3;
const DELTA = 4;

/**
 * Scratch results of one scan, in one object reused by every call: the scan is synchronous, and `busy`
 * guards against re-entry (a callback that interpreted another event mid-scan would clobber them).
 */
class ScanState {
  busy = false;
  bail = false;
  topIsObject = false;
  deltaIsObject = false;
  contentStart = -1;
  contentEnd = -1;
  reasoningStart = -1;
  reasoningEnd = -1;
  textStart = -1;
  textEnd = -1;
  fpStart = -1;
  fpEnd = -1;
  lastStrEscaped = false;
  // Where the first top-level "choices" key and its value sit (-1: none).
  choicesKeyStart = -1;
  choicesKeyEnd = -1;
  choicesValueAt = -1;
  // The last string system_fingerprint before that "choices" key (-1: none).
  prefixFpStart = -1;
  prefixFpEnd = -1;
  // A top-level system_fingerprint key (any value) was scanned.
  fpKeySeen = false;
  // choices[0] has a string finish_reason.
  finishSeen = false;
  // The key read by the last scanKey (without quotes).
  keyStartS = 0;
  keyEndS = 0;

  reset(): void {
    this.bail = false;
    this.topIsObject = false;
    this.resetChoice();
    this.fpStart = this.fpEnd = -1;
    this.choicesKeyStart = this.choicesKeyEnd = this.choicesValueAt = -1;
    this.prefixFpStart = this.prefixFpEnd = -1;
    this.fpKeySeen = false;
  }

  /** What choices[0] said: a later duplicate "choices" key replaces it all, as in JSON.parse. */
  resetChoice(): void {
    this.deltaIsObject = false;
    this.finishSeen = false;
    this.contentStart = this.contentEnd = this.reasoningStart = this.reasoningEnd = -1;
    this.textStart = this.textEnd = -1;
  }
}

const st = new ScanState();

function skipWs(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Scans a string starting at its opening quote; returns the index after the closing quote, or -1. */
function scanString(b: Uint8Array, i: number, end: number): number {
  i++;
  st.lastStrEscaped = false;
  while (i < end) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c < 32) return -1;
    if (c === BACKSLASH) {
      st.lastStrEscaped = true;
      const e = b[i + 1];
      if (e === 117) {
        if (i + 5 >= end || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]) || !isHex(b[i + 5]))
          return -1;
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) {
        return -1;
      }
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function scanNumber(b: Uint8Array, i: number, end: number): number {
  if (b[i] === 45) i++;
  if (i >= end) return -1;
  if (b[i] === 48) i++;
  else if (isDigit(b[i])) while (i < end && isDigit(b[i])) i++;
  else return -1;
  if (i < end && b[i] === 46) {
    i++;
    if (i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    if (i < end && (b[i] === 43 || b[i] === 45)) i++;
    if (i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  return i;
}

function scanWord(b: Uint8Array, i: number, end: number, word: string): number {
  if (i + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

function keyIs(b: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[start + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** Scans one value at `i` (whitespace already skipped); returns the index after it, or -1 if invalid. */
function scanValue(b: Uint8Array, i: number, end: number, role: number, depth: number): number {
  if (i >= end) return -1;
  const c = b[i];
  if (c === 123) return scanObject(b, i, end, role, depth + 1);
  if (c === 91) return scanArray(b, i, end, role, depth + 1);
  if (c === QUOTE) return scanString(b, i, end);
  if (c === 116) return scanWord(b, i, end, 'true');
  if (c === 102) return scanWord(b, i, end, 'false');
  if (c === 110) return scanWord(b, i, end, 'null');
  return scanNumber(b, i, end);
}

function scanArray(b: Uint8Array, i: number, end: number, role: number, depth: number): number {
  if (depth > MAX_DEPTH) {
    st.bail = true;
    return -1;
  }
  i = skipWs(b, i + 1, end);
  if (i < end && b[i] === 93) return i + 1;
  let index = 0;
  for (;;) {
    i = skipWs(b, i, end);
    const childRole = role === CHOICES && index === 0 ? CHOICE0 : ANY;
    i = scanValue(b, i, end, childRole, depth);
    if (i < 0) return -1;
    i = skipWs(b, i, end);
    if (i >= end) return -1;
    if (b[i] === 93) return i + 1;
    if (b[i] !== 44) return -1;
    i++;
    index++;
  }
}

/** Reads a key at `i` (a quote expected) and its colon; returns where its value starts, or -1. */
function scanKey(b: Uint8Array, i: number, end: number, role: number): number {
  if (i >= end || b[i] !== QUOTE) return -1;
  st.keyStartS = i + 1;
  i = scanString(b, i, end);
  if (i < 0) return -1;
  st.keyEndS = i - 1;
  // Escaped keys could spell a key we care about: leave them to JSON.parse.
  if (st.lastStrEscaped && role !== ANY) st.bail = true;
  i = skipWs(b, i, end);
  if (i >= end || b[i] !== 58) return -1;
  return skipWs(b, i + 1, end);
}

function scanObject(b: Uint8Array, i: number, end: number, role: number, depth: number): number {
  if (depth > MAX_DEPTH) {
    st.bail = true;
    return -1;
  }
  if (role === TOP) st.topIsObject = true;
  else if (role === DELTA) st.deltaIsObject = true;
  i = skipWs(b, i + 1, end);
  if (i < end && b[i] === 125) return i + 1;
  i = scanKey(b, i, end, role);
  if (i < 0) return -1;
  return scanMembersFrom(b, i, end, role, depth, st.keyStartS, st.keyEndS);
}

/**
 * Scans an object's members starting at the value of key `b[keyStart..keyEnd)` (at `i`) up to and
 * including the closing brace; returns the index after it, or -1.
 */
function scanMembersFrom(
  b: Uint8Array,
  i: number,
  end: number,
  role: number,
  depth: number,
  keyStart: number,
  keyEnd: number,
): number {
  for (;;) {
    let childRole = ANY;
    const valueStart = i;
    if (role === TOP) {
      if (keyIs(b, keyStart, keyEnd, 'choices')) {
        childRole = b[i] === 91 ? CHOICES : ANY;
        // A duplicate "choices" replaces everything an earlier one said, as in JSON.parse.
        st.resetChoice();
        if (st.choicesValueAt < 0) {
          st.choicesKeyStart = keyStart;
          st.choicesKeyEnd = keyEnd;
          st.choicesValueAt = i;
          st.prefixFpStart = st.fpStart;
          st.prefixFpEnd = st.fpEnd;
        }
      } else if (keyIs(b, keyStart, keyEnd, 'usage') || keyIs(b, keyStart, keyEnd, 'error')) {
        // `"usage":null` (vLLM's completions, SGLang) and `"error":null` mean nothing; anything else does.
        if (scanWord(b, i, end, 'null') === -1) st.bail = true;
      } else if (keyIs(b, keyStart, keyEnd, 'timings')) {
        // llama.cpp's per-request timings are read by the general path.
        st.bail = true;
      } else if (keyIs(b, keyStart, keyEnd, 'object') && scanWord(b, i, end, '"error"') !== -1)
        st.bail = true;
      else if (keyIs(b, keyStart, keyEnd, 'system_fingerprint')) st.fpKeySeen = true;
    } else if (role === CHOICE0) {
      if (keyIs(b, keyStart, keyEnd, 'delta')) {
        // A later duplicate key replaces an earlier one, as in JSON.parse.
        st.deltaIsObject = false;
        st.contentStart = st.contentEnd = st.reasoningStart = st.reasoningEnd = -1;
        childRole = DELTA;
      }
    }
    if (st.bail) return -1;
    i = scanValue(b, i, end, childRole === DELTA && b[i] !== 123 ? ANY : childRole, depth);
    if (i < 0) return -1;
    if (b[valueStart] === QUOTE) {
      // A string value: remember the ones the interpretation reads (body without the quotes).
      if (role === DELTA) {
        if (keyIs(b, keyStart, keyEnd, 'content')) {
          st.contentStart = valueStart + 1;
          st.contentEnd = i - 1;
        } else if (keyIs(b, keyStart, keyEnd, 'reasoning_content')) {
          st.reasoningStart = valueStart + 1;
          st.reasoningEnd = i - 1;
        }
      } else if (role === CHOICE0 && keyIs(b, keyStart, keyEnd, 'text')) {
        st.textStart = valueStart + 1;
        st.textEnd = i - 1;
      } else if (role === CHOICE0 && keyIs(b, keyStart, keyEnd, 'finish_reason')) {
        st.finishSeen = true;
      } else if (role === TOP && keyIs(b, keyStart, keyEnd, 'system_fingerprint')) {
        st.fpStart = valueStart + 1;
        st.fpEnd = i - 1;
      }
    } else if (role === DELTA) {
      if (keyIs(b, keyStart, keyEnd, 'content')) st.contentStart = st.contentEnd = -1;
      else if (keyIs(b, keyStart, keyEnd, 'reasoning_content')) st.reasoningStart = st.reasoningEnd = -1;
    } else if (role === CHOICE0 && keyIs(b, keyStart, keyEnd, 'text')) {
      st.textStart = st.textEnd = -1;
    } else if (role === TOP && keyIs(b, keyStart, keyEnd, 'system_fingerprint')) {
      st.fpStart = st.fpEnd = -1;
    }
    if (st.bail) return -1;
    i = skipWs(b, i, end);
    if (i >= end) return -1;
    if (b[i] === 125) return i + 1;
    if (b[i] !== 44) return -1;
    i = scanKey(b, skipWs(b, i + 1, end), end, role);
    if (i < 0) return -1;
    keyStart = st.keyStartS;
    keyEnd = st.keyEndS;
  }
}

// Buffer's memcmp with offsets, which also takes a plain Uint8Array as `this`: 4-5x a byte loop at ~170 bytes.
const nativeCompare = Buffer.prototype.compare as (
  this: Uint8Array,
  target: Uint8Array,
  targetStart: number,
  targetEnd: number,
  sourceStart: number,
  sourceEnd: number,
) => number;
// Below this many bytes a loop is cheaper than the native call.
const NATIVE_COMPARE_MIN = 24;

/** Whether `a[aStart..aStart+n)` equals `b[bStart..bStart+n)` (both ranges in bounds). */
function bytesEqual(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, n: number): boolean {
  if (n >= NATIVE_COMPARE_MIN) return nativeCompare.call(a, b, bStart, bStart + n, aStart, aStart + n) === 0;
  for (let k = 0; k < n; k++) if (a[aStart + k] !== b[bStart + k]) return false;
  return true;
}

/** Whether `buf[start..)` begins with the accumulator's remembered prefix. */
function hasPrefix(acc: StreamAccumulator, buf: Uint8Array, start: number, end: number): boolean {
  const p = acc.prefix;
  const n = acc.prefixLen;
  if (p === null || end - start <= n) return false;
  return bytesEqual(buf, start, p, 0, n);
}

/** Remembers `buf[start..choicesValueAt)` as the accumulator's prefix (buffer reused across chunks). */
function rememberPrefix(acc: StreamAccumulator, buf: Uint8Array, start: number): void {
  const n = st.choicesValueAt - start;
  if (acc.prefix === null || acc.prefix.length < n) acc.prefix = new Uint8Array(Math.max(n, 128));
  const p = acc.prefix;
  for (let k = 0; k < n; k++) p[k] = buf[start + k]!;
  acc.prefixLen = n;
  acc.prefixKeyStart = st.choicesKeyStart - start;
  acc.prefixKeyEnd = st.choicesKeyEnd - start;
  acc.prefixFp =
    st.prefixFpStart >= 0
      ? (JSON.parse(`"${decoder.decode(buf.subarray(st.prefixFpStart, st.prefixFpEnd))}"`) as string)
      : null;
}

/** Whether `s` equals the bytes `b[start..end)` read as Latin-1 (exact for ASCII fingerprints). */
function sameAscii(s: string | null, b: Uint8Array, start: number, end: number): boolean {
  if (s === null || s.length !== end - start) return false;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== b[start + k] || b[start + k] > 127) return false;
  return true;
}

/**
 * Interprets one SSE event into `acc`; same results as `interpretEventFull`, but ordinary content chunks
 * are scanned in place instead of decoded and parsed.
 */
export function interpretEvent(
  acc: StreamAccumulator,
  kind: SseEventKind,
  buf: Uint8Array,
  start: number,
  end: number,
  arrivalMs: number,
): void {
  if (acc.done || acc.error !== null) return;
  if (kind === SSE_ERROR) {
    interpretEventFull(acc, kind, buf, start, end, arrivalMs);
    return;
  }
  // Called from inside a scan (a callback interpreting another event) would clobber the scratch state.
  if (st.busy) throw new Error('chunk interpreter re-entered during a scan');
  // The shape path calls nothing that could re-enter, so it needs no try/finally around it.
  if (acc.shape !== null && interpretShaped(acc, buf, start, end, arrivalMs)) return;
  st.busy = true;
  try {
    scanAndInterpret(acc, kind, buf, start, end, arrivalMs);
  } finally {
    st.busy = false;
  }
}

function scanAndInterpret(
  acc: StreamAccumulator,
  kind: SseEventKind,
  buf: Uint8Array,
  start: number,
  end: number,
  arrivalMs: number,
): void {
  st.reset();
  let after: number;
  const usePrefix = hasPrefix(acc, buf, start, end);
  if (usePrefix) {
    // Same bytes as a prefix already scanned without a bail: they are a valid object opening whose only
    // keys that matter are the "choices" it ends with and a system_fingerprint (applied below).
    st.topIsObject = true;
    after = scanMembersFrom(
      buf,
      start + acc.prefixLen,
      end,
      TOP,
      1,
      start + acc.prefixKeyStart,
      start + acc.prefixKeyEnd,
    );
  } else {
    after = scanValue(buf, skipWs(buf, start, end), end, TOP, 0);
    if (after >= 0 && !st.bail && st.choicesValueAt >= 0) rememberPrefix(acc, buf, start);
  }
  // Invalid, unusual, or not an object: the full parse gives the verdict and the message.
  if (after < 0 || st.bail || !st.topIsObject || skipWs(buf, after, end) !== end) {
    interpretEventFull(acc, kind, buf, start, end, arrivalMs);
    return;
  }
  const choicesAt = usePrefix ? start + acc.prefixLen : st.choicesValueAt;
  if (choicesAt >= 0 && buf[choicesAt] === 91) acc.sawChoices = true;
  if (st.finishSeen) acc.finished = true;
  // The skipped prefix's fingerprint counts unless a later key in this chunk replaces it (JSON.parse: last wins).
  const prefixSetsFp = usePrefix && acc.prefixFp !== null && !st.fpKeySeen;
  if (prefixSetsFp) acc.systemFingerprint = acc.prefixFp;
  if (st.fpStart >= 0 && !sameAscii(acc.systemFingerprint, buf, st.fpStart, st.fpEnd)) {
    acc.systemFingerprint = JSON.parse(`"${decoder.decode(buf.subarray(st.fpStart, st.fpEnd))}"`) as string;
  }
  let isToken = false;
  if (st.deltaIsObject) {
    if (st.reasoningEnd > st.reasoningStart || st.contentEnd > st.contentStart) {
      isToken = true;
      if (st.reasoningEnd > st.reasoningStart) acc.appendRawText(buf, st.reasoningStart, st.reasoningEnd);
      if (st.contentEnd > st.contentStart) acc.appendRawText(buf, st.contentStart, st.contentEnd);
    }
  } else if (st.textEnd > st.textStart) {
    isToken = true;
    acc.appendRawText(buf, st.textStart, st.textEnd);
  }
  if (isToken) acc.chunkTimes.push(arrivalMs);
  // A chunk whose text is one string (delta.content, delta.reasoning_content or a completion's text):
  // remember its shape, with the fingerprint it leaves behind (null: it sets none).
  let tokenStart = -1;
  let tokenEnd = -1;
  if (st.deltaIsObject) {
    if (st.contentStart >= 0 && st.reasoningStart < 0) {
      tokenStart = st.contentStart;
      tokenEnd = st.contentEnd;
    } else if (st.reasoningStart >= 0 && st.contentStart < 0) {
      tokenStart = st.reasoningStart;
      tokenEnd = st.reasoningEnd;
    }
  } else if (st.textStart >= 0) {
    tokenStart = st.textStart;
    tokenEnd = st.textEnd;
  }
  if (tokenStart >= 0) {
    rememberShape(acc, buf, start, end, tokenStart, tokenEnd);
    acc.shapeFp = prefixSetsFp || st.fpStart >= 0 ? acc.systemFingerprint : null;
  }
}

/** Remembers the bytes of `buf[start..end)` around the token string `buf[tokenStart..tokenEnd)`. */
function rememberShape(
  acc: StreamAccumulator,
  buf: Uint8Array,
  start: number,
  end: number,
  tokenStart: number,
  tokenEnd: number,
): void {
  const headLen = tokenStart - start;
  const tailLen = end - tokenEnd;
  const need = headLen + tailLen;
  if (acc.shape === null || acc.shape.length < need) acc.shape = new Uint8Array(Math.max(need, 192));
  const s = acc.shape;
  let k = 0;
  for (let i = start; i < tokenStart; i++) s[k++] = buf[i]!;
  for (let i = tokenEnd; i < end; i++) s[k++] = buf[i]!;
  acc.shapeHeadLen = headLen;
  acc.shapeTailLen = tailLen;
}

/**
 * The token chunk fast path: when `buf[start..end)` is the remembered shape with another valid string
 * body in place of the token string (delta.content, delta.reasoning_content or text), appends that body
 * and returns true. Everything outside the string is byte
 * for byte what an earlier full scan accepted, and a scan's verdict depends on no string value's bytes
 * other than `object`'s at the top level (never the token string), so the result is the same as a scan.
 */
function interpretShaped(
  acc: StreamAccumulator,
  buf: Uint8Array,
  start: number,
  end: number,
  arrivalMs: number,
): boolean {
  const s = acc.shape!;
  const headLen = acc.shapeHeadLen;
  const tailLen = acc.shapeTailLen;
  if (end - start < headLen + tailLen) return false;
  if (!bytesEqual(buf, start, s, 0, headLen)) return false;
  const bodyStart = start + headLen;
  // scanString starts at the opening quote, the head's last byte.
  const after = scanString(buf, bodyStart - 1, end);
  if (after < 0) return false;
  const bodyEnd = after - 1;
  if (end - bodyEnd !== tailLen) return false;
  if (!bytesEqual(buf, bodyEnd, s, headLen, tailLen)) return false;
  if (acc.shapeFp !== null) acc.systemFingerprint = acc.shapeFp;
  acc.shapeHits++;
  if (bodyEnd > bodyStart) {
    acc.appendRawText(buf, bodyStart, bodyEnd);
    acc.chunkTimes.push(arrivalMs);
  }
  return true;
}
