import { z } from 'zod';
import type { OptionDecl } from 'inferencebench';

/**
 * Every option of `bench run llm.inference`, declared once (SPEC §2). The CLI flags, help, YAML config
 * keys and docs are generated from this list. Parts of the plugin read the resolved plan (`LlmPlan`).
 */

const positiveNumber = z.coerce.number().positive();
const nonNegativeNumber = z.coerce.number().min(0);
const positiveInt = z.coerce.number().int().positive();

/** `1,4,16` (a string from the command line) or `[1, 4, 16]` (YAML) -> number[]. */
function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((raw) => {
    if (typeof raw === 'string')
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    if (typeof raw === 'number') return [raw];
    return raw;
  }, z.array(item).min(1));
}

/** `auto`, `inf`, or a list of positive rates (req/s), one per level. */
const rateSchema = z.preprocess(
  (raw) => {
    if (typeof raw === 'number') return [raw];
    if (typeof raw === 'string') {
      const s = raw.trim();
      if (s === 'auto' || s === 'inf') return s;
      return s.split(',').map((x) => (x.trim() === 'inf' ? Number.POSITIVE_INFINITY : Number(x.trim())));
    }
    return raw;
  },
  z.union([z.literal('auto'), z.literal('inf'), z.array(z.number().positive())]),
);

/** `k=v,k=v` -> record of numbers (custom SLO thresholds). */
const sloSchema = z.preprocess(
  (raw) => {
    if (typeof raw !== 'string') return raw;
    const out: Record<string, number> = {};
    for (const part of raw.split(',')) {
      const [k, v] = part.split('=');
      if (k === undefined || v === undefined) return raw;
      out[k.trim()] = Number(v.trim());
    }
    return out;
  },
  z.record(z.string(), z.number().nonnegative()),
);

const stringList = z.preprocess((raw) => (typeof raw === 'string' ? [raw] : raw), z.array(z.string()));

export const ENGINE_NAMES = ['vllm', 'sglang', 'trtllm', 'llama.cpp', 'mlx', 'openai', 'sim'] as const;

/** One option of the plugin: everything but its key, which is the entry's name in `LLM_OPTIONS`. */
interface LlmOptionSpec<S extends z.ZodType> extends Omit<OptionDecl, 'key' | 'schema' | 'default'> {
  schema: S;
  /** Must be a value of the option's own type. */
  default?: z.output<S>;
}

/** Declares one option; the default is checked against the schema's type. */
const opt = <S extends z.ZodType>(spec: LlmOptionSpec<S>): LlmOptionSpec<S> => spec;

/**
 * The options by plan key. The plan's type (`LlmPlan`) is derived from this object, so a key cannot be
 * declared without its type, nor used without being declared. Keys carry their unit (`durationS`); YAML
 * config files may use the key or the flag's name (`duration: 20`).
 */
export const LLM_OPTIONS = {
  // What to benchmark
  model: opt({
    flag: '--model <id>',
    description: 'model id as the engine serves it (HF id); for llama.cpp launches, a GGUF file path',
    schema: z.string().min(1),
    group: 'Target',
  }),
  engine: opt({
    flag: '--engine <name>',
    description: `engine: ${ENGINE_NAMES.join(', ')}`,
    schema: z.string().min(1),
    group: 'Target',
  }),
  endpoint: opt({
    flag: '--endpoint <url>',
    description: 'attach to a running server (base URL ending in /v1) instead of launching one',
    schema: z.string().url().optional(),
    group: 'Target',
  }),
  apiKeyEnv: opt({
    flag: '--api-key-env <name>',
    description:
      'environment variable holding the bearer token (never stored or printed); default OPENAI_API_KEY for openai',
    schema: z.string().optional(),
    group: 'Target',
  }),
  hardware: opt({
    flag: '--hardware <name>',
    description: 'h100, h200, ...; checked against the detected hardware',
    schema: z.string().optional(),
    group: 'Target',
  }),
  quant: opt({
    flag: '--quant <name>',
    description: "fp8, bf16, fp16, int4, ... mapped to each engine's flags",
    schema: z.string().optional(),
    group: 'Target',
  }),
  tp: opt({
    flag: '--tp <n>',
    description:
      "tensor parallel size; default: the model recipe's, else the smallest that fits the detected GPUs (1 when unknown)",
    schema: positiveInt.optional(),
    group: 'Target',
  }),
  api: opt({
    flag: '--api <kind>',
    description: 'completions or chat',
    schema: z.enum(['completions', 'chat']),
    default: 'completions',
    group: 'Target',
  }),
  // Engine launch
  engineBin: opt({
    flag: '--engine-bin <path>',
    description: "executable to launch instead of the engine's default",
    schema: z.string().optional(),
    group: 'Engine launch',
  }),
  engineArg: opt({
    flag: '--engine-arg <arg...>',
    description: 'extra argument(s) appended to the engine command line (repeatable)',
    schema: stringList.optional(),
    group: 'Engine launch',
  }),
  promptCache: opt({
    flag: '--prompt-cache <on|off>',
    description: 'off: ask the engine not to reuse cached prompt prefixes (llama.cpp cache_prompt: false)',
    schema: z.enum(['on', 'off']),
    default: 'on',
    group: 'Engine launch',
  }),
  readyTimeout: opt({
    flag: '--ready-timeout <s>',
    description: 'seconds to wait for a launched engine to become ready',
    schema: positiveNumber,
    default: 900,
    group: 'Engine launch',
  }),
  gpus: opt({
    flag: '--gpus <list>',
    description: 'GPU indices the engine uses (for power); default CUDA_VISIBLE_DEVICES or all',
    schema: listOf(z.coerce.number().int().min(0)).optional(),
    group: 'Engine launch',
  }),
  // Load
  concurrency: opt({
    flag: '--concurrency <list>',
    description: 'concurrency levels of the sweep, each measured separately',
    schema: listOf(z.coerce.number().int().positive()),
    default: [1, 4, 16, 64],
    group: 'Load',
  }),
  rate: opt({
    flag: '--rate <list|auto|inf>',
    description:
      'Poisson rate per level (req/s); auto = the rate whose mean in-flight is C (no cap); inf = closed loop',
    schema: rateSchema,
    default: 'auto',
    group: 'Load',
  }),
  maxInflight: opt({
    flag: '--max-inflight <n>',
    description: 'client cap on requests in flight; default none for --rate auto, C for a number or inf',
    schema: positiveInt.optional(),
    group: 'Load',
  }),
  maxErrorRate: opt({
    flag: '--max-error-rate <x>',
    description: 'a level whose error rate exceeds this is invalid and cannot hold the SLO',
    schema: z.coerce.number().min(0).max(1),
    default: 0.05,
    group: 'Load',
  }),
  durationS: opt({
    flag: '--duration <s>',
    description: 'measurement window per level, seconds',
    schema: positiveNumber,
    default: 300,
    group: 'Load',
  }),
  warmupRuns: opt({
    flag: '--warmup-runs <n>',
    description: 'warm-up runs of max(2C,16) requests discarded before the gate',
    schema: z.coerce.number().int().min(0),
    default: 3,
    group: 'Load',
  }),
  gateWindow: opt({
    flag: '--gate-window <n>',
    description: 'convergence gate: completed requests in the window',
    schema: z.coerce.number().int().min(2),
    default: 30,
    group: 'Load',
  }),
  gateCov: opt({
    flag: '--gate-cov <x>',
    description: 'convergence gate: coefficient of variation threshold',
    schema: positiveNumber,
    default: 0.05,
    group: 'Load',
  }),
  gateMetric: opt({
    flag: '--gate-metric <m>',
    description: 'convergence gate metric: tpot, ttft or e2e',
    schema: z.enum(['tpot', 'ttft', 'e2e']),
    default: 'tpot',
    group: 'Load',
  }),
  gateTimeoutS: opt({
    flag: '--gate-timeout <s>',
    description: 'measure anyway (flagged converged: false) after this many seconds',
    schema: nonNegativeNumber,
    default: 120,
    group: 'Load',
  }),
  // Load shards (docs/scale.md): N processes split one level's seeded schedule by arrival index.
  shards: opt({
    flag: '--shards <n>',
    description:
      'split each level over N processes (shard i takes arrivals i mod N); needs --shard-group, --rate, --endpoint',
    schema: positiveInt,
    default: 1,
    group: 'Shards',
  }),
  shardIndex: opt({
    flag: '--shard-index <i>',
    description:
      "this process's shard, 0..N-1 (default $JOB_COMPLETION_INDEX, as in a Kubernetes Indexed Job)",
    schema: z.coerce.number().int().min(0).optional(),
    group: 'Shards',
  }),
  shardGroup: opt({
    flag: '--shard-group <id>',
    description: 'name shared by the shards of one run (they meet in the store under it)',
    schema: z
      .string()
      .regex(/^[-._a-zA-Z0-9]{1,100}$/)
      .optional(),
    group: 'Shards',
  }),
  drainTimeoutS: opt({
    flag: '--drain-timeout <s>',
    description: 'how long measured requests may run past the window',
    schema: nonNegativeNumber,
    default: 60,
    group: 'Load',
  }),
  requestTimeoutS: opt({
    flag: '--request-timeout <s>',
    description: 'cancel a request after this many seconds (status timeout)',
    schema: positiveNumber,
    default: 600,
    group: 'Load',
  }),
  workers: opt({
    flag: '--workers <n>',
    description:
      'client worker threads sharing the one seeded schedule (each arrival goes to the thread with the fewest in flight), 1-64',
    schema: positiveInt.max(64),
    default: 1,
    group: 'Load',
  }),
  search: opt({
    flag: '--search <what>',
    description: 'goodput: find the highest Poisson rate whose level holds the SLO',
    schema: z.enum(['goodput']).optional(),
    group: 'Load',
  }),
  // Dataset
  dataset: opt({
    flag: '--dataset <id>',
    description: 'sharegpt-v3, synthetic, or file:PATH (ShareGPT JSON or JSONL)',
    schema: z.string().min(1),
    default: 'sharegpt-v3',
    group: 'Dataset',
  }),
  inputLen: opt({
    flag: '--input-len <n>',
    description: 'synthetic: prompt tokens (mean)',
    schema: positiveInt,
    default: 512,
    group: 'Dataset',
  }),
  outputLen: opt({
    flag: '--output-len <n>',
    description: 'synthetic: output tokens requested (mean)',
    schema: positiveInt,
    default: 256,
    group: 'Dataset',
  }),
  lengthDist: opt({
    flag: '--length-dist <d>',
    description: 'synthetic length distribution: fixed, uniform or normal',
    schema: z.enum(['fixed', 'uniform', 'normal']),
    default: 'fixed',
    group: 'Dataset',
  }),
  inputLenSpread: opt({
    flag: '--input-len-spread <n>',
    description: 'synthetic: half-range (uniform) or stdev (normal) of the prompt length',
    schema: nonNegativeNumber,
    default: 0,
    group: 'Dataset',
  }),
  outputLenSpread: opt({
    flag: '--output-len-spread <n>',
    description: 'synthetic: half-range (uniform) or stdev (normal) of the output length',
    schema: nonNegativeNumber,
    default: 0,
    group: 'Dataset',
  }),
  tokenizer: opt({
    flag: '--tokenizer <id>',
    description: "tokenizer (HF id) to count tokens; `words` = labelled approximation; default the model's",
    schema: z.string().optional(),
    group: 'Dataset',
  }),
  datasetRevision: opt({
    flag: '--dataset-revision <sha>',
    description: 'hub revision (commit) of the dataset',
    schema: z.string().optional(),
    group: 'Dataset',
  }),
  // SLO
  sloTemplate: opt({
    flag: '--slo-template <id>',
    description: 'SLO template (see `bench slo-templates`)',
    schema: z.string().min(1),
    default: 'llm.standard',
    group: 'SLO',
  }),
  slo: opt({
    flag: '--slo <k=v,...>',
    description: 'custom SLO, e.g. ttft_p99_ms=500,tpot_p99_ms=40 (overrides the template)',
    schema: sloSchema.optional(),
    group: 'SLO',
  }),
  // Power and cost
  powerSource: opt({
    flag: '--power-source <src>',
    description: 'auto, nvml, nvidia-smi, dcgm:URL, rapl, none',
    schema: z.string().min(1),
    default: 'auto',
    group: 'Power and cost',
  }),
  raplRoot: opt({
    flag: '--rapl-root <dir>',
    description: 'powercap directory for rapl (default /sys/class/powercap)',
    schema: z.string().optional(),
    group: 'Power and cost',
  }),
  provider: opt({
    flag: '--provider <name>',
    description: 'hosted provider for the pricing snapshot (default inferred from the endpoint host)',
    schema: z.string().optional(),
    group: 'Power and cost',
  }),
  gpuHourUsd: opt({
    flag: '--gpu-hour-usd <x>',
    description: 'price per GPU-hour for self-hosted cost (default the shipped table)',
    schema: positiveNumber.optional(),
    group: 'Power and cost',
  }),
  // Comparisons (SPEC §10): launch sets, see compare/launch-plan.ts
  launches: opt({
    flag: '--launches <n>',
    description:
      'independent engine launches per engine or config, interleaved, each with its own seed (default 1; 3 when several engines or configs are given)',
    schema: positiveInt.optional(),
    group: 'Comparison',
  }),
  vary: opt({
    flag: '--vary <key=values>',
    description:
      'compare configs of one engine, e.g. quant=fp8,bf16 (in YAML also a list of option maps, one per config)',
    schema: z.union([z.string().min(1), z.array(z.record(z.string(), z.unknown())).min(1)]).optional(),
    group: 'Comparison',
  }),
  // A launch set on Kubernetes (docs/scale.md): one pod per launch, all under the Job's group id.
  launchGroup: opt({
    flag: '--launch-group <id>',
    description:
      'run one launch of the set under this group id (the pods of `--kubernetes` set it to the Job name)',
    schema: z
      .string()
      .regex(/^[-._a-zA-Z0-9]{1,100}$/)
      .optional(),
    group: 'Comparison',
  }),
  launchIndex: opt({
    flag: '--launch-index <i>',
    description: 'with --launch-group: which launch, 0-based in launch order (default $JOB_COMPLETION_INDEX)',
    schema: z.coerce.number().int().min(0).optional(),
    group: 'Comparison',
  }),
} as const;

export const llmOptions: OptionDecl[] = Object.entries(LLM_OPTIONS).map(([key, spec]) => ({
  key,
  ...(spec as LlmOptionSpec<z.ZodType>),
}));
type Resolved = { [K in keyof typeof LLM_OPTIONS]: z.output<(typeof LLM_OPTIONS)[K]['schema']> };
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/**
 * The resolved plan of an llm.inference run, derived from the declarations: an option with a default or a
 * required schema is always there; one whose schema is optional may be absent. The core adds `seed`;
 * validate adds `modelGiven` when `--model` resolved to another served id (models/catalogue.ts).
 */
export type LlmPlan = { seed: number; modelGiven?: string } & {
  [K in Exclude<keyof Resolved, OptionalKeys<Resolved>>]: Resolved[K];
} & { [K in OptionalKeys<Resolved>]?: Exclude<Resolved[K], undefined> };
