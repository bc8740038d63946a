/**
 * How each engine the simulator imitates differs at the HTTP level, as data. Engine fakes in the llm
 * package exec the simulator with `--flavor` and rely on exactly these routes and behaviours.
 */

export type FlavorName = 'vllm' | 'sglang' | 'trtllm' | 'llama.cpp' | 'mlx';

/** Which engine counter families a flavor's metrics endpoint shows. */
export type MetricsStyle = 'vllm' | 'sglang' | 'trtllm' | 'llama.cpp';

export interface FlavorSpec {
  name: FlavorName;
  /** `/health` while loading: status and body (null body = empty). */
  healthLoading: { status: number; body: unknown };
  /** `/health` when ready. */
  healthReady: { status: number; body: unknown };
  /** Routes answering `{"version": ...}`. */
  versionRoutes: string[];
  /** `/props` with `build_info` (llama.cpp). */
  props: boolean;
  /** Path of the Prometheus endpoint, or null (404). */
  metricsPath: string | null;
  metricsStyle: MetricsStyle | null;
  /** DCGM exporter lines appended to the engine's own metrics (they are always at /dcgm/metrics too). */
  dcgmInEngineMetrics: boolean;
  honoursIgnoreEos: boolean;
  honoursMinTokens: boolean;
  /** Accepts `n_predict` as max_tokens. */
  nPredict: boolean;
  /** Any body field outside the standard OpenAI set is a 400. */
  strictFields: boolean;
  /** `--stream-interval N` packs N tokens per chunk. */
  streamInterval: boolean;
  /** SSE comment `: keepalive` every this many ms while a request waits for its first token, or null. */
  keepaliveMs: number | null;
  /** A `system_fingerprint` field in every chunk. */
  systemFingerprint: boolean;
  /** `owned_by` in /v1/models. */
  ownedBy: string;
}

export const FLAVORS: Record<FlavorName, FlavorSpec> = {
  vllm: {
    name: 'vllm',
    healthLoading: { status: 503, body: null },
    healthReady: { status: 200, body: null },
    versionRoutes: ['/version'],
    props: false,
    metricsPath: '/metrics',
    metricsStyle: 'vllm',
    dcgmInEngineMetrics: true,
    honoursIgnoreEos: true,
    honoursMinTokens: true,
    nPredict: false,
    strictFields: false,
    streamInterval: false,
    keepaliveMs: null,
    systemFingerprint: false,
    ownedBy: 'vllm',
  },
  sglang: {
    name: 'sglang',
    healthLoading: { status: 503, body: null },
    healthReady: { status: 200, body: null },
    versionRoutes: ['/get_server_info', '/server_info'],
    props: false,
    metricsPath: '/metrics',
    metricsStyle: 'sglang',
    dcgmInEngineMetrics: false,
    honoursIgnoreEos: true,
    honoursMinTokens: true,
    nPredict: false,
    strictFields: false,
    streamInterval: true,
    keepaliveMs: null,
    systemFingerprint: false,
    ownedBy: 'sglang',
  },
  trtllm: {
    name: 'trtllm',
    healthLoading: { status: 503, body: null },
    healthReady: { status: 200, body: null },
    versionRoutes: ['/version'],
    props: false,
    metricsPath: '/prometheus/metrics',
    metricsStyle: 'trtllm',
    dcgmInEngineMetrics: false,
    honoursIgnoreEos: false,
    honoursMinTokens: false,
    nPredict: false,
    strictFields: true,
    streamInterval: true,
    keepaliveMs: null,
    systemFingerprint: false,
    ownedBy: 'tensorrt_llm',
  },
  'llama.cpp': {
    name: 'llama.cpp',
    healthLoading: {
      status: 503,
      body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } },
    },
    healthReady: { status: 200, body: { status: 'ok' } },
    versionRoutes: [],
    props: true,
    metricsPath: '/metrics',
    metricsStyle: 'llama.cpp',
    dcgmInEngineMetrics: false,
    honoursIgnoreEos: true,
    honoursMinTokens: false,
    nPredict: true,
    strictFields: false,
    streamInterval: false,
    keepaliveMs: null,
    systemFingerprint: false,
    ownedBy: 'llamacpp',
  },
  mlx: {
    name: 'mlx',
    // mlx_lm.server answers /health at once; requests made while the model loads get 503.
    healthLoading: { status: 200, body: { status: 'ok' } },
    healthReady: { status: 200, body: { status: 'ok' } },
    versionRoutes: [],
    props: false,
    metricsPath: null,
    metricsStyle: null,
    dcgmInEngineMetrics: false,
    honoursIgnoreEos: false,
    honoursMinTokens: false,
    nPredict: false,
    strictFields: false,
    streamInterval: false,
    keepaliveMs: 100,
    systemFingerprint: true,
    ownedBy: 'mlx',
  },
};

/** Flavor names, in documentation order. */
export const FLAVOR_NAMES = Object.keys(FLAVORS) as FlavorName[];

/** Body fields of the standard OpenAI completions request (TRT-LLM's strict set). */
export const OPENAI_COMPLETION_FIELDS = new Set([
  'model',
  'prompt',
  'best_of',
  'echo',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'max_tokens',
  'n',
  'presence_penalty',
  'seed',
  'stop',
  'stream',
  'stream_options',
  'suffix',
  'temperature',
  'top_p',
  'user',
]);

/** Body fields of the standard OpenAI chat completions request. */
export const OPENAI_CHAT_FIELDS = new Set([
  'model',
  'messages',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'presence_penalty',
  'response_format',
  'seed',
  'stop',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'user',
  'service_tier',
  'store',
  'metadata',
  'modalities',
  'reasoning_effort',
]);
