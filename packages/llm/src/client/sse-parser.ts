/**
 * A push parser for Server-Sent Events that works on bytes. The caller timestamps each network chunk on
 * arrival and hands it over; the parser calls back once per complete event with a view of the data bytes
 * (no string, no object per event). Views are only valid during the callback.
 */

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/** Which SSE field carried the event's payload. */
export const SSE_DATA = 0;
/** The payload came from an `error:` field line or an event typed `event: error`. */
export const SSE_ERROR = 1;
export type SseEventKind = typeof SSE_DATA | typeof SSE_ERROR;

/**
 * Called once per dispatched event. `buf[start..end)` is the payload (data lines joined by LF);
 * `arrivalMs` is the arrival time of the chunk whose bytes completed the event.
 */
export type SseEventHandler = (
  kind: SseEventKind,
  buf: Uint8Array,
  start: number,
  end: number,
  arrivalMs: number,
) => void;

const NO_BYTES = new Uint8Array(0);

/** True when `buf[start..end)` equals the ASCII word `word` (field names are short ASCII). */
function fieldIs(buf: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Byte-level SSE parser: LF, CRLF and CR line ends; events and lines may be split anywhere. */
export class SseParser {
  // Bytes of a line that is not finished at the end of a chunk. Both buffers are allocated on first use:
  // with one event per packet (a trickling server) most streams never need them.
  private carry = NO_BYTES;
  private carryLen = 0;
  // Payload that must outlive the chunk it came from (multi-line data, or an event split across chunks).
  private acc = NO_BYTES;
  private accLen = 0;
  // The common case: the whole payload is one data line inside the current chunk, referenced, not copied.
  private pendBuf: Uint8Array | null = null;
  private pendStart = 0;
  private pendEnd = 0;
  private hasData = false;
  private isError = false;
  // A chunk ended on CR: a LF at the start of the next chunk belongs to the same line end.
  private skipLf = false;
  /** Number of events dispatched so far. */
  events = 0;

  constructor(private readonly onEvent: SseEventHandler) {}

  /**
   * Feeds `chunk[from..to)`, bytes that arrived at `arrivalMs`. The range lets a transport hand over the
   * body bytes of a packet in place (no subarray per packet); bytes outside it are never read.
   */
  push(chunk: Uint8Array, arrivalMs: number, from = 0, to: number = chunk.length): void {
    const n = to;
    let i = from;
    if (i >= n) return;
    // The common case: nothing pending and the range is exactly one `data: <payload>\n\n` event (a
    // streaming server writes one event per packet). The payload holds no line end (one native search
    // for each kind); the event goes out as the line-by-line path would send it.
    if (
      this.carryLen === 0 &&
      !this.hasData &&
      !this.isError &&
      !this.skipLf &&
      n - i >= 8 &&
      chunk[n - 1] === LF &&
      chunk[n - 2] === LF &&
      fieldIs(chunk, i, i + 4, 'data') &&
      chunk[i + 4] === COLON &&
      chunk[i + 5] === SPACE &&
      chunk.indexOf(LF, i + 6) === n - 2
    ) {
      const cr = chunk.indexOf(CR, i + 6);
      if (cr === -1 || cr >= n) {
        this.events++;
        this.onEvent(SSE_DATA, chunk, i + 6, n - 2, arrivalMs);
        return;
      }
    }
    if (this.skipLf) {
      this.skipLf = false;
      if (chunk[i] === LF) i++;
    }
    // Native searches for line ends; CR is rare, so its position is cached until passed. A hit at or past
    // `n` belongs to bytes outside the range and counts as none.
    let nextLf = chunk.indexOf(LF, i);
    let nextCr = chunk.indexOf(CR, i);
    if (nextLf >= n) nextLf = -1;
    if (nextCr >= n) nextCr = -1;
    let tailStart = -1;
    while (i < n) {
      if (nextLf !== -1 && nextLf < i) {
        nextLf = chunk.indexOf(LF, i);
        if (nextLf >= n) nextLf = -1;
      }
      if (nextCr !== -1 && nextCr < i) {
        nextCr = chunk.indexOf(CR, i);
        if (nextCr >= n) nextCr = -1;
      }
      const j = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (j === -1) {
        tailStart = i;
        break;
      }
      if (this.carryLen > 0) {
        this.appendCarry(chunk, i, j);
        this.processLine(this.carry, 0, this.carryLen, arrivalMs);
        this.carryLen = 0;
      } else {
        this.processLine(chunk, i, j, arrivalMs);
      }
      i = j + 1;
      if (chunk[j] === CR) {
        if (i < n) {
          if (chunk[i] === LF) i++;
        } else {
          this.skipLf = true;
        }
      }
    }
    // A payload still referencing this chunk (or the carry) must be copied before they are reused.
    if (this.pendBuf !== null) this.materialize();
    if (tailStart !== -1) this.appendCarry(chunk, tailStart, n);
  }

  /** The stream ended: an unterminated last line and a last event without its blank line still count. */
  end(arrivalMs: number): void {
    if (this.carryLen > 0) {
      this.processLine(this.carry, 0, this.carryLen, arrivalMs);
      this.carryLen = 0;
    }
    this.skipLf = false;
    this.dispatch(arrivalMs);
  }

  private processLine(buf: Uint8Array, start: number, end: number, arrivalMs: number): void {
    if (start === end) {
      this.dispatch(arrivalMs);
      return;
    }
    if (buf[start] === COLON) return; // comment: `: ping`, `: keepalive`
    let colon = start;
    while (colon < end && buf[colon] !== COLON) colon++;
    let valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    if (fieldIs(buf, start, colon, 'data')) {
      this.appendData(buf, valueStart, end);
    } else if (fieldIs(buf, start, colon, 'error')) {
      this.isError = true;
      this.appendData(buf, valueStart, end);
    } else if (fieldIs(buf, start, colon, 'event')) {
      if (fieldIs(buf, valueStart, end, 'error')) this.isError = true;
    }
    // id, retry and unknown fields carry nothing we measure.
  }

  private appendData(buf: Uint8Array, start: number, end: number): void {
    if (!this.hasData) {
      this.hasData = true;
      this.pendBuf = buf;
      this.pendStart = start;
      this.pendEnd = end;
      return;
    }
    if (this.pendBuf !== null) this.materialize();
    this.ensureAcc(this.accLen + 1 + end - start);
    this.acc[this.accLen++] = LF;
    this.acc.set(buf.subarray(start, end), this.accLen);
    this.accLen += end - start;
  }

  private materialize(): void {
    const buf = this.pendBuf!;
    const len = this.pendEnd - this.pendStart;
    this.ensureAcc(len);
    this.acc.set(buf.subarray(this.pendStart, this.pendEnd), 0);
    this.accLen = len;
    this.pendBuf = null;
  }

  private dispatch(arrivalMs: number): void {
    if (this.hasData) {
      const kind = this.isError ? SSE_ERROR : SSE_DATA;
      this.events++;
      if (this.pendBuf !== null) this.onEvent(kind, this.pendBuf, this.pendStart, this.pendEnd, arrivalMs);
      else this.onEvent(kind, this.acc, 0, this.accLen, arrivalMs);
    }
    this.hasData = false;
    this.isError = false;
    this.pendBuf = null;
    this.accLen = 0;
  }

  private appendCarry(buf: Uint8Array, start: number, end: number): void {
    const need = this.carryLen + end - start;
    if (need > this.carry.length) {
      const grown = new Uint8Array(Math.max(need, this.carry.length * 2, 256));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(buf.subarray(start, end), this.carryLen);
    this.carryLen = need;
  }

  private ensureAcc(need: number): void {
    if (need <= this.acc.length) return;
    const grown = new Uint8Array(Math.max(need, this.acc.length * 2, 256));
    grown.set(this.acc.subarray(0, this.accLen));
    this.acc = grown;
  }
}
