/**
 * The simulator's HTTP face: OpenAI-compatible completions and chat (stream and not), health, version
 * and metrics routes, shaped per flavor. One process, node:http, thousands of concurrent streams.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BenchError, fnv1a32, type Rng } from 'inferencebench';
import { type SequenceSink, SimEngine } from './engine.js';
import {
  FLAVORS,
  type FlavorName,
  type FlavorSpec,
  OPENAI_CHAT_FIELDS,
  OPENAI_COMPLETION_FIELDS,
} from './flavors.js';
import { dcgmMetricsText, engineMetricsText } from './metrics-text.js';
import type { SimSequence } from './model.js';
import { loadProfile, type Profile } from './profile.js';
import { chatPromptTokens, completionPromptTokens, nextTokenText } from './text.js';

/** The simulator's own version (package.json), served at /version. */
export const SIM_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Options of `startSimServer`; every field has a default. */
export interface SimServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Profile name, alias or model id, or a profile object (tests use small KV caches). */
  profile?: string | Profile;
  seed?: number;
  flavor?: FlavorName;
  /** /health answers "loading" (503) for this long after start. */
  loadTimeS?: number;
  /** Tokens per SSE chunk for flavors that support it (sglang, trtllm). */
  streamInterval?: number;
  /** Model id to serve; defaults to the profile's first model name. */
  servedModelName?: string;
}

/** A running simulator. */
export interface SimServer {
  url: string;
  port: number;
  /** The served model id. */
  model: string;
  flavor: FlavorName;
  engine: SimEngine;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(status: number, message: string): unknown {
  const type =
    status === 400 ? 'BadRequestError' : status === 404 ? 'NotFoundError' : 'ServiceUnavailableError';
  return { object: 'error', message, type, code: status };
}

function percentileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

interface GenerationRequest {
  chat: boolean;
  promptTokens: number;
  maxTokens: number;
  ignoreEos: boolean;
  minTokens: number;
  stream: boolean;
  includeUsage: boolean;
}

/** Validates a generation body the way the engines do; throws HttpError(400) with their kind of message. */
function parseGeneration(
  body: unknown,
  chat: boolean,
  flavor: FlavorSpec,
  profile: Profile,
  acceptsModel: (name: string) => boolean,
): GenerationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (flavor.strictFields) {
    const allowed = chat ? OPENAI_CHAT_FIELDS : OPENAI_COMPLETION_FIELDS;
    const extra = Object.keys(b).filter((k) => !allowed.has(k));
    if (extra.length > 0) throw new HttpError(400, `Extra inputs are not permitted: ${extra.join(', ')}`);
  }
  if (b.model !== undefined && (typeof b.model !== 'string' || !acceptsModel(b.model))) {
    throw new HttpError(400, `The model \`${String(b.model)}\` does not exist.`);
  }
  const promptTokens = chat ? chatPromptTokens(b.messages) : completionPromptTokens(b.prompt);
  if (promptTokens === null) {
    throw new HttpError(
      400,
      chat ? "'messages' is required and must be a non-empty array" : "'prompt' is required",
    );
  }
  const maxLen = profile.scheduler.maxModelLen;
  if (promptTokens > maxLen) {
    throw new HttpError(
      400,
      `This model's maximum context length is ${maxLen} tokens. However, your request has ${promptTokens} input tokens.`,
    );
  }
  let rawMax = b.max_completion_tokens ?? b.max_tokens;
  if (rawMax === undefined && flavor.nPredict && b.n_predict !== undefined && b.n_predict !== -1)
    rawMax = b.n_predict;
  let maxTokens = maxLen - promptTokens;
  if (rawMax !== undefined && rawMax !== null) {
    if (typeof rawMax !== 'number' || !Number.isInteger(rawMax) || rawMax < 1) {
      throw new HttpError(400, `max_tokens must be at least 1, got ${JSON.stringify(rawMax)}.`);
    }
    if (promptTokens + rawMax > maxLen) {
      throw new HttpError(
        400,
        `This model's maximum context length is ${maxLen} tokens. However, you requested ${promptTokens + rawMax} tokens (${promptTokens} in the messages, ${rawMax} in the completion).`,
      );
    }
    maxTokens = rawMax;
  }
  if (maxTokens < 1) throw new HttpError(400, 'no room left in the context for output tokens');
  let minTokens = 0;
  if (flavor.honoursMinTokens && b.min_tokens !== undefined && b.min_tokens !== null) {
    if (typeof b.min_tokens !== 'number' || !Number.isInteger(b.min_tokens) || b.min_tokens < 0) {
      throw new HttpError(400, 'min_tokens must be a non-negative integer');
    }
    if (b.min_tokens > maxTokens)
      throw new HttpError(400, 'min_tokens must be less than or equal to max_tokens');
    minTokens = b.min_tokens;
  }
  const ignoreEos = flavor.honoursIgnoreEos && b.ignore_eos === true;
  const so = b.stream_options as { include_usage?: unknown } | undefined;
  return {
    chat,
    promptTokens,
    maxTokens,
    ignoreEos,
    minTokens,
    stream: b.stream === true,
    includeUsage: b.stream === true && typeof so === 'object' && so !== null && so.include_usage === true,
  };
}

/**
 * One stream's token events as pre-encoded HTTP/1.1 chunks: the bytes before and after the token text
 * are encoded once per request, so a token costs one small buffer and one socket write, with no JSON
 * work and no per-write bookkeeping of `ServerResponse` (whose writes also wait for a `nextTick`).
 */
class ChunkFrames {
  private readonly head: Buffer;
  private readonly tail: Buffer;

  constructor(head: string, tail: string) {
    this.head = Buffer.from(head, 'utf8');
    this.tail = Buffer.from(tail, 'utf8');
  }

  /** The chunk of one event carrying `text` (plain ASCII: the token words need no escaping). */
  frame(text: string): Buffer {
    const payloadBytes = this.head.length + text.length + this.tail.length;
    const sizeLine = `${payloadBytes.toString(16)}\r\n`;
    const buf = Buffer.allocUnsafe(sizeLine.length + payloadBytes + 2);
    let at = buf.write(sizeLine, 0, 'latin1');
    at += this.head.copy(buf, at);
    at += buf.write(text, at, 'latin1');
    at += this.tail.copy(buf, at);
    buf[at] = 13;
    buf[at + 1] = 10;
    return buf;
  }
}

/** Streams (or collects) one request's tokens as the engine produces them. */
class RequestSink implements SequenceSink {
  seq: SimSequence | null = null;
  rng: Rng | null = null;
  private done = false;
  private pendingText = '';
  private pendingCount = 0;
  private chunksSent = 0;
  private text = '';
  private keepalive: NodeJS.Timeout | null = null;
  private readonly head: string;
  private readonly tailOpen: string;
  /** Frames of the token events that are not the last one (built on the first token). */
  private frames: ChunkFrames | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly gen: GenerationRequest,
    private readonly flavor: FlavorSpec,
    private readonly streamInterval: number,
    private readonly id: string,
    private readonly created: number,
    private readonly modelJson: string,
    private readonly fingerprint: string,
  ) {
    // Chunks are built from pre-rendered pieces: the token text is plain ASCII and needs no escaping.
    const fp = flavor.systemFingerprint ? `,"system_fingerprint":${JSON.stringify(fingerprint)}` : '';
    const object = gen.chat ? 'chat.completion.chunk' : 'text_completion';
    this.head = `data: {"id":"${id}","object":"${object}","created":${created},"model":${modelJson}${fp},"choices":[{"index":0,`;
    this.tailOpen = gen.chat ? '"delta":{"content":' : '"text":';
    if (gen.stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      // Headers go out at once (as Starlette's StreamingResponse does), even while the request queues.
      res.flushHeaders();
      if (gen.chat) {
        res.write(`${this.head}"delta":{"role":"assistant"},"logprobs":null,"finish_reason":null}]}\n\n`);
      }
      if (flavor.keepaliveMs !== null) {
        this.keepalive = setInterval(() => res.write(': keepalive\n\n'), flavor.keepaliveMs);
      }
    }
  }

  get finished(): boolean {
    return this.done;
  }

  token(seq: SimSequence, finished: boolean): void {
    if (this.done) return;
    const piece = nextTokenText(this.rng!);
    if (!this.gen.stream) {
      this.text += piece;
      if (finished) this.finishNonStream(seq);
      return;
    }
    if (this.keepalive) {
      clearInterval(this.keepalive);
      this.keepalive = null;
    }
    this.pendingText = this.pendingCount === 0 ? piece : this.pendingText + piece;
    this.pendingCount++;
    // The first token goes out at once; later ones are packed by the stream interval.
    if (!finished && this.chunksSent > 0 && this.pendingCount < this.streamInterval) return;
    const text = this.pendingText;
    this.chunksSent++;
    this.pendingText = '';
    this.pendingCount = 0;
    const close = this.gen.chat ? '}' : '';
    if (!finished) {
      // Straight onto the socket, in our own chunked framing, when this response owns it (not a
      // pipelined one still queued) and is chunked; otherwise through ServerResponse as usual.
      const socket = this.res.socket;
      if (this.res.chunkedEncoding && socket !== null && !socket.destroyed) {
        this.frames ??= new ChunkFrames(
          `${this.head}${this.tailOpen}"`,
          `"${close},"logprobs":null,"finish_reason":null}]}\n\n`,
        );
        socket.write(this.frames.frame(text));
      } else {
        this.res.write(
          `${this.head}${this.tailOpen}"${text}"${close},"logprobs":null,"finish_reason":null}]}\n\n`,
        );
      }
      return;
    }
    // The last event (once per request) goes through ServerResponse, which also ends the chunked body.
    let out = `${this.head}${this.tailOpen}"${text}"${close},"logprobs":null,"finish_reason":"${seq.finishReason}"}]}\n\n`;
    this.done = true;
    if (this.gen.includeUsage) out += `${this.usageChunk(seq)}\n\n`;
    out += 'data: [DONE]\n\n';
    this.res.end(out);
  }

  aborted(_seq: SimSequence, message: string): void {
    if (this.done) return;
    this.done = true;
    this.stopKeepalive();
    if (this.gen.stream) {
      const err = JSON.stringify({
        error: { object: 'error', message, type: 'InternalServerError', code: 500 },
      });
      this.res.end(`data: ${err}\n\ndata: [DONE]\n\n`);
    } else {
      sendJson(this.res, 500, { object: 'error', message, type: 'InternalServerError', code: 500 });
    }
  }

  /** The client went away before the end. */
  closedEarly(): void {
    this.done = true;
    this.stopKeepalive();
  }

  stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
  }

  private usage(seq: SimSequence): {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
  } {
    return {
      prompt_tokens: seq.promptTokens,
      completion_tokens: seq.generated,
      total_tokens: seq.promptTokens + seq.generated,
    };
  }

  private usageChunk(seq: SimSequence): string {
    const object = this.gen.chat ? 'chat.completion.chunk' : 'text_completion';
    const fp = this.flavor.systemFingerprint
      ? `,"system_fingerprint":${JSON.stringify(this.fingerprint)}`
      : '';
    return `data: {"id":"${this.id}","object":"${object}","created":${this.created},"model":${this.modelJson}${fp},"choices":[],"usage":${JSON.stringify(this.usage(seq))}}`;
  }

  private finishNonStream(seq: SimSequence): void {
    this.done = true;
    const choice = this.gen.chat
      ? {
          index: 0,
          message: { role: 'assistant', content: this.text },
          logprobs: null,
          finish_reason: seq.finishReason,
        }
      : { index: 0, text: this.text, logprobs: null, finish_reason: seq.finishReason };
    const body: Record<string, unknown> = {
      id: this.id,
      object: this.gen.chat ? 'chat.completion' : 'text_completion',
      created: this.created,
      model: JSON.parse(this.modelJson),
      choices: [choice],
      usage: this.usage(seq),
    };
    if (this.flavor.systemFingerprint) body.system_fingerprint = this.fingerprint;
    sendJson(this.res, 200, body);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, 'request body too large'));
      else parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the simulator on host:port and resolves once it listens. */
export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  const profile =
    typeof options.profile === 'object' ? options.profile : loadProfile(options.profile ?? 'llama-3.1-8b');
  const flavorName = options.flavor ?? 'vllm';
  const flavor = FLAVORS[flavorName];
  if (!flavor) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown simulator flavor '${String(flavorName)}'`, {
      hint: `use one of: ${Object.keys(FLAVORS).join(', ')}`,
    });
  }
  const seed = options.seed ?? 42;
  const streamInterval = flavor.streamInterval ? Math.max(1, Math.floor(options.streamInterval ?? 1)) : 1;
  const model = options.servedModelName ?? profile.modelNames[0] ?? profile.name;
  const modelJson = JSON.stringify(model);
  const accepted = new Set(
    [model, profile.name, ...profile.aliases, ...profile.modelNames].map((s) => s.toLowerCase()),
  );
  const acceptsModel = (name: string): boolean => accepted.has(name.toLowerCase());
  const engine = new SimEngine(profile, { seed });
  const readyAtMs = performance.now() + (options.loadTimeS ?? 0) * 1000;
  const startedS = Math.floor(Date.now() / 1000);
  const fingerprint = `inferencebench-sim-${SIM_VERSION}`;
  const buildInfo = `b${SIM_VERSION.replace(/\D/g, '')}-${fnv1a32(SIM_VERSION).toString(16).padStart(8, '0').slice(0, 7)}`;
  let requestCounter = 0;

  const handleGeneration = async (
    req: IncomingMessage,
    res: ServerResponse,
    chat: boolean,
  ): Promise<void> => {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
    if (performance.now() < readyAtMs) throw new HttpError(503, 'Loading model');
    const gen = parseGeneration(body, chat, flavor, profile, acceptsModel);
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-${seed.toString(16)}${(requestCounter++).toString(16).padStart(8, '0')}`;
    const sink = new RequestSink(
      res,
      gen,
      flavor,
      streamInterval,
      id,
      Math.floor(Date.now() / 1000),
      modelJson,
      fingerprint,
    );
    const { seq, rng } = engine.submit(
      {
        promptTokens: gen.promptTokens,
        maxTokens: gen.maxTokens,
        ignoreEos: gen.ignoreEos,
        minTokens: gen.minTokens,
      },
      sink,
    );
    sink.seq = seq;
    sink.rng = rng;
    // A client that goes away frees its sequence (and its KV cache) at the next step edge.
    res.on('close', () => {
      if (!sink.finished) {
        sink.closedEarly();
        engine.cancel(seq);
      }
    });
  };

  const handleGet = (path: string, url: string | undefined, res: ServerResponse): void => {
    const loading = performance.now() < readyAtMs;
    if (path === '/health') {
      const h = loading ? flavor.healthLoading : flavor.healthReady;
      if (h.body === null) {
        res.writeHead(h.status, { 'content-length': 0 });
        res.end();
      } else sendJson(res, h.status, h.body);
      return;
    }
    if (flavor.versionRoutes.includes(path)) {
      const body: Record<string, unknown> = { version: SIM_VERSION };
      if (flavor.name === 'sglang') {
        body.model_path = model;
        body.served_model_name = model;
      }
      sendJson(res, 200, body);
      return;
    }
    if (flavor.props && path === '/props') {
      sendJson(res, 200, {
        build_info: buildInfo,
        model_path: model,
        total_slots: profile.scheduler.maxNumSeqs,
        default_generation_settings: { n_ctx: profile.scheduler.maxModelLen },
      });
      return;
    }
    if (path === '/v1/models') {
      if (loading && flavor.name !== 'mlx') throw new HttpError(503, 'Loading model');
      sendJson(res, 200, {
        object: 'list',
        data: [
          {
            id: model,
            object: 'model',
            created: startedS,
            owned_by: flavor.ownedBy,
            root: model,
            max_model_len: profile.scheduler.maxModelLen,
          },
        ],
      });
      return;
    }
    if (flavor.metricsPath !== null && path === flavor.metricsPath) {
      let text = engineMetricsText(engine, flavor.metricsStyle!, model);
      if (flavor.dcgmInEngineMetrics) text += dcgmMetricsText(engine);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (path === '/dcgm/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(dcgmMetricsText(engine));
      return;
    }
    if (path === '/sim/stats') {
      const since = Number(new URLSearchParams((url ?? '').split('?')[1] ?? '').get('since_step') ?? 0);
      sendJson(res, 200, simStats(engine, Number.isFinite(since) ? since : 0));
      return;
    }
    throw new HttpError(404, 'Not Found');
  };

  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const fail = (err: unknown): void => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof Error ? err.message : String(err);
        if (flavor.name === 'llama.cpp' && status === 503) {
          sendJson(res, 503, flavor.healthLoading.body);
        } else sendJson(res, status, errorBody(status, message));
      };
      try {
        if (req.method === 'POST' && (path === '/v1/completions' || path === '/v1/chat/completions')) {
          handleGeneration(req, res, path === '/v1/chat/completions').catch(fail);
        } else if (req.method === 'GET') {
          handleGet(path, req.url, res);
        } else {
          req.resume();
          throw new HttpError(404, 'Not Found');
        }
      } catch (err) {
        fail(err);
      }
    },
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new BenchError(
          'BENCH_ERR_USAGE',
          `simulator cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}: ${err.code ?? err.message}`,
          {
            hint: 'pick another --port (0 = any free port)',
          },
        ),
      ),
    );
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 8192 }, () =>
      resolve(),
    );
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    model,
    flavor: flavorName,
    engine,
    close: () =>
      new Promise<void>((resolve) => {
        engine.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Numbers for the benchmark: step lateness against the model, load, CPU and memory of this process. */
export function simStats(engine: SimEngine, sinceStep = 0): Record<string, unknown> {
  const late = engine.stepLatenessMs(sinceStep).sort();
  const handoff = engine.stepHandoffMs(sinceStep).sort();
  const summary = (sorted: Float64Array) => ({
    p50: percentileSorted(sorted, 0.5),
    p99: percentileSorted(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  });
  const mem = process.memoryUsage();
  return {
    steps: engine.steps,
    lateness_steps: late.length,
    // When each step end fired (its first token went to its socket) versus the model's end time.
    lateness_ms: summary(late),
    // When the step's last token went to its socket versus the model's end time.
    handoff_done_ms: summary(handoff),
    // CPU time of that hand-off: what the simulator itself costs, whatever else shares the core.
    handoff_cpu_ms: summary(engine.stepHandoffCpuMs(sinceStep).sort()),
    running: engine.running,
    waiting: engine.waiting,
    kv_cache_usage: engine.scheduler.kvUsage(),
    preemptions: engine.preemptions(),
    generation_tokens_total: engine.generationTokensTotal,
    cpu_user_us: process.cpuUsage().user,
    cpu_system_us: process.cpuUsage().system,
    rss_bytes: mem.rss,
    heap_used_bytes: mem.heapUsed,
  };
}
