import type { ModelFacts } from './catalogue.js';

/** The GPUs a launch may use: how many, and the memory of each. */
export interface GpuPool {
  count: number;
  memoryBytes: number;
  /** `H100-SXM5-80GB`, for messages. */
  label: string;
}

export interface FitInput {
  model: string;
  facts: ModelFacts;
  /** Effective weight quant (`fp8`, `bf16`, `int4`...); undefined = the checkpoint's bf16. */
  quant: string | undefined;
  /** KV-cache element type: `fp8` halves it (vLLM `--kv-cache-dtype fp8`). */
  kvCacheDtype: 'fp8' | 'auto';
  gpus: GpuPool;
  /** `--tp` when the user gave it: honoured, and only warned about when it cannot fit. */
  explicitTp?: number;
  /** Tensor parallel size of a chosen recipe (checked, not re-chosen). */
  recipeTp?: number;
}

export interface FitResult {
  /** True when the weights and at least `minContext` tokens of KV cache fit at `tp`. */
  fits: boolean;
  tp: number;
  /** Largest context the KV cache holds at `tp` (capped at the model's own), or null when it does not fit. */
  maxModelLen: number | null;
  weightsBytes: number;
  usablePerGpuBytes: number;
  kvBytesPerTokenPerGpu: number;
  /** The arithmetic, one line each, for `bench engines --model` and the run log. */
  lines: string[];
  /** Set when the launch must not happen (exit 2): what is needed and what was found. */
  refusal: string | null;
  /** Set when an explicit --tp cannot fit: the launch goes ahead, warned. */
  warning: string | null;
}

/** Share of GPU memory the engine takes (vLLM's --gpu-memory-utilization default) ... */
export const GPU_MEMORY_UTILIZATION = 0.9;
/** ... less what activations, CUDA graphs and communication buffers need per GPU (an estimate). */
export const RESERVE_BYTES_PER_GPU = 2 * 1024 ** 3;
/** A launch whose KV cache cannot hold one sequence this long (or the model's maximum) does not fit. */
export const MIN_CONTEXT_TOKENS = 8192;

/** Bytes per weight for a quant name. */
export function bytesPerParam(quant: string | undefined): number {
  const q = quant?.toLowerCase();
  if (q === 'fp8' || q === 'int8' || q === 'w8a8') return 1;
  if (q === 'int4' || q === 'awq' || q === 'gptq' || q === 'fp4' || q === 'nvfp4' || q === 'mxfp4')
    return 0.5;
  if (q === 'fp32') return 4;
  return 2;
}

const GB = 1e9;
export const fmtGb = (bytes: number): string => `${Math.round(bytes / GB)} GB`;

/**
 * KV-cache bytes one token takes on each GPU at tensor parallel size `tp`: K and V for every layer's KV
 * heads (split over the GPUs, replicated when there are fewer heads than GPUs); DeepSeek's latent
 * attention keeps one compressed latent per layer, replicated on every GPU.
 */
export function kvBytesPerTokenPerGpu(facts: ModelFacts, tp: number, kvCacheDtype: 'fp8' | 'auto'): number {
  const b = kvCacheDtype === 'fp8' ? 1 : 2;
  if (facts.mla) return facts.layers * (facts.mla.kvLoraRank + facts.mla.ropeHeadDim) * b;
  const headsPerGpu = Math.max(1, Math.ceil(facts.kvHeads / tp));
  return 2 * facts.layers * headsPerGpu * facts.headDim * b;
}

/** Tensor parallel sizes an engine accepts for the model on `count` GPUs: powers of two dividing the heads. */
export function tpCandidates(facts: ModelFacts, count: number): number[] {
  const out: number[] = [];
  for (let tp = 1; tp <= Math.max(1, count); tp *= 2) if (facts.heads % tp === 0) out.push(tp);
  return out;
}

interface AtTp {
  perGpuWeights: number;
  kvRoom: number;
  kvTokens: number;
  fits: boolean;
}

function atTp(i: FitInput, weights: number, usable: number, minContext: number, tp: number): AtTp {
  const perGpuWeights = weights / tp;
  const kvRoom = usable - perGpuWeights;
  const kvTokens = kvRoom > 0 ? Math.floor(kvRoom / kvBytesPerTokenPerGpu(i.facts, tp, i.kvCacheDtype)) : 0;
  return { perGpuWeights, kvRoom, kvTokens, fits: kvTokens >= minContext };
}

/**
 * Will the model fit, at which tensor parallel size, and with which maximum context (pure)? Weights are
 * parameters x bytes per parameter, split evenly over `tp` GPUs; each GPU offers 90% of its memory less a
 * 2 GiB reserve; what is left holds the KV cache. The smallest `tp` that holds the weights plus
 * `MIN_CONTEXT_TOKENS` of cache is chosen, unless the user or a recipe fixed it.
 */
export function planFit(i: FitInput): FitResult {
  const weights = i.facts.paramsTotal * bytesPerParam(i.quant);
  const usable = i.gpus.memoryBytes * GPU_MEMORY_UTILIZATION - RESERVE_BYTES_PER_GPU;
  const minContext = Math.min(MIN_CONTEXT_TOKENS, i.facts.maxContext);
  const qLabel = i.quant ?? 'bf16';
  const params =
    i.facts.moe && i.facts.paramsActive < i.facts.paramsTotal
      ? `${(i.facts.paramsTotal / 1e9).toFixed(0)}B parameters (${(i.facts.paramsActive / 1e9).toFixed(0)}B active, ${i.facts.experts ?? '?'} experts)`
      : `${(i.facts.paramsTotal / 1e9).toFixed(1)}B parameters`;
  const lines = [
    `weights: ${params} x ${bytesPerParam(i.quant)} byte at ${qLabel} = ~${fmtGb(weights)}`,
    `per GPU: ${i.gpus.label}: ${Math.round(i.gpus.memoryBytes / 2 ** 20).toLocaleString('en-US')} MiB x ${GPU_MEMORY_UTILIZATION} - 2 GiB reserve = ~${fmtGb(usable)} usable`,
  ];
  const fixed = i.explicitTp ?? i.recipeTp;
  const candidates = fixed ? [fixed] : tpCandidates(i.facts, i.gpus.count);
  let chosen: { tp: number; r: AtTp } | null = null;
  for (const tp of candidates) {
    const r = atTp(i, weights, usable, minContext, tp);
    if (r.fits || fixed) {
      chosen = { tp, r };
      break;
    }
  }
  const neededGpus = (): number => {
    for (let tp = 1; tp <= 1024; tp *= 2) if (atTp(i, weights, usable, minContext, tp).fits) return tp;
    return 1024;
  };
  const base = {
    weightsBytes: weights,
    usablePerGpuBytes: usable,
  };
  if (!chosen) {
    const need = neededGpus();
    const r1 = atTp(i, weights, usable, minContext, Math.min(i.gpus.count, candidates.at(-1) ?? 1));
    lines.push(
      `at tp ${candidates.at(-1) ?? 1}: ~${fmtGb(r1.perGpuWeights)} of weights per GPU leaves ${r1.kvRoom > 0 ? `~${fmtGb(r1.kvRoom)}` : 'nothing'} for the KV cache`,
    );
    return {
      ...base,
      fits: false,
      tp: candidates.at(-1) ?? 1,
      maxModelLen: null,
      kvBytesPerTokenPerGpu: kvBytesPerTokenPerGpu(i.facts, candidates.at(-1) ?? 1, i.kvCacheDtype),
      lines,
      refusal: `${i.model} needs ~${fmtGb(weights)} at ${qLabel}, ${i.gpus.count}x ${i.gpus.label} detected (~${fmtGb(usable * i.gpus.count)} usable); use ${need} GPUs or a smaller model`,
      warning: null,
    };
  }
  const { tp, r } = chosen;
  const kvPerToken = kvBytesPerTokenPerGpu(i.facts, tp, i.kvCacheDtype);
  lines.push(
    `at tp ${tp}: ~${fmtGb(r.perGpuWeights)} of weights per GPU leaves ~${fmtGb(Math.max(0, r.kvRoom))} per GPU for the KV cache`,
    `KV cache: ${kvPerToken.toLocaleString('en-US')} bytes per token per GPU (${i.kvCacheDtype === 'fp8' ? 'fp8' : '16-bit'}${i.facts.mla ? ', latent attention' : ''}) -> ~${r.kvTokens.toLocaleString('en-US')} tokens`,
  );
  const maxModelLen = r.fits ? Math.min(i.facts.maxContext, Math.floor(r.kvTokens / 1024) * 1024) : null;
  let warning: string | null = null;
  if (!r.fits) {
    const who = i.explicitTp ? `--tp ${tp}` : `the recipe's tp ${tp}`;
    warning = `${who}: ${i.model} needs ~${fmtGb(weights)} at ${qLabel}, ~${fmtGb(r.perGpuWeights)} per GPU against ~${fmtGb(usable)} usable on ${i.gpus.label}: it will not load; ${neededGpus()} GPUs would fit`;
  } else if (tp > i.gpus.count) {
    warning = `--tp ${tp} but ${i.gpus.count}x ${i.gpus.label} detected: the engine will fail to start`;
  }
  if (maxModelLen !== null)
    lines.push(
      maxModelLen < i.facts.maxContext
        ? `max model length ${maxModelLen.toLocaleString('en-US')} (the model allows ${i.facts.maxContext.toLocaleString('en-US')})`
        : `max model length: the model's own ${i.facts.maxContext.toLocaleString('en-US')} fits`,
    );
  return {
    ...base,
    fits: r.fits && tp <= i.gpus.count,
    tp,
    maxModelLen,
    kvBytesPerTokenPerGpu: kvPerToken,
    lines,
    refusal: null,
    warning,
  };
}
