import { gpuHourTable } from './pricing-data.js';

export interface SelfHostedCostInput {
  /** GPU type as detected or given: `h100`, `H100-SXM5-80GB`, `NVIDIA H200`... */
  gpu: string;
  /** GPUs serving the model. */
  gpus: number;
  /** `--gpu-hour-usd`: overrides the shipped table. */
  gpuHourUsd?: number;
  /** Output tokens per second over the measurement window. */
  throughputTokS: number;
  /** Output tokens per second of requests that met the SLO. */
  goodputTokS?: number;
}

export interface SelfHostedCost {
  /** USD per million output tokens = USD/GPU-hour x GPUs / (throughput_tok_s x 3600) x 1e6. */
  cost_usd_per_mtok: number | null;
  /** The same with goodput in place of throughput. */
  cost_usd_per_mtok_slo: number | null;
  gpu_hour_usd: number | null;
  gpus: number;
  /** Date of the GPU-hour table, or null when the user gave the price. */
  snapshot_date: string | null;
  /** URL of the price list, or `user` for --gpu-hour-usd. */
  source: string | null;
  reason: string | null;
}

/** USD per million output tokens for a given GPU-hour price, GPU count and throughput; pure. */
export function usdPerMillionOutputTokens(gpuHourUsd: number, gpus: number, tokS: number): number | null {
  if (!(tokS > 0)) return null;
  return ((gpuHourUsd * gpus) / (tokS * 3600)) * 1e6;
}

/** The table's key for a GPU name, matching whole model numbers (`gh200` is not `h200`). */
export function gpuKey(gpu: string, keys: readonly string[]): string | null {
  const s = gpu.toLowerCase();
  return keys.find((k) => new RegExp(`(^|[^a-z0-9])${k}(?![0-9])`).test(s)) ?? null;
}

/** Self-hosted cost from --gpu-hour-usd or the shipped table; an unknown GPU gives null with a reason. */
export function selfHostedCost(input: SelfHostedCostInput): SelfHostedCost {
  const table = gpuHourTable();
  let price: number | null = null;
  let snapshot: string | null = null;
  let source: string | null = null;
  if (input.gpuHourUsd !== undefined) {
    price = input.gpuHourUsd;
    source = 'user';
  } else {
    const key = gpuKey(
      input.gpu,
      table.gpus.map((g) => g.gpu),
    );
    const row = key ? table.gpus.find((g) => g.gpu === key)! : null;
    if (!row) {
      return {
        cost_usd_per_mtok: null,
        cost_usd_per_mtok_slo: null,
        gpu_hour_usd: null,
        gpus: input.gpus,
        snapshot_date: table.snapshot_date,
        source: null,
        reason: `no GPU-hour price for "${input.gpu}" in the ${table.snapshot_date} table: pass --gpu-hour-usd`,
      };
    }
    price = row.usd_per_gpu_hour;
    snapshot = table.snapshot_date;
    source = table.source;
  }
  const cost = usdPerMillionOutputTokens(price, input.gpus, input.throughputTokS);
  const slo =
    input.goodputTokS === undefined ? null : usdPerMillionOutputTokens(price, input.gpus, input.goodputTokS);
  const reasons: string[] = [];
  if (cost === null) reasons.push('no output throughput');
  if (input.goodputTokS !== undefined && slo === null) reasons.push('no goodput at the SLO');
  return {
    cost_usd_per_mtok: cost,
    cost_usd_per_mtok_slo: slo,
    gpu_hour_usd: price,
    gpus: input.gpus,
    snapshot_date: snapshot,
    source,
    reason: reasons.length > 0 ? reasons.join('; ') : null,
  };
}
