/**
 * The seams between the parts of the llm.inference plugin: datasets produce prompts, the client sends
 * one request and times it, engines provide an endpoint, the load driver schedules requests, metrics turn
 * records into numbers. Each part depends on these types, not on the others' internals.
 */

export type ApiKind = 'completions' | 'chat';

/** One prompt to send, with the output length to ask for. */
export interface PromptItem {
  /** Stable id (dataset id + turn, or `synthetic-<n>`). */
  id: string;
  /** Prompt text (sent as `prompt` for completions, as one user message for chat). */
  prompt: string;
  /** Prompt length in tokens as the dataset's tokenizer counts it (approximate for `words`). */
  promptTokens: number;
  /** Output tokens to request (max_tokens, and forced with ignore_eos/min_tokens where allowed). */
  outputTokens: number;
}

/** A dataset resolved for one run. */
export interface LoadedDataset {
  /** `synthetic`, `sharegpt-v3`, `file:...` */
  id: string;
  /** sha256 (hex) of the data the prompts came from, stored with the run for traceability. */
  checksum: string | null;
  /** Which tokenizer counted the tokens (`words` = labelled approximation). */
  tokenizer: string;
  items: PromptItem[];
  /** Anything else worth storing in the plan/environment (source URL, revision, sizes). */
  meta: Record<string, unknown>;
}

/** What the engine (or endpoint) accepts; set by the engine adapter, used by the client. */
export interface RequestQuirks {
  /** The engine honours ignore_eos / min_tokens, so the requested length is the output length. */
  canForceOutputLength: boolean;
  /** Send only the standard OpenAI fields (TRT-LLM rejects unknown ones). */
  strictFields: boolean;
  /** Engine supports stream_options.include_usage. */
  includeUsage: boolean;
  /** llama.cpp: ask for `timings` on every chunk (`timings_per_token`), giving per-chunk token counts. */
  timingsPerToken?: boolean;
  /** false: ask the engine not to reuse its prompt cache (llama.cpp `cache_prompt: false`). */
  cachePrompt?: boolean;
}

/** One request as the driver hands it to the client. */
export interface ClientRequest {
  item: PromptItem;
  api: ApiKind;
  model: string;
}

export type RequestStatus = 'ok' | 'http_error' | 'stream_error' | 'timeout' | 'cancelled';

/**
 * What the client observed for one request. All times are `performance.now()` milliseconds (monotonic);
 * chunk times are taken when the bytes arrived, before parsing.
 */
export interface ClientResult {
  status: RequestStatus;
  /** When the request was actually written to the connection. */
  sentAt: number;
  /** Arrival time of each content chunk (role-only deltas, comments and usage-only chunks excluded); a
   * Float64Array when it came from a `--workers` thread. */
  chunkTimes: number[] | Float64Array;
  /** Tokens in each content chunk when known (from usage deltas or 1 per chunk for token-per-chunk engines), else null;
   * shorter than chunkTimes (often empty, and then shared and frozen) where the rest are unknown. */
  chunkTokens: (number | null)[];
  /** usage.completion_tokens if the server sent usage. */
  usageCompletionTokens: number | null;
  /** usage.prompt_tokens if the server sent usage. */
  usagePromptTokens: number | null;
  /** Concatenated generated text (for tokenizer counting when usage is absent). */
  text: string;
  httpStatus: number | null;
  /** Error text for non-ok statuses (never contains the API key). */
  error: string | null;
  /** system_fingerprint if the server sent one. */
  systemFingerprint: string | null;
  /** Times the request was sent again after a stale keep-alive connection (SPEC §5); absent = 0. */
  retries?: number;
  /** Prompt tokens the engine served from its prefix cache, when it says (SPEC §4). */
  cachedPromptTokens?: number | null;
  /** The engine's own timings of the request (llama.cpp `timings`), when it sends them. */
  serverTimings?: ServerTimings | null;
  /** Seconds the server asked us to wait (a 429/503's Retry-After), when it sent one. */
  retryAfterS?: number | null;
  /** Content pieces whose text was not kept (the per-request text cap was reached); each is >= 1 token. */
  droppedTextPieces?: number;
}

/** llama.cpp's `timings` object (tools/server: server_slot_stats::to_json), the fields kept. */
export interface ServerTimings {
  cacheN: number | null;
  promptN: number | null;
  promptMs: number | null;
  predictedN: number | null;
  predictedMs: number | null;
  predictedPerTokenMs: number | null;
}

export interface StreamingClient {
  /** Send one streaming request; never throws for server/network faults, returns a status instead. */
  send(request: ClientRequest, options: { signal?: AbortSignal; timeoutMs: number }): Promise<ClientResult>;
  /** Open and warm `connections` connections before measuring (so TTFT does not include TCP set-up). */
  warm(connections: number): Promise<void>;
  close(): Promise<void>;
}

/** A running (or attached) engine for the duration of a run. */
export interface EngineHandle {
  name: string;
  /** Base URL ending in /v1, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  version: string | null;
  /** Effective launch command (argument array) or null when attached. */
  commandLine: string[] | null;
  quirks: RequestQuirks;
  /** Prometheus endpoint to scrape at 1 Hz, or null. */
  metricsUrl: string | null;
  /** A DCGM-exporter-style endpoint the power meter may read (the simulator serves one), or null. */
  dcgmUrl: string | null;
  /** The model's own metadata (llama.cpp: architecture, parameters, quant from the GGUF), when known. */
  modelInfo?: Record<string, unknown> | null;
  /** Rejects (with BenchError BENCH_ERR_ENGINE_DIED) if the engine dies while the run is going. */
  died: Promise<never>;
  stop(): Promise<void>;
}

/** The chunk token counts of a result that knows none: one frozen empty list, shared (a reader that tried
 * to fill it in would throw, not leak into other results). */
export const NO_CHUNK_TOKENS = Object.freeze([]) as unknown as (number | null)[];
