import { findHostedPrice, hostedPricing, providerFromHost } from './pricing-data.js';

export interface HostedCostInput {
  /** `--provider`; inferred from `endpointHost` when absent. */
  provider?: string;
  /** Endpoint URL or host, e.g. `https://api.together.xyz/v1`. */
  endpointHost?: string;
  model: string;
  /** Tokens of all measured requests. */
  inputTokens: number;
  outputTokens: number;
  /** Tokens of the requests that met the SLO. */
  goodInputTokens?: number;
  goodOutputTokens?: number;
}

export interface HostedCost {
  /** Blended USD per million tokens for the run's own mix: total USD / (input + output tokens) x 1e6. */
  cost_usd_per_mtok: number | null;
  /** Total USD of all requests / tokens of requests that met the SLO x 1e6. */
  cost_usd_per_mtok_slo: number | null;
  total_usd: number | null;
  input_usd_per_mtok: number | null;
  output_usd_per_mtok: number | null;
  provider: string | null;
  model: string;
  /** Day the pricing snapshot was read; printed beside every cost figure. */
  snapshot_date: string;
  source: string | null;
  /** Why a figure is null (unknown provider or model, no tokens); null when all is known. */
  reason: string | null;
}

/** Cost of a hosted endpoint from the shipped pricing snapshot; unknowns give null figures with a reason. */
export function hostedCost(input: HostedCostInput): HostedCost {
  const pricing = hostedPricing();
  const provider =
    input.provider ?? (input.endpointHost ? providerFromHost(input.endpointHost, pricing) : null);
  const base: HostedCost = {
    cost_usd_per_mtok: null,
    cost_usd_per_mtok_slo: null,
    total_usd: null,
    input_usd_per_mtok: null,
    output_usd_per_mtok: null,
    provider,
    model: input.model,
    snapshot_date: pricing.snapshot_date,
    source: null,
    reason: null,
  };
  if (!provider) {
    const where = input.endpointHost ? ` from host ${input.endpointHost}` : '';
    return {
      ...base,
      reason: `provider unknown${where}: pass --provider (${Object.keys(pricing.providers).join(', ')})`,
    };
  }
  if (!pricing.providers[provider]) {
    return {
      ...base,
      reason: `no pricing for provider "${provider}" in the ${pricing.snapshot_date} snapshot`,
    };
  }
  const price = findHostedPrice(provider, input.model, pricing);
  if (!price) {
    return {
      ...base,
      reason: `no ${provider} price for model "${input.model}" in the ${pricing.snapshot_date} snapshot`,
    };
  }
  const totalUsd =
    (input.inputTokens * price.input_usd_per_mtok + input.outputTokens * price.output_usd_per_mtok) / 1e6;
  const tokens = input.inputTokens + input.outputTokens;
  const goodTokens =
    input.goodInputTokens === undefined && input.goodOutputTokens === undefined
      ? null
      : (input.goodInputTokens ?? 0) + (input.goodOutputTokens ?? 0);
  const reasons: string[] = [];
  if (tokens <= 0) reasons.push('no tokens measured');
  if (goodTokens === 0) reasons.push('no request met the SLO');
  return {
    ...base,
    cost_usd_per_mtok: tokens > 0 ? (totalUsd / tokens) * 1e6 : null,
    cost_usd_per_mtok_slo: goodTokens && goodTokens > 0 ? (totalUsd / goodTokens) * 1e6 : null,
    total_usd: totalUsd,
    input_usd_per_mtok: price.input_usd_per_mtok,
    output_usd_per_mtok: price.output_usd_per_mtok,
    source: price.source,
    reason: reasons.length > 0 ? reasons.join('; ') : null,
  };
}
