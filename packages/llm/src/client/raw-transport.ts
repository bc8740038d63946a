/**
 * A minimal HTTP/1.1 client over `node:net` for one use: POST a JSON body and stream the response body
 * back, timestamped at the socket. It exists because undici's read path (Readable stream, nextTick hop,
 * llhttp in wasm, Buffer per read) costs more CPU per packet than a one-packet-per-token stream can
 * afford (SPEC §15). Sockets read through `onread` into one shared buffer: no Buffer and no stream event
 * per packet, and the arrival time is taken in the read callback before any byte is looked at. The
 * response is decoded by a small state machine (chunked, Content-Length, or until close) that hands body
 * bytes to the handler as ranges of that buffer, valid only during the call.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** What the transport tells one request, in order: start, sent, headers, body..., complete | error. */
export interface RawResponseHandler {
  /** Called at dispatch; `abort` works while queued, connecting or streaming (settles with onError). */
  onStart(abort: (reason: Error) => void): void;
  /** The request bytes were handed to a connected socket. */
  onSent(): void;
  onHeaders(statusCode: number, head: ResponseHead): void;
  /** `buf[start..end)` are body bytes that arrived at `arrivalMs`; a view valid only during the call. */
  onBody(buf: Uint8Array, start: number, end: number, arrivalMs: number): void;
  onComplete(): void;
  onError(err: Error): void;
  /**
   * A reused keep-alive connection died before any response byte: the request is being sent once more on
   * a fresh connection (SPEC §5). `onSent` follows again when it is written there.
   */
  onRetry?(): void;
}

/** What the response head says beyond its status: how the body ends, and a 429/503's Retry-After. */
export interface ResponseHead {
  /** No Content-Length and not chunked: the body ends when the server closes (its end proves nothing). */
  closeDelimited: boolean;
  /** The Retry-After header as sent, or null. */
  retryAfter: string | null;
}

/** A transport or protocol failure, with a code like undici's so error texts stay recognisable. */
export class RawHttpError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'RawHttpError';
  }
}

const CR = 13;
const LF = 10;
const MAX_HEAD_BYTES = 64 * 1024;
// One read buffer for every socket: reads are handled synchronously and every consumer copies what must
// outlive the call, so sharing it is safe and keeps memory per connection to the socket itself.
const READ_BUFFER_BYTES = 64 * 1024;
let sharedReadBuffer: Buffer | null = null;
// Reuse a kept-alive connection only if the server's advertised keep-alive timeout is this far away.
const KEEP_ALIVE_MARGIN_MS = 1000;

// Response states.
const S_IDLE = 0;
const S_HEAD = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_EXT = 3;
const S_CHUNK_DATA = 4;
const S_CHUNK_DATA_CR = 5;
const S_CHUNK_DATA_LF = 6;
const S_TRAILER = 7;
const S_LENGTH = 8;
const S_UNTIL_CLOSE = 9;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Where the data of the chunk `wholeChunk` last found begins. */
let wholeChunkData = -1;

/**
 * Where a whole non-empty chunk that starts at `buf[i]` (its size line: hex digits and CRLF, no extension)
 * ends, just past the CRLF after its data, when all of it is in `buf[i..n)`; else -1. Sets `wholeChunkData`.
 */
function wholeChunk(buf: Uint8Array, i: number, n: number): number {
  let size = 0;
  let k = i;
  // 13 hex digits, as the long way allows; a 14th makes this fail and the long way report it.
  for (; k < n && k - i < 13; k++) {
    const v = hexValue(buf[k]!);
    if (v < 0) break;
    size = size * 16 + v;
  }
  if (k === i || size === 0 || k + 1 >= n || buf[k] !== CR || buf[k + 1] !== LF) return -1;
  const end = k + 2 + size;
  if (end + 2 > n || buf[end] !== CR || buf[end + 1] !== LF) return -1;
  wholeChunkData = k + 2;
  return end + 2;
}

/** One request waiting for, or using, a connection. */
class Exchange {
  conn: Connection | null = null;
  done = false;
  /** It went out on a connection that had already served a response. */
  reused = false;
  /** A response byte arrived for it. */
  answered = false;
  /** It has been sent once more after a stale keep-alive connection (at most once). */
  retried = false;
  constructor(
    readonly text: string,
    readonly handler: RawResponseHandler,
  ) {}
}

class Connection {
  readonly socket: net.Socket;
  ex: Exchange | null = null;
  connected = false;
  private state = S_IDLE;
  private head = '';
  private keepAlive = true;
  /** Bytes left in the current chunk or Content-Length body. */
  private remaining = 0;
  private sizeDigits = 0;
  private lineLen = 0;
  keepAliveMs = Number.POSITIVE_INFINITY;
  /** Requests the server still allows on this connection (`Keep-Alive: max`), counting the next one. */
  private requestsLeft = Number.POSITIVE_INFINITY;
  /** Responses completed on this connection. */
  private served = 0;
  idleSinceMs = 0;
  private gone = false;

  constructor(
    private readonly pool: RawHttpPool,
    host: string,
    port: number,
  ) {
    sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    this.socket = net.connect({
      host,
      port,
      onread: {
        buffer: sharedReadBuffer,
        callback: (nread: number, buf: Buffer): boolean => {
          // The arrival time comes first: nothing has looked at the bytes yet.
          const arrivalMs = performance.now();
          // A CR LF just past the bytes read. The SSE parser's native line-end searches cannot be bounded
          // and take a hit at or past its range's end as none, so with stale bytes of older reads (or the
          // never-written rest of the buffer) behind the data, a body that is not chunked (Content-Length,
          // read until close) could send each search through the rest of the 64 KiB; they stop here now.
          if (nread < buf.length) buf[nread] = CR;
          if (nread + 1 < buf.length) buf[nread + 1] = LF;
          this.onBytes(buf, nread, arrivalMs);
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.once('connect', () => {
      this.connected = true;
      if (this.ex !== null) this.write(this.ex);
      else this.pool.release(this);
    });
    this.socket.on('error', (err: Error) => this.fail(err));
    this.socket.on('close', () => this.onClose());
  }

  /** Sends `ex` on this connection (now, or once connected). */
  start(ex: Exchange): void {
    ex.conn = this;
    ex.reused = this.served > 0;
    this.ex = ex;
    this.state = S_HEAD;
    this.head = '';
    if (this.connected) this.write(ex);
  }

  write(ex: Exchange): void {
    this.socket.write(ex.text);
    ex.handler.onSent();
  }

  expired(nowMs: number): boolean {
    return nowMs - this.idleSinceMs > this.keepAliveMs - KEEP_ALIVE_MARGIN_MS;
  }

  /** Drops the connection; the exchange on it (if any) is settled by the caller. */
  destroy(): void {
    this.ex = null;
    this.state = S_IDLE;
    this.socket.destroy();
    this.removeOnce();
  }

  private removeOnce(): void {
    if (this.gone) return;
    this.gone = true;
    this.pool.removed(this);
  }

  private onClose(): void {
    const ex = this.ex;
    if (ex !== null) {
      if (this.state === S_UNTIL_CLOSE) this.complete(false);
      else this.fail(new RawHttpError('other side closed', 'UND_ERR_SOCKET'));
    }
    this.removeOnce();
  }

  /**
   * Settles the current exchange with `err` and drops the connection, unless the exchange went out on a
   * reused connection and got no response byte: the server closed an idle keep-alive connection under it,
   * so it is sent once more on a fresh connection instead (SPEC §5).
   */
  private fail(err: Error): void {
    const ex = this.ex;
    if (ex !== null && !ex.done && ex.reused && !ex.answered && !ex.retried) {
      ex.retried = true;
      this.ex = null;
      // The fresh connection is opened before this one is counted out, so the pool never exceeds its size.
      this.pool.retryFresh(ex);
      this.destroy();
      return;
    }
    this.destroy();
    if (ex !== null && !ex.done) {
      ex.done = true;
      ex.handler.onError(err);
    }
  }

  private complete(reusable: boolean): void {
    const ex = this.ex!;
    this.ex = null;
    this.state = S_IDLE;
    ex.done = true;
    this.served++;
    this.requestsLeft--;
    if (reusable && this.keepAlive && this.requestsLeft > 0) this.pool.release(this);
    else this.destroy();
    ex.handler.onComplete();
  }

  private onBytes(buf: Buffer, n: number, arrivalMs: number): void {
    const ex = this.ex;
    if (ex === null) {
      // Bytes nobody asked for (an idle connection): the connection's framing can no longer be trusted.
      this.destroy();
      return;
    }
    ex.answered = true;
    const handler = ex.handler;
    let i = 0;
    while (i < n) {
      // The common case, whole chunks at a chunk boundary (a streaming server writes an event per chunk):
      // the size line and the CRLF after the data are checked in place, not a state machine pass per byte.
      // Anything else (a split chunk, an extension, the last chunk) goes the long way from the same byte.
      if (this.state === S_CHUNK_SIZE && this.sizeDigits === 0) {
        const next = wholeChunk(buf, i, n);
        if (next > 0) {
          handler.onBody(buf, wholeChunkData, next - 2, arrivalMs);
          i = next;
          continue;
        }
      }
      switch (this.state) {
        case S_HEAD:
          i = this.readHead(buf, i, n);
          if (i < 0) return;
          break;
        case S_CHUNK_SIZE: {
          const c = buf[i++]!;
          const v = hexValue(c);
          if (v >= 0) {
            // 13 hex digits is far beyond any real chunk and still an exact double.
            if (++this.sizeDigits > 13) {
              this.protocolError('chunk size too large');
              return;
            }
            this.remaining = this.remaining * 16 + v;
          } else if (c === LF) {
            if (!this.endSizeLine()) return;
          } else {
            // `;ext=value`, the CR of the line end, or whitespace before them.
            this.state = S_CHUNK_EXT;
          }
          break;
        }
        case S_CHUNK_EXT:
          if (buf[i++] === LF && !this.endSizeLine()) return;
          break;
        case S_CHUNK_DATA: {
          const take = Math.min(this.remaining, n - i);
          handler.onBody(buf, i, i + take, arrivalMs);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = S_CHUNK_DATA_CR;
          break;
        }
        case S_CHUNK_DATA_CR: {
          const c = buf[i++];
          if (c === CR) this.state = S_CHUNK_DATA_LF;
          else if (c === LF) this.beginChunk();
          else {
            this.protocolError('chunk not followed by CRLF');
            return;
          }
          break;
        }
        case S_CHUNK_DATA_LF:
          if (buf[i++] !== LF) {
            this.protocolError('chunk not followed by CRLF');
            return;
          }
          this.beginChunk();
          break;
        case S_TRAILER: {
          const c = buf[i++];
          if (c === LF) {
            if (this.lineLen === 0) {
              this.complete(i === n);
              return;
            }
            this.lineLen = 0;
          } else if (c !== CR) {
            this.lineLen++;
          }
          break;
        }
        case S_LENGTH: {
          const take = Math.min(this.remaining, n - i);
          handler.onBody(buf, i, i + take, arrivalMs);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.complete(i === n);
            return;
          }
          break;
        }
        case S_UNTIL_CLOSE:
          handler.onBody(buf, i, n, arrivalMs);
          return;
        default:
          this.destroy();
          return;
      }
    }
  }

  private beginChunk(): void {
    this.state = S_CHUNK_SIZE;
    this.remaining = 0;
    this.sizeDigits = 0;
  }

  /** The chunk-size line ended; false when it was invalid (the exchange has been failed). */
  private endSizeLine(): boolean {
    if (this.sizeDigits === 0) {
      this.protocolError('invalid chunk size line');
      return false;
    }
    if (this.remaining === 0) {
      this.state = S_TRAILER;
      this.lineLen = 0;
    } else {
      this.state = S_CHUNK_DATA;
    }
    return true;
  }

  private protocolError(what: string): void {
    this.fail(new RawHttpError(`invalid HTTP response: ${what}`, 'HPE_INVALID'));
  }

  /** Accumulates the status line and headers; returns the offset after them, or -1 when failed. */
  private readHead(buf: Buffer, i: number, n: number): number {
    const before = this.head.length;
    this.head += buf.toString('latin1', i, n);
    // The blank line may straddle packets, so search from a little before the new bytes.
    let end = this.head.indexOf('\r\n\r\n', Math.max(0, before - 3));
    let endLen = 4;
    if (end === -1) {
      end = this.head.indexOf('\n\n', Math.max(0, before - 1));
      endLen = 2;
    }
    if (end === -1) {
      if (this.head.length > MAX_HEAD_BYTES) {
        this.protocolError('headers too large');
        return -1;
      }
      return n;
    }
    const consumed = i + end + endLen - before;
    const lines = this.head.slice(0, end).split(/\r?\n/);
    this.head = '';
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (m === null) {
      this.protocolError('bad status line');
      return -1;
    }
    const status = Number(m[2]);
    if (status >= 100 && status < 200) return consumed; // informational: the real response follows
    let keepAlive = m[1] === '1';
    let chunked = false;
    let length = -1;
    let keepAliveMs = Number.POSITIVE_INFINITY;
    let retryAfter: string | null = null;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/.test(value);
      else if (name === 'content-length') length = Number(value);
      else if (name === 'connection') {
        if (/(?:^|,)\s*close\s*(?:,|$)/.test(value)) keepAlive = false;
        else if (/(?:^|,)\s*keep-alive\s*(?:,|$)/.test(value)) keepAlive = true;
      } else if (name === 'keep-alive') {
        const t = /timeout=(\d+)/.exec(value);
        if (t) keepAliveMs = Number(t[1]) * 1000;
        // `max=N`: at most N requests on this connection, this one included (the cautious reading).
        const m = /max=(\d+)/.exec(value);
        if (m) this.requestsLeft = Math.min(this.requestsLeft, Number(m[1]));
      } else if (name === 'retry-after') retryAfter = value.slice(0, 64);
    }
    this.keepAlive = keepAlive;
    this.keepAliveMs = keepAliveMs;
    const closeDelimited = !chunked && length === -1 && status !== 204 && status !== 304;
    this.ex!.handler.onHeaders(status, { closeDelimited, retryAfter });
    if (this.ex === null) return -1; // aborted from onHeaders
    if (status === 204 || status === 304) {
      this.complete(consumed === n);
      return -1;
    }
    if (chunked) {
      this.beginChunk();
    } else if (length >= 0 && Number.isSafeInteger(length)) {
      if (length === 0) {
        this.complete(consumed === n);
        return -1;
      }
      this.state = S_LENGTH;
      this.remaining = length;
    } else if (length !== -1) {
      this.protocolError('bad content-length');
      return -1;
    } else {
      // HTTP/1.0 style: the body ends when the server closes the connection.
      this.state = S_UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return consumed;
  }
}

/** A keep-alive pool of up to `connections` sockets to one `http:` origin. */
export class RawHttpPool {
  private readonly idle: Connection[] = [];
  private readonly queue: Exchange[] = [];
  private open = 0;
  private closed = false;
  private onDrained: (() => void) | null = null;
  private readonly host: string;
  private readonly port: number;

  constructor(
    origin: URL,
    private readonly connections: number,
  ) {
    // URL keeps IPv6 literals in brackets; net.connect wants them bare.
    this.host = origin.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = origin.port === '' ? 80 : Number(origin.port);
  }

  /** Sends `text` (request line, headers and body) and streams the response to `handler`. */
  dispatch(text: string, handler: RawResponseHandler): void {
    const ex = new Exchange(text, handler);
    handler.onStart((reason) => this.abort(ex, reason));
    if (ex.done) return;
    if (this.closed) {
      ex.done = true;
      handler.onError(new RawHttpError('client is closed', 'UND_ERR_CLOSED'));
      return;
    }
    this.assign(ex);
  }

  /** Stops taking requests; resolves once the requests in flight have finished and every socket is closed. */
  close(): Promise<void> {
    this.closed = true;
    for (const conn of this.idle.splice(0)) conn.destroy();
    if (this.open === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onDrained = resolve;
    });
  }

  /** A connection finished a response cleanly and may be reused. */
  release(conn: Connection): void {
    // Queued requests are still served after close(), as undici's Pool does.
    const next = this.queue.shift();
    if (next !== undefined) {
      conn.start(next);
      return;
    }
    if (this.closed) {
      conn.destroy();
      return;
    }
    conn.idleSinceMs = performance.now();
    this.idle.push(conn);
  }

  /** A connection is gone (closed, failed, or dropped by us). */
  removed(conn: Connection): void {
    this.open--;
    const at = this.idle.indexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
    if (this.queue.length > 0 && this.open < this.connections) {
      this.assign(this.queue.shift()!);
    }
    if (this.closed && this.open === 0 && this.onDrained !== null) {
      const drained = this.onDrained;
      this.onDrained = null;
      drained();
    }
  }

  /** Sends `ex` again on a new connection (never an idle one): its reused connection died unanswered. */
  retryFresh(ex: Exchange): void {
    ex.conn = null;
    ex.handler.onRetry?.();
    if (ex.done) return; // aborted from onRetry
    this.open++;
    new Connection(this, this.host, this.port).start(ex);
  }

  private assign(ex: Exchange): void {
    const now = performance.now();
    let conn = this.idle.pop();
    while (conn?.expired(now)) {
      conn.destroy();
      conn = this.idle.pop();
    }
    if (conn !== undefined) {
      conn.start(ex);
      return;
    }
    if (this.open < this.connections) {
      this.open++;
      new Connection(this, this.host, this.port).start(ex);
      return;
    }
    this.queue.push(ex);
  }

  private abort(ex: Exchange, reason: Error): void {
    if (ex.done) return;
    ex.done = true;
    if (ex.conn !== null) {
      if (ex.conn.ex === ex) ex.conn.destroy();
    } else {
      const at = this.queue.indexOf(ex);
      if (at !== -1) this.queue.splice(at, 1);
    }
    ex.handler.onError(reason);
  }
}
