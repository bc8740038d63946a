import { readFileSync } from 'node:fs';

/** One hosted model's published price, USD per million tokens. */
export interface HostedPrice {
  model: string;
  aliases?: string[];
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  source: string;
  source_kind: 'provider' | 'secondary';
  as_of: string | null;
}

export interface HostedPricingFile {
  snapshot_date: string;
  providers: Record<string, { hosts: string[]; note?: string; models: HostedPrice[] }>;
}

export interface GpuHourFile {
  snapshot_date: string;
  cloud: string;
  source: string;
  gpus: { gpu: string; label: string; usd_per_gpu_hour: number }[];
}

// src/cost and dist/cost sit at the same depth, so one relative URL finds the shipped data from both.
const DATA_DIR = new URL('../../data/pricing/', import.meta.url);

let hosted: HostedPricingFile | null = null;
let gpuHours: GpuHourFile | null = null;

/** The shipped hosted-provider pricing snapshot (read once). */
export function hostedPricing(): HostedPricingFile {
  hosted ??= JSON.parse(readFileSync(new URL('hosted.json', DATA_DIR), 'utf8')) as HostedPricingFile;
  return hosted;
}

/** The shipped on-demand GPU-hour table (read once). */
export function gpuHourTable(): GpuHourFile {
  gpuHours ??= JSON.parse(readFileSync(new URL('gpu-hours.json', DATA_DIR), 'utf8')) as GpuHourFile;
  return gpuHours;
}

/** Hostname of a URL or bare host, lowercase, without port. */
function hostOf(endpoint: string): string {
  const s = endpoint.trim().toLowerCase();
  try {
    return new URL(s.includes('://') ? s : `http://${s}`).hostname;
  } catch {
    return s;
  }
}

/** The provider serving an endpoint, from its host (`api.together.xyz` -> `together`); null if unknown. */
export function providerFromHost(
  endpoint: string,
  pricing: HostedPricingFile = hostedPricing(),
): string | null {
  const host = hostOf(endpoint);
  for (const [name, p] of Object.entries(pricing.providers)) {
    if (p.hosts.some((h) => host === h || host.endsWith(`.${h}`))) return name;
  }
  return null;
}

/** Model id as priced: lowercase, without a trailing release date (`claude-sonnet-4-20250514`). */
function normalizeModel(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/-\d{8}$/, '')
    .replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/** The price entry for a provider's model, matching ids, aliases and dated snapshots of them. */
export function findHostedPrice(
  provider: string,
  model: string,
  pricing: HostedPricingFile = hostedPricing(),
): HostedPrice | null {
  const p = pricing.providers[provider];
  if (!p) return null;
  const want = normalizeModel(model);
  return (
    p.models.find((m) => [m.model, ...(m.aliases ?? [])].some((id) => normalizeModel(id) === want)) ?? null
  );
}
