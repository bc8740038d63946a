import { type HardwareInfo, hardwareLabel } from 'inferencebench';
import type { MetricValue } from '../metrics/level-metrics.js';
import type { RequestRecord } from '../metrics/request-metrics.js';
import type { LlmPlan } from '../options.js';
import { requestMeetsSlo } from '../slo/goodput.js';
import type { Slo } from '../slo/templates.js';
import { hostedCost } from './hosted-cost.js';
import { providerFromHost } from './pricing-data.js';
import { selfHostedCost } from './self-hosted-cost.js';

/** A cost figure in the level metrics: the value plus where its price came from (printed beside it). */
export interface CostMetric extends MetricValue {
  method: 'hosted' | 'self-hosted' | 'none';
  snapshot_date: string | null;
  source: string | null;
  reason: string | null;
}

export interface LevelCostContext {
  plan: LlmPlan;
  engineName: string;
  hardware: HardwareInfo;
  /** Devices the power meter measures (the simulator's DCGM endpoint names its GPUs). */
  meterDevices: readonly unknown[];
}

/**
 * SPEC §9 for one level: a hosted endpoint is priced from the pricing snapshot for the level's own token
 * mix; anything self-hosted from the GPU-hour price x GPUs / output throughput. Also the same figure
 * counting only tokens of requests that met the SLO.
 */
export function levelCost(
  run: { measured: readonly Pick<RequestRecord, 'status' | 'ttftMs' | 'tpotMs' | 'nIn' | 'nOut'>[] },
  doc: { metrics: { throughput_tok_s?: MetricValue } },
  slo: Slo,
  c: LevelCostContext,
): { cost_usd_per_mtok: CostMetric; cost_usd_per_mtok_slo: CostMetric } {
  const hostedProvider =
    c.plan.provider ??
    (c.plan.endpoint && c.engineName === 'openai' ? providerFromHost(c.plan.endpoint) : null);
  if (hostedProvider) {
    let inputTokens = 0;
    let outputTokens = 0;
    let goodInputTokens = 0;
    let goodOutputTokens = 0;
    for (const r of run.measured) {
      if (r.status !== 'ok') continue;
      inputTokens += r.nIn;
      outputTokens += r.nOut;
      if (requestMeetsSlo(r, slo)) {
        goodInputTokens += r.nIn;
        goodOutputTokens += r.nOut;
      }
    }
    const h = hostedCost({
      provider: hostedProvider,
      model: c.plan.model,
      inputTokens,
      outputTokens,
      goodInputTokens,
      goodOutputTokens,
    });
    const common = {
      unit: 'USD/Mtok',
      method: 'hosted' as const,
      snapshot_date: h.snapshot_date,
      source: h.source,
      reason: h.reason,
    };
    return {
      cost_usd_per_mtok: { value: h.cost_usd_per_mtok, ...common },
      cost_usd_per_mtok_slo: { value: h.cost_usd_per_mtok_slo, ...common },
    };
  }

  // Self-hosted: the GPU type from --hardware, else detection, else the power meter's device names.
  const deviceNames = c.meterDevices
    .map((d) => (d as { name?: string | null }).name)
    .filter((n): n is string => typeof n === 'string' && n.length > 0);
  const gpu =
    c.plan.hardware ??
    (c.hardware.gpus.length > 0 ? hardwareLabel(c.hardware) : null) ??
    deviceNames[0] ??
    null;
  const gpus = c.plan.gpus?.length ?? (deviceNames.length > 0 ? deviceNames.length : (c.plan.tp ?? 1));
  const throughputTokS = doc.metrics.throughput_tok_s?.value ?? 0;
  // The SLO-only figure pays the same GPU-hours for the good requests' share of the output tokens. The
  // share comes from the measured requests (their tokens may arrive after the window), so it is applied
  // to the window's throughput rather than mixing the two token counts.
  let allOut = 0;
  let goodOut = 0;
  for (const r of run.measured) {
    if (r.status !== 'ok') continue;
    allOut += r.nOut;
    if (requestMeetsSlo(r, slo)) goodOut += r.nOut;
  }
  const goodputTokS = allOut > 0 ? throughputTokS * (goodOut / allOut) : 0;
  if (gpu === null && c.plan.gpuHourUsd === undefined) {
    const none: CostMetric = {
      value: null,
      unit: 'USD/Mtok',
      method: 'none',
      snapshot_date: null,
      source: null,
      reason: 'no GPU detected and no --gpu-hour-usd or --provider given',
    };
    return { cost_usd_per_mtok: none, cost_usd_per_mtok_slo: none };
  }
  const s = selfHostedCost({
    gpu: gpu ?? 'user',
    gpus,
    ...(c.plan.gpuHourUsd !== undefined ? { gpuHourUsd: c.plan.gpuHourUsd } : {}),
    throughputTokS,
    goodputTokS,
  });
  const common = {
    unit: 'USD/Mtok',
    method: 'self-hosted' as const,
    snapshot_date: s.snapshot_date,
    source: s.source,
    reason: s.reason,
    gpu_hour_usd: s.gpu_hour_usd,
    gpus: s.gpus,
  };
  return {
    cost_usd_per_mtok: { value: s.cost_usd_per_mtok, ...common },
    cost_usd_per_mtok_slo: { value: s.cost_usd_per_mtok_slo, ...common },
  };
}
