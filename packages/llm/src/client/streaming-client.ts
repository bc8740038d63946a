/**
 * The streaming client. Two transports share one request handler: `raw` (our own HTTP/1.1 reader over
 * `node:net`, see raw-transport.ts; body bytes are timestamped in the socket's read callback) and `undici`
 * (one Pool per endpoint, requests through `pool.dispatch()`, each body chunk timestamped the moment undici
 * hands it over). Either way the arrival time is taken before any parsing.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BenchError, maskSecrets } from 'inferencebench';
import { Client, Pool } from 'undici';
import {
  type ClientRequest,
  type ClientResult,
  NO_CHUNK_TOKENS,
  type RequestQuirks,
  type RequestStatus,
  type StreamingClient,
} from '../types.js';
import { interpretEvent, StreamAccumulator } from './chunk-interpreter.js';
import { RawHttpPool, type RawResponseHandler, type ResponseHead } from './raw-transport.js';
import { parseEndpoint } from './endpoint-url.js';
import { buildRequestBody, requestPath } from './request-body.js';
import { type SseEventKind, SseParser } from './sse-parser.js';
import { capErrorText, parseRetryAfterS, streamVerdict } from './stream-verdict.js';

/** Options of `createStreamingClient`. */
export interface StreamingClientOptions {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  /** Sent as `Authorization: Bearer ...`; never logged and never part of an error text. */
  apiKey?: string | undefined;
  /** Connection pool size: the concurrency cap of the run. */
  connections: number;
  quirks: RequestQuirks;
  /**
   * How requests travel. `raw` is only for `http:` endpoints: with `https:` (hosted APIs) the client uses
   * undici whatever is asked. Default: see DEFAULT_TRANSPORT.
   */
  transport?: StreamingTransport | undefined;
}

export type StreamingTransport = 'raw' | 'undici';

/** The transport for `http:` endpoints when none is asked for (bench/notes/client.md has the comparison). */
export const DEFAULT_TRANSPORT: StreamingTransport = 'raw';

/**
 * An error body is kept to its first ERROR_BODY_CHARS once secrets are masked in it (any error text to
 * ERROR_TEXT_CHARS); up to ERROR_BODY_BYTES are read first, so a key echoed across the cut is masked
 * whole rather than stored in part (SPEC §14: mask first, then cut).
 */
const ERROR_BODY_CHARS = 200;
const ERROR_TEXT_CHARS = 300;
const ERROR_BODY_BYTES = 4096;
const decoder = new TextDecoder();

class TimeoutAbort extends Error {}
class CancelAbort extends Error {}
/** The stream broke a bound of ours (an event without end): a stream_error, the connection dropped. */
class LimitAbort extends Error {}

/** Bytes one SSE event may take: the parser holds an unfinished event whole, so an endless one is cut here. */
const MAX_EVENT_BYTES = 32 * 1024 * 1024;

/**
 * Requests in flight per caller signal. A signal gets one 'abort' listener however many requests share it
 * (the driver's warm-up shares one across C requests), removed when its last request settles, so
 * listeners never pile up on a long-lived signal.
 */
const watched = new WeakMap<AbortSignal, SignalWatch>();

class SignalWatch {
  readonly handlers = new Set<RequestHandler>();
  readonly onAbort = (): void => {
    watched.delete(this.signal);
    this.signal.removeEventListener('abort', this.onAbort);
    const handlers = [...this.handlers];
    this.handlers.clear();
    for (const h of handlers) h.cancel();
  };
  constructor(readonly signal: AbortSignal) {}
}

function watchSignal(signal: AbortSignal, handler: RequestHandler): void {
  let watch = watched.get(signal);
  if (watch === undefined) {
    watch = new SignalWatch(signal);
    watched.set(signal, watch);
    signal.addEventListener('abort', watch.onAbort);
  }
  watch.handlers.add(handler);
}

function unwatchSignal(signal: AbortSignal, handler: RequestHandler): void {
  const watch = watched.get(signal);
  if (watch === undefined || !watch.handlers.delete(handler) || watch.handlers.size > 0) return;
  watched.delete(signal);
  signal.removeEventListener('abort', watch.onAbort);
}

/** Removes the API key (and every registered secret) from any text that may leave the client. */
function redact(text: string, apiKey: string | undefined): string {
  return maskSecrets(apiKey ? text.split(apiKey).join('***') : text);
}

/** Mask first, then cut: never a prefix of a key in a stored error. */
function maskedPrefix(text: string, apiKey: string | undefined, chars: number): string {
  return redact(text, apiKey).slice(0, chars);
}

/**
 * One in-flight request: the undici dispatch handler (legacy form, which undici calls without a wrapper)
 * and the raw transport's handler.
 */
class RequestHandler implements RawResponseHandler {
  readonly acc = new StreamAccumulator();
  readonly parser: SseParser;
  sentAt = Number.NaN;
  httpStatus: number | null = null;
  private closeDelimited = false;
  private retryAfterS: number | null = null;
  private abortFn: ((err: Error) => void) | null = null;
  private pendingAbort: Error | null = null;
  private errorBody: Uint8Array | null = null;
  private errorBodyLen = 0;
  private lastArrivalMs = 0;
  private bodyBytes = 0;
  private bodyBytesAtEvent = 0;
  private settled = false;
  private timer: NodeJS.Timeout | null = null;
  private signal: AbortSignal | null = null;
  /** Times it was sent again after a stale keep-alive connection (0 or 1, SPEC §5). */
  retries = 0;
  /** undici only: sends the request once more on a fresh connection; null where the transport retries. */
  resend: (() => void) | null = null;
  /** undici only: it went out on a socket that had carried a request before (null: not known). */
  reused: boolean | null = null;

  constructor(
    private readonly apiKey: string | undefined,
    private readonly resolve: (result: ClientResult) => void,
  ) {
    const acc = this.acc;
    this.parser = new SseParser((kind: SseEventKind, buf, start, end, arrivalMs) => {
      this.bodyBytesAtEvent = this.bodyBytes;
      interpretEvent(acc, kind, buf, start, end, arrivalMs);
    });
  }

  arm(timeoutMs: number, signal: AbortSignal | undefined): void {
    if (signal) {
      if (signal.aborted) {
        this.abort(new CancelAbort('request cancelled'));
        return;
      }
      this.signal = signal;
      watchSignal(signal, this);
    }
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.timer = setTimeout(
        () => this.abort(new TimeoutAbort(`request timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
  }

  /** The caller's signal fired. */
  cancel(): void {
    this.abort(new CancelAbort('request cancelled'));
  }

  private abort(reason: Error): void {
    if (this.settled) return;
    if (this.abortFn) this.abortFn(reason);
    else this.pendingAbort = reason; // not on a connection yet: abort as soon as undici hands one over
  }

  /** undici: the request is about to be written. */
  onConnect(abort: (err?: Error) => void): void {
    this.onStart(abort);
    if (!this.settled && this.pendingAbort === null) this.onSent();
  }

  /** raw: the request was dispatched (it may wait for a connection); `abort` works from now on. */
  onStart(abort: (err: Error) => void): void {
    this.abortFn = abort;
    if (this.pendingAbort) abort(this.pendingAbort);
  }

  onSent(): void {
    this.sentAt = performance.now();
  }

  /** raw: the request is being sent again on a fresh connection; it is sent anew from here. */
  onRetry(): void {
    this.retries++;
  }

  onHeaders(statusCode: number, head: ResponseHead | Buffer[] | null): boolean {
    if (statusCode < 200) return true; // 1xx informational: the real response follows
    this.httpStatus = statusCode;
    // raw hands over what it parsed; undici the raw header pairs.
    const h = Array.isArray(head) ? undiciHead(head) : head;
    if (h !== null) {
      this.closeDelimited = h.closeDelimited;
      if (h.retryAfter !== null) this.retryAfterS = parseRetryAfterS(h.retryAfter, Date.now());
    }
    return true;
  }

  /** undici: a body chunk. */
  onData(chunk: Buffer): boolean {
    // The arrival time is taken before anything else looks at the bytes.
    this.onBody(chunk, 0, chunk.length, performance.now());
    return true;
  }

  /** Body bytes `buf[start..end)` that arrived at `arrivalMs`. */
  onBody(buf: Uint8Array, start: number, end: number, arrivalMs: number): void {
    this.lastArrivalMs = arrivalMs;
    this.bodyBytes += end - start;
    const status = this.httpStatus ?? 0;
    if (status >= 200 && status < 300) {
      this.parser.push(buf, arrivalMs, start, end);
      if (this.bodyBytes - this.bodyBytesAtEvent > MAX_EVENT_BYTES)
        this.abort(
          new LimitAbort(`an SSE event larger than ${MAX_EVENT_BYTES >> 20} MB (no event boundary)`),
        );
    } else if (this.errorBodyLen < ERROR_BODY_BYTES) {
      this.errorBody ??= new Uint8Array(ERROR_BODY_BYTES);
      const take = Math.min(end - start, ERROR_BODY_BYTES - this.errorBodyLen);
      this.errorBody.set(buf.subarray(start, start + take), this.errorBodyLen);
      this.errorBodyLen += take;
    }
  }

  onComplete(): void {
    const status = this.httpStatus ?? 0;
    if (status < 200 || status >= 300) {
      this.finish('http_error', `HTTP ${status}: ${this.errorText()}`);
      return;
    }
    this.parser.end(this.lastArrivalMs);
    const why = streamVerdict(this.acc, this.parser.events, this.bodyBytes, this.closeDelimited);
    this.finish(why === null ? 'ok' : 'stream_error', why);
  }

  onError(err: Error): void {
    if (
      this.resend !== null &&
      this.retries === 0 &&
      this.reused === true &&
      this.bodyBytes === 0 &&
      this.httpStatus === null
    ) {
      // A reused socket closed or reset before any response byte: a stale keep-alive connection, so the
      // request goes once more (SPEC §5).
      const code = (err as { code?: string }).code;
      if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') {
        this.retries++;
        this.abortFn = null;
        this.resend();
        return;
      }
    }
    if (err instanceof TimeoutAbort) this.finish('timeout', err.message);
    else if (err instanceof CancelAbort) this.finish('cancelled', err.message);
    else if (err instanceof LimitAbort) this.finish('stream_error', err.message);
    else if (this.httpStatus !== null && (this.httpStatus < 200 || this.httpStatus >= 300)) {
      this.finish('http_error', `HTTP ${this.httpStatus}: ${this.errorText()}`);
    } else if ((this.acc.done || this.acc.finished) && this.acc.error === null) {
      // Everything up to [DONE] (or the finish_reason) arrived; a connection dropped after it lost nothing.
      const why = streamVerdict(this.acc, this.parser.events, this.bodyBytes, false);
      this.finish(why === null ? 'ok' : 'stream_error', why);
    } else {
      const code = (err as { code?: string }).code;
      this.finish('stream_error', this.acc.error ?? `${err.message}${code ? ` (${code})` : ''}`);
    }
  }

  private errorText(): string {
    if (!this.errorBody) return '';
    const body = decoder.decode(this.errorBody.subarray(0, this.errorBodyLen));
    return maskedPrefix(body, this.apiKey, ERROR_BODY_CHARS);
  }

  private finish(status: RequestStatus, error: string | null): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.signal !== null) unwatchSignal(this.signal, this);
    const acc = this.acc;
    const text = acc.text;
    acc.releaseBuffers();
    this.resolve({
      status,
      sentAt: this.sentAt,
      chunkTimes: acc.chunkTimes,
      // No chunk's count known: the shared empty list (every reader takes it as unknown for each chunk),
      // not a list of a null per chunk.
      chunkTokens: acc.tokenCountsKnown ? acc.chunkTokens : NO_CHUNK_TOKENS,
      usageCompletionTokens: acc.usageCompletionTokens,
      usagePromptTokens: acc.usagePromptTokens,
      text,
      httpStatus: this.httpStatus,
      error: error === null ? null : maskedPrefix(error, this.apiKey, ERROR_TEXT_CHARS),
      systemFingerprint: acc.systemFingerprint,
      retries: this.retries,
      cachedPromptTokens: acc.cachedPromptTokens,
      serverTimings: acc.serverTimings,
      retryAfterS: this.retryAfterS,
      droppedTextPieces: acc.droppedTextPieces,
    });
  }
}

/** undici's raw header pairs as the raw transport's head. */
function undiciHead(raw: Buffer[]): ResponseHead {
  let framed = false;
  let retryAfter: string | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    if (name === 'content-length' || name === 'transfer-encoding') framed = true;
    else if (name === 'retry-after') retryAfter = raw[i + 1]!.toString('latin1').trim().slice(0, 64);
  }
  return { closeDelimited: !framed, retryAfter };
}

/** Creates a client that streams completions from one OpenAI-compatible endpoint. */
export function createStreamingClient(options: StreamingClientOptions): StreamingClient {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `endpoint is not a URL: ${options.baseUrl}`, {
      hint: 'give --endpoint as http://HOST:PORT/v1',
    });
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  const connections = Math.max(1, Math.floor(options.connections));
  const transport = url.protocol === 'http:' ? (options.transport ?? DEFAULT_TRANSPORT) : 'undici';
  return transport === 'raw'
    ? rawClient(options, url, basePath, connections)
    : undiciClient(options, url, basePath, connections);
}

/**
 * The Authorization header (the API key as a bearer token, else the URL's userinfo as Basic auth) and
 * the query string that every request to this endpoint carries (`?api_key=...` stays on the requests).
 */
function endpointParts(
  options: StreamingClientOptions,
  url: URL,
): { authorization: string | null; query: string } {
  const ep = parseEndpoint(url.href);
  return {
    authorization: options.apiKey ? `Bearer ${options.apiKey}` : ep.basicAuth,
    query: ep.query,
  };
}

function endpointError(url: URL, err: Error, apiKey: string | undefined): BenchError {
  return new BenchError(
    'BENCH_ERR_ENDPOINT',
    `cannot connect to ${url.origin}: ${redact(err.message, apiKey)}`,
    {
      hint: 'check that the server is running and --endpoint is right',
    },
  );
}

/** The raw transport's handler for a warm-up GET: any complete answer will do. */
class WarmHandler implements RawResponseHandler {
  constructor(private readonly resolve: (err: Error | null) => void) {}
  onStart(): void {}
  onSent(): void {}
  onHeaders(): void {}
  onBody(): void {}
  onComplete(): void {
    this.resolve(null);
  }
  onError(err: Error): void {
    this.resolve(err);
  }
}

function rawClient(
  options: StreamingClientOptions,
  url: URL,
  basePath: string,
  connections: number,
): StreamingClient {
  const pool = new RawHttpPool(url, connections);
  const { authorization, query } = endpointParts(options, url);
  const authLine = authorization ? `authorization: ${authorization}\r\n` : '';
  // Everything before the path and after it up to content-length is the same for every request.
  const afterPath =
    `${query} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\naccept: text/event-stream\r\n` +
    authLine +
    'connection: keep-alive\r\ncontent-length: ';
  return {
    send(
      request: ClientRequest,
      sendOptions: { signal?: AbortSignal; timeoutMs: number },
    ): Promise<ClientResult> {
      return new Promise<ClientResult>((resolve) => {
        const handler = new RequestHandler(options.apiKey, resolve);
        const body = JSON.stringify(buildRequestBody(request, options.quirks));
        handler.arm(sendOptions.timeoutMs, sendOptions.signal);
        const path = basePath + requestPath(request.api);
        pool.dispatch(`POST ${path}${afterPath}${Buffer.byteLength(body)}\r\n\r\n${body}`, handler);
      });
    },

    async warm(n: number): Promise<void> {
      const count = Math.min(Math.max(1, Math.floor(n)), connections);
      // As with undici: one GET /models per connection, all at once so each needs its own connection, and
      // the server has accepted and answered on every one before the first measured request.
      const text = `GET ${basePath}/models${query} HTTP/1.1\r\nhost: ${url.host}\r\naccept: application/json\r\n${authLine}connection: keep-alive\r\n\r\n`;
      const attempts = Array.from(
        { length: count },
        () => new Promise<Error | null>((resolve) => pool.dispatch(text, new WarmHandler(resolve))),
      );
      const failures = (await Promise.all(attempts)).filter((e): e is Error => e !== null);
      // Any HTTP answer (404 included) means the connection is open; refusing to connect is the user's problem.
      if (failures.length === count) throw endpointError(url, failures[0]!, options.apiKey);
    },

    close(): Promise<void> {
      return pool.close();
    },
  };
}

/** Requests written per undici socket, to tell a reused keep-alive connection from a fresh one. */
const socketUses = new WeakMap<Socket, number>();
let watchingUndiciSockets = false;

/**
 * undici publishes every request it writes, with its socket, on the `undici:client:sendHeaders` diagnostics
 * channel; the request holds our handler under its `handler` symbol. Where that symbol is missing (another
 * undici release) `reused` stays null and nothing is retried.
 */
function watchUndiciSockets(): void {
  if (watchingUndiciSockets) return;
  watchingUndiciSockets = true;
  let handlerKey: symbol | null = null;
  diagnosticsChannel.subscribe('undici:client:sendHeaders', (message) => {
    const { request, socket } = message as { request: object; socket: Socket };
    const uses = socketUses.get(socket) ?? 0;
    socketUses.set(socket, uses + 1);
    handlerKey ??= Object.getOwnPropertySymbols(request).find((k) => k.description === 'handler') ?? null;
    const handler = handlerKey === null ? null : (request as Record<symbol, unknown>)[handlerKey];
    if (handler instanceof RequestHandler) handler.reused = uses > 0;
  });
}

function undiciClient(
  options: StreamingClientOptions,
  url: URL,
  basePath: string,
  connections: number,
): StreamingClient {
  watchUndiciSockets();
  const pool = new Pool(url.origin, {
    connections,
    pipelining: 1,
    // Our own timer decides timeouts (status `timeout`, partial chunk times kept).
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 600_000,
    keepAliveMaxTimeout: 600_000,
  });
  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
  };
  const { authorization, query } = endpointParts(options, url);
  if (authorization) baseHeaders.authorization = authorization;
  const getHeaders: Record<string, string> = { accept: 'application/json' };
  if (authorization) getHeaders.authorization = authorization;

  return {
    send(
      request: ClientRequest,
      sendOptions: { signal?: AbortSignal; timeoutMs: number },
    ): Promise<ClientResult> {
      return new Promise<ClientResult>((resolve) => {
        const handler = new RequestHandler(options.apiKey, resolve);
        const body = JSON.stringify(buildRequestBody(request, options.quirks));
        handler.arm(sendOptions.timeoutMs, sendOptions.signal);
        const opts = {
          path: basePath + requestPath(request.api) + query,
          method: 'POST' as const,
          headers: baseHeaders,
          body,
        };
        // The retry after a stale keep-alive connection goes on a one-off connection of its own.
        handler.resend = () => {
          const fresh = new Client(url.origin, { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
          try {
            fresh.dispatch({ ...opts, reset: true }, handler);
          } catch (err) {
            handler.onError(err as Error);
          }
          void fresh.close().catch(() => {});
        };
        try {
          pool.dispatch(opts, handler);
        } catch (err) {
          // A closed pool throws synchronously; still a result, not an exception.
          handler.onError(err as Error);
        }
      });
    },

    async warm(n: number): Promise<void> {
      const count = Math.min(Math.max(1, Math.floor(n)), connections);
      const attempts = Array.from({ length: count }, () =>
        pool.request({ path: `${basePath}/models${query}`, method: 'GET', headers: getHeaders }).then(
          async (res) => {
            await res.body.dump();
            return null;
          },
          (err: Error) => err,
        ),
      );
      const failures = (await Promise.all(attempts)).filter((e): e is Error => e !== null);
      // Any HTTP answer (404 included) means the connection is open; refusing to connect is the user's problem.
      if (failures.length === count) throw endpointError(url, failures[0]!, options.apiKey);
    },

    async close(): Promise<void> {
      await pool.close();
    },
  };
}
