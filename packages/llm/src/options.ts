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

export const llmOptions: OptionDecl[] = [
  // What to benchmark
  {
    key: 'model',
    flag: '--model <id>',
    description: 'model id as the engine serves it (HF id)',
    schema: z.string().min(1),
    group: 'Target',
  },
  {
    key: 'engine',
    flag: '--engine <name>',
    description: `engine: ${ENGINE_NAMES.join(', ')}`,
    schema: z.string().min(1),
    group: 'Target',
  },
  {
    key: 'endpoint',
    flag: '--endpoint <url>',
    description: 'attach to a running server (base URL ending in /v1) instead of launching one',
    schema: z.string().url().optional(),
    group: 'Target',
  },
  {
    key: 'apiKeyEnv',
    flag: '--api-key-env <name>',
    description:
      'environment variable holding the bearer token (never stored or printed); default OPENAI_API_KEY for openai',
    schema: z.string().optional(),
    group: 'Target',
  },
  {
    key: 'hardware',
    flag: '--hardware <name>',
    description: 'h100, h200, ...; checked against the detected hardware',
    schema: z.string().optional(),
    group: 'Target',
  },
  {
    key: 'quant',
    flag: '--quant <name>',
    description: "fp8, bf16, fp16, int4, ... mapped to each engine's flags",
    schema: z.string().optional(),
    group: 'Target',
  },
  {
    key: 'tp',
    flag: '--tp <n>',
    description: 'tensor parallel size',
    schema: positiveInt,
    default: 1,
    group: 'Target',
  },
  {
    key: 'api',
    flag: '--api <kind>',
    description: 'completions or chat',
    schema: z.enum(['completions', 'chat']),
    default: 'completions',
    group: 'Target',
  },
  // Engine launch
  {
    key: 'engineBin',
    flag: '--engine-bin <path>',
    description: "executable to launch instead of the engine's default",
    schema: z.string().optional(),
    group: 'Engine launch',
  },
  {
    key: 'engineArg',
    flag: '--engine-arg <arg...>',
    description: 'extra argument(s) appended to the engine command line (repeatable)',
    schema: stringList.optional(),
    group: 'Engine launch',
  },
  {
    key: 'readyTimeout',
    flag: '--ready-timeout <s>',
    description: 'seconds to wait for a launched engine to become ready',
    schema: positiveNumber,
    default: 900,
    group: 'Engine launch',
  },
  {
    key: 'gpus',
    flag: '--gpus <list>',
    description: 'GPU indices the engine uses (for power); default CUDA_VISIBLE_DEVICES or all',
    schema: listOf(z.coerce.number().int().min(0)).optional(),
    group: 'Engine launch',
  },
  // Load
  {
    key: 'concurrency',
    flag: '--concurrency <list>',
    description: 'concurrency levels of the sweep, each measured separately',
    schema: listOf(z.coerce.number().int().positive()),
    default: [1, 4, 16, 64],
    group: 'Load',
  },
  {
    key: 'rate',
    flag: '--rate <list|auto|inf>',
    description: "Poisson rate per level (req/s); auto = Little's law from warm-up; inf = closed loop",
    schema: rateSchema,
    default: 'auto',
    group: 'Load',
  },
  {
    key: 'duration',
    flag: '--duration <s>',
    description: 'measurement window per level, seconds',
    schema: positiveNumber,
    default: 300,
    group: 'Load',
  },
  {
    key: 'warmupRuns',
    flag: '--warmup-runs <n>',
    description: 'warm-up runs of max(2C,16) requests discarded before the gate',
    schema: z.coerce.number().int().min(0),
    default: 3,
    group: 'Load',
  },
  {
    key: 'gateWindow',
    flag: '--gate-window <n>',
    description: 'convergence gate: completed requests in the window',
    schema: z.coerce.number().int().min(2),
    default: 30,
    group: 'Load',
  },
  {
    key: 'gateCov',
    flag: '--gate-cov <x>',
    description: 'convergence gate: coefficient of variation threshold',
    schema: positiveNumber,
    default: 0.05,
    group: 'Load',
  },
  {
    key: 'gateMetric',
    flag: '--gate-metric <m>',
    description: 'convergence gate metric: tpot, ttft or e2e',
    schema: z.enum(['tpot', 'ttft', 'e2e']),
    default: 'tpot',
    group: 'Load',
  },
  {
    key: 'gateTimeout',
    flag: '--gate-timeout <s>',
    description: 'measure anyway (flagged converged: false) after this many seconds',
    schema: nonNegativeNumber,
    default: 120,
    group: 'Load',
  },
  {
    key: 'drainTimeout',
    flag: '--drain-timeout <s>',
    description: 'how long measured requests may run past the window',
    schema: nonNegativeNumber,
    default: 60,
    group: 'Load',
  },
  {
    key: 'requestTimeout',
    flag: '--request-timeout <s>',
    description: 'cancel a request after this many seconds (status timeout)',
    schema: positiveNumber,
    default: 600,
    group: 'Load',
  },
  {
    key: 'workers',
    flag: '--workers <n>',
    description: 'client worker threads sharing the one seeded schedule (arrival k goes to thread k mod n), 1-64',
    schema: positiveInt.max(64),
    default: 1,
    group: 'Load',
  },
  {
    key: 'search',
    flag: '--search <what>',
    description: 'goodput: find the highest Poisson rate whose level holds the SLO',
    schema: z.enum(['goodput']).optional(),
    group: 'Load',
  },
  // Dataset
  {
    key: 'dataset',
    flag: '--dataset <id>',
    description: 'sharegpt-v3, synthetic, or file:PATH (ShareGPT JSON or JSONL)',
    schema: z.string().min(1),
    default: 'sharegpt-v3',
    group: 'Dataset',
  },
  {
    key: 'inputLen',
    flag: '--input-len <n>',
    description: 'synthetic: prompt tokens (mean)',
    schema: positiveInt,
    default: 512,
    group: 'Dataset',
  },
  {
    key: 'outputLen',
    flag: '--output-len <n>',
    description: 'synthetic: output tokens requested (mean)',
    schema: positiveInt,
    default: 256,
    group: 'Dataset',
  },
  {
    key: 'lengthDist',
    flag: '--length-dist <d>',
    description: 'synthetic length distribution: fixed, uniform or normal',
    schema: z.enum(['fixed', 'uniform', 'normal']),
    default: 'fixed',
    group: 'Dataset',
  },
  {
    key: 'inputLenSpread',
    flag: '--input-len-spread <n>',
    description: 'synthetic: half-range (uniform) or stdev (normal) of the prompt length',
    schema: nonNegativeNumber,
    default: 0,
    group: 'Dataset',
  },
  {
    key: 'outputLenSpread',
    flag: '--output-len-spread <n>',
    description: 'synthetic: half-range (uniform) or stdev (normal) of the output length',
    schema: nonNegativeNumber,
    default: 0,
    group: 'Dataset',
  },
  {
    key: 'tokenizer',
    flag: '--tokenizer <id>',
    description: "tokenizer (HF id) to count tokens; `words` = labelled approximation; default the model's",
    schema: z.string().optional(),
    group: 'Dataset',
  },
  {
    key: 'datasetRevision',
    flag: '--dataset-revision <sha>',
    description: 'hub revision (commit) of the dataset',
    schema: z.string().optional(),
    group: 'Dataset',
  },
  // SLO
  {
    key: 'sloTemplate',
    flag: '--slo-template <id>',
    description: 'SLO template (see `bench slo-templates`)',
    schema: z.string().min(1),
    default: 'llm.standard',
    group: 'SLO',
  },
  {
    key: 'slo',
    flag: '--slo <k=v,...>',
    description: 'custom SLO, e.g. ttft_p99_ms=500,tpot_p99_ms=40 (overrides the template)',
    schema: sloSchema.optional(),
    group: 'SLO',
  },
  // Power and cost
  {
    key: 'powerSource',
    flag: '--power-source <src>',
    description: 'auto, nvml, nvidia-smi, dcgm:URL, rapl, none',
    schema: z.string().min(1),
    default: 'auto',
    group: 'Power and cost',
  },
  {
    key: 'raplRoot',
    flag: '--rapl-root <dir>',
    description: 'powercap directory for rapl (default /sys/class/powercap)',
    schema: z.string().optional(),
    group: 'Power and cost',
  },
  {
    key: 'provider',
    flag: '--provider <name>',
    description: 'hosted provider for the pricing snapshot (default inferred from the endpoint host)',
    schema: z.string().optional(),
    group: 'Power and cost',
  },
  {
    key: 'gpuHourUsd',
    flag: '--gpu-hour-usd <x>',
    description: 'price per GPU-hour for self-hosted cost (default the shipped table)',
    schema: positiveNumber.optional(),
    group: 'Power and cost',
  },
];

/** The resolved plan of an llm.inference run (core adds `seed`). */
export interface LlmPlan {
  seed: number;
  model: string;
  engine: string;
  endpoint?: string;
  apiKeyEnv?: string;
  hardware?: string;
  quant?: string;
  tp: number;
  api: 'completions' | 'chat';
  engineBin?: string;
  engineArg?: string[];
  readyTimeout: number;
  gpus?: number[];
  concurrency: number[];
  rate: 'auto' | 'inf' | number[];
  duration: number;
  warmupRuns: number;
  gateWindow: number;
  gateCov: number;
  gateMetric: 'tpot' | 'ttft' | 'e2e';
  gateTimeout: number;
  drainTimeout: number;
  requestTimeout: number;
  workers: number;
  search?: 'goodput';
  dataset: string;
  inputLen: number;
  outputLen: number;
  lengthDist: 'fixed' | 'uniform' | 'normal';
  inputLenSpread: number;
  outputLenSpread: number;
  tokenizer?: string;
  datasetRevision?: string;
  sloTemplate: string;
  slo?: Record<string, number>;
  powerSource: string;
  raplRoot?: string;
  provider?: string;
  gpuHourUsd?: number;
}
