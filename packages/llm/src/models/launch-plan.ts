import type { HardwareInfo } from 'inferencebench';
import { hardwareFamily, selectTunedConfig, type TunedConfig } from '../engines/tuned.js';
import { findCatalogueModel, modelShortName } from './catalogue.js';
import { loadModelFacts, type SourcedFacts } from './facts.js';
import { type FitResult, type GpuPool, planFit } from './fit.js';

/** Engines that load hub checkpoints onto NVIDIA GPUs: the ones the fit arithmetic applies to. */
export const FIT_ENGINES = ['vllm', 'sglang', 'trtllm'] as const;

/** Everything decided about a launch before it happens, with the reasons (for the log and `bench engines`). */
export interface LaunchDecision {
  engine: string;
  /** The checkpoint the engine is started with. */
  served: string;
  /** The Model line's short form. */
  shortName: string;
  /** Weight quant used for the arithmetic and the recipe (the checkpoint's own when --quant is absent). */
  quant: string | undefined;
  /** Quant the adapter turns into flags; undefined when the checkpoint already carries it. */
  adapterQuant: string | undefined;
  tuned: TunedConfig | null;
  tunedKind: 'model' | 'generic' | null;
  tp: number;
  /** `--max-model-len` (or the engine's equivalent) to pass; null leaves the engine's default. */
  maxModelLen: number | null;
  expertParallel: boolean;
  gpus: GpuPool | null;
  facts: SourcedFacts | null;
  fit: FitResult | null;
  reasons: string[];
  warnings: string[];
  /** Set when the launch must not happen (exit 2). */
  refusal: string | null;
}

export interface LaunchQuery {
  engine: string;
  /** The served id (after resolution). */
  model: string;
  quant: string | undefined;
  /** `--hardware` as given. */
  hardware: string | undefined;
  /** `--tp` when the user gave it. */
  explicitTp: number | undefined;
  /** `--engine-arg`s: a `--kv-cache-dtype fp8` there changes the arithmetic. */
  engineArgs?: readonly string[];
  detected: HardwareInfo;
  /** The GPUs are a plan (`bench engines --gpus`), not this machine's. */
  planned?: boolean;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** What the store (and `bench engines --model --format json`) keeps of a decision: recipe, tp, context, why. */
export function launchSummary(d: LaunchDecision): Record<string, unknown> {
  return {
    served_model: d.served,
    short_name: d.shortName,
    quant: d.quant ?? null,
    tp: d.tp,
    max_model_len: d.maxModelLen,
    expert_parallel: d.expertParallel,
    tuned: d.tuned ? { file: d.tuned.file, kind: d.tunedKind, source: d.tuned.source } : null,
    gpus: d.gpus,
    fits: d.fit ? d.fit.fits : null,
    refusal: d.refusal,
    reasons: d.reasons,
    warnings: d.warnings,
  };
}

/** A recipe's flags less `--quantization`, for checkpoints that carry their own scheme. */
function withoutQuantFlag(t: TunedConfig): TunedConfig {
  const args: string[] = [];
  for (let i = 0; i < t.args.length; i++) {
    if (t.args[i] === '--quantization') {
      i++;
      continue;
    }
    args.push(t.args[i] as string);
  }
  return { ...t, args };
}

/** The GPUs of the most common model detected, as one pool. */
export function gpuPool(hw: HardwareInfo): GpuPool | null {
  if (hw.gpus.length === 0) return null;
  const first = hw.gpus[0]!;
  const label = first.model ?? first.name;
  const same = hw.gpus.filter((g) => (g.model ?? g.name) === label);
  const mem = Math.min(...same.map((g) => g.memoryMiB ?? 0));
  if (!mem) return null;
  return { count: same.length, memoryBytes: mem * 1024 * 1024, label };
}

/** `8x H100-SXM5-80GB`, or `H100-SXM5-80GB` for one GPU. */
export function servingLabel(count: number, label: string): string {
  return count > 1 ? `${count}x ${label}` : label;
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === flag) v = args[i + 1];
    else if (a.startsWith(`${flag}=`)) v = a.slice(flag.length + 1);
  }
  return v;
}

/**
 * Decide what a launch runs: the recipe for (engine, hardware, quant, model) when one applies, else the
 * tensor parallel size and context that the fit arithmetic gives for the detected GPUs; `--tp` and
 * `--engine-arg` always win. Refuses (before anything starts) when the model cannot fit.
 */
export async function decideLaunch(q: LaunchQuery): Promise<LaunchDecision> {
  const entry = findCatalogueModel(q.model);
  const variantQuant = entry
    ? Object.entries(entry.variants).find(([, id]) => id.toLowerCase() === q.model.toLowerCase())?.[0]
    : undefined;
  const checkpointQuant =
    entry && q.model.toLowerCase() === entry.default.toLowerCase() ? entry.nativeQuant : variantQuant;
  const quant = q.quant?.toLowerCase() ?? checkpointQuant ?? (entry ? 'bf16' : undefined);
  // A checkpoint published in the asked quant carries its scheme: --quantization would contradict it.
  const carried = checkpointQuant !== undefined && checkpointQuant !== 'bf16' && checkpointQuant === quant;
  const adapterQuant = carried ? undefined : q.quant;
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (carried)
    reasons.push(
      `${q.model} is published in ${quant}: the scheme comes from the checkpoint, no --quantization flag`,
    );
  const gpus = gpuPool(q.detected);
  const hardware = q.hardware ?? gpus?.label ?? null;
  reasons.push(
    gpus
      ? `GPUs: ${servingLabel(gpus.count, gpus.label)} ${q.planned ? 'planned (--hardware, --gpus)' : 'detected'}`
      : `GPUs: none detected (${q.detected.note ?? 'nvidia-smi listed none'})${q.hardware ? `; recipes for --hardware ${q.hardware}` : ''}`,
  );
  const selected = selectTunedConfig({
    engine: q.engine,
    hardware,
    quant,
    model: q.model,
    gpuCount: gpus?.count ?? null,
    explicitTp: q.explicitTp,
  });
  const tuned = selected ? (carried ? withoutQuantFlag(selected.config) : selected.config) : null;
  for (const s of selected?.skipped ?? []) reasons.push(`recipe not applicable: ${s}`);
  if (selected?.kind === 'model') reasons.push(`recipe: ${tuned!.file} (${tuned!.source})`);
  else if (selected?.kind === 'generic')
    reasons.push(
      `no recipe for ${q.model} on ${hardwareFamily(hardware)}/${quant}: generic ${tuned!.engine}/${tuned!.hardware}/${tuned!.quant} config (${tuned!.file})`,
    );
  else
    reasons.push(`no tuned config for ${q.engine}/${hardwareFamily(hardware) ?? '?'}/${quant ?? 'default'}`);

  const base = {
    engine: q.engine,
    served: q.model,
    shortName: modelShortName(q.model),
    quant,
    adapterQuant,
    tuned,
    tunedKind: selected?.kind ?? null,
    gpus,
  };
  if (!(FIT_ENGINES as readonly string[]).includes(q.engine)) {
    return {
      ...base,
      tp: q.explicitTp ?? 1,
      maxModelLen: null,
      expertParallel: false,
      facts: null,
      fit: null,
      reasons,
      warnings,
      refusal: null,
    };
  }
  const recipeTp = selected?.kind === 'model' ? (tuned!.tp ?? 1) : undefined;
  const { facts, why } = await loadModelFacts(q.model, {
    ...(q.env ? { env: q.env } : {}),
    ...(q.signal ? { signal: q.signal } : {}),
  });
  if (facts)
    reasons.push(
      `model facts: ${facts.source === 'catalogue' ? 'shipped catalogue' : facts.source}${facts.paramsEstimated ? ' (parameter count estimated from the shapes)' : ''}`,
    );
  else reasons.push(`model facts: none (${why}); fit not checked`);
  const kvArgs = [...(tuned?.args ?? []), ...(q.engineArgs ?? [])];
  const kvCacheDtype = flagValue(kvArgs, '--kv-cache-dtype')?.startsWith('fp8') ? 'fp8' : 'auto';
  let fit: FitResult | null = null;
  if (facts && gpus) {
    fit = planFit({
      model: q.model,
      facts: facts.facts,
      quant,
      kvCacheDtype,
      gpus,
      ...(q.explicitTp !== undefined ? { explicitTp: q.explicitTp } : {}),
      ...(recipeTp !== undefined ? { recipeTp } : {}),
    });
    reasons.push(...fit.lines.map((l) => `fit: ${l}`));
    if (fit.warning) warnings.push(fit.warning);
  }
  const tp = q.explicitTp ?? recipeTp ?? fit?.tp ?? 1;
  if (q.explicitTp !== undefined) reasons.push(`tp ${tp}: --tp given`);
  else if (recipeTp !== undefined) reasons.push(`tp ${tp}: from the recipe`);
  else if (fit)
    reasons.push(
      `tp ${tp}: the smallest that holds the weights and a ${Math.min(8192, facts!.facts.maxContext)}-token KV cache`,
    );
  let maxModelLen: number | null = null;
  if (selected?.kind === 'model' && tuned!.maxModelLen) {
    maxModelLen = tuned!.maxModelLen;
    reasons.push(`max model length ${maxModelLen.toLocaleString('en-US')}: from the recipe`);
  } else if (
    selected?.kind !== 'model' &&
    fit?.maxModelLen &&
    facts &&
    fit.maxModelLen < facts.facts.maxContext
  ) {
    maxModelLen = fit.maxModelLen;
  }
  const expertParallel =
    selected?.kind === 'model' ? tuned!.expertParallel === true : Boolean(facts?.facts.moe && tp > 1 && fit);
  if (expertParallel)
    reasons.push(
      `expert parallel: ${selected?.kind === 'model' ? 'from the recipe' : 'MoE over several GPUs'}`,
    );
  const refusal = fit && !fit.fits && q.explicitTp === undefined && fit.refusal ? fit.refusal : null;
  return { ...base, tp, maxModelLen, expertParallel, facts, fit, reasons, warnings, refusal };
}
