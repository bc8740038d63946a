import type { LevelPower } from './level-metrics.js';
import type { GoodputFigures } from '../slo/goodput.js';
import { chunkTokensOf, type WindowTotals } from '../load/window-accounting.js';
import type { StoredRequestView } from './stored-request.js';

/**
 * Every per-level metric of llm.inference, declared once (SPEC §5; issue 12): its key in the level
 * document's `metrics`, unit, whether lower or higher is better, its definition (the docs' metric table is
 * generated from it), and how it is computed from the stored request records and the window's figures.
 * The computation, the JSON, the terminal tables, `bench compare` and `bench report` all read this list.
 */

export type Better = 'lower' | 'higher';

/** The statistics of every per-request distribution, each with a 95% bootstrap CI (SPEC §7). */
export const STATS = ['p50', 'p90', 'p99', 'mean'] as const;
export type Stat = (typeof STATS)[number];

/** A per-request latency distribution: `<name>_p50_ms`, `_p90_ms`, `_p99_ms`, `_mean_ms`. */
export interface DistributionDecl {
  name: string;
  description: string;
  better: Better;
  /** Values over the measured requests that succeeded (failures are counted by error_rate and goodput). */
  values(ok: readonly StoredRequestView[]): ArrayLike<number>;
}

/** What a level's scalar metrics are computed from. */
export interface LevelFigures {
  windowS: number;
  measured: readonly StoredRequestView[];
  ok: readonly StoredRequestView[];
  window: WindowTotals;
  goodput: GoodputFigures;
  /** Valid power figures over the window, or null (not measured, or invalid). */
  power: LevelPower | null;
}

export interface ScalarDecl {
  key: string;
  unit: string;
  better: Better | null;
  description: string;
  value(f: LevelFigures): number | null;
}

const pick = (ok: readonly StoredRequestView[], f: (r: StoredRequestView) => number | null): number[] => {
  const out: number[] = [];
  for (const r of ok) {
    const v = f(r);
    if (v !== null) out.push(v);
  }
  return out;
};

export const DISTRIBUTIONS = [
  {
    name: 'ttft',
    description: 'time to first token: first content token − scheduled arrival',
    better: 'lower',
    values: (ok) => pick(ok, (r) => r.ttftMs),
  },
  {
    name: 'tpot',
    description: 'time per output token: (last − first token) / (n_out − 1), requests with n_out ≥ 2',
    better: 'lower',
    values: (ok) => pick(ok, (r) => r.tpotMs),
  },
  {
    name: 'itl',
    description: 'gaps between successive content chunks, pooled over requests (vLLM ITL)',
    better: 'lower',
    // Pooled over a level these run to a million values: counted first, then written into one array.
    values: (ok) => {
      let n = 0;
      for (const r of ok) n += r.itlMs.length;
      const out = new Float64Array(n);
      let k = 0;
      for (const r of ok) for (const g of r.itlMs) out[k++] = g;
      return out;
    },
  },
  {
    name: 'itl_token',
    description: 'per-token gaps: each chunk gap / tokens in the later chunk, pooled',
    better: 'lower',
    values: (ok) => {
      let n = 0;
      for (const r of ok) if (r.ttftMs !== null) n += r.itlMs.length;
      const out = new Float64Array(n);
      let m = 0;
      for (const r of ok) {
        if (r.ttftMs === null) continue;
        const tpc = chunkTokensOf(r, r.itlMs.length + 1);
        for (let i = 0; i < r.itlMs.length; i++) {
          const k = tpc[i + 1]!;
          if (k > 0) out[m++] = r.itlMs[i]! / k;
        }
      }
      return out.subarray(0, m);
    },
  },
  {
    name: 'e2e',
    description: 'end-to-end latency: last content token − scheduled arrival',
    better: 'lower',
    values: (ok) => pick(ok, (r) => r.e2eMs),
  },
  {
    name: 'queue_wait',
    description: "actual send − scheduled arrival: the client's queue (and its scheduling lag)",
    better: 'lower',
    values: (ok) => pick(ok, (r) => r.queueWaitMs),
  },
  {
    name: 'server_ttft',
    description: "first token − actual send: the server's view of TTFT",
    better: 'lower',
    values: (ok) => pick(ok, (r) => r.serverTtftMs),
  },
] as const satisfies readonly DistributionDecl[];

const perS = (f: LevelFigures, x: number): number | null => (f.windowS > 0 ? x / f.windowS : null);

export const SCALARS = [
  {
    key: 'throughput_tok_s',
    unit: 'tok/s',
    better: 'higher',
    description:
      'output tokens whose chunk arrived inside the window (every request, measured or not) / window length',
    value: (f) => perS(f, f.window.outputTokens),
  },
  {
    key: 'throughput_req_s',
    unit: 'req/s',
    better: 'higher',
    description: 'successful measured requests / window length',
    value: (f) => perS(f, f.ok.length),
  },
  {
    key: 'total_tok_s',
    unit: 'tok/s',
    better: 'higher',
    description:
      '(window output tokens + prompt tokens of requests whose first token arrived in the window) / window length',
    value: (f) => perS(f, f.window.outputTokens + f.window.inputTokens),
  },
  {
    key: 'goodput_req_s',
    unit: 'req/s',
    better: 'higher',
    description: 'measured requests that meet the SLO / window length',
    value: (f) => f.goodput.goodputReqS,
  },
  {
    key: 'goodput_tok_s',
    unit: 'tok/s',
    better: 'higher',
    description: 'output tokens of measured requests that meet the SLO / window length',
    value: (f) => f.goodput.goodputTokS,
  },
  {
    key: 'slo_attainment',
    unit: 'ratio',
    better: 'higher',
    description: 'share of measured requests (every status) that meet the SLO',
    value: (f) => f.goodput.sloAttainment,
  },
  {
    key: 'error_rate',
    unit: 'ratio',
    better: 'lower',
    description: 'non-ok measured requests / measured requests',
    value: (f) => (f.measured.length > 0 ? (f.measured.length - f.ok.length) / f.measured.length : null),
  },
  {
    key: 'prompt_cache_share',
    unit: 'ratio',
    better: 'lower',
    description:
      "share of the measured requests' prompt tokens the engine served from its prefix cache (null when it never says; SPEC §4)",
    value: (f) => {
      const c = cacheTotals(f.measured);
      return c.reported > 0 && c.prompt > 0 ? c.cached / c.prompt : null;
    },
  },
  {
    key: 'cached_prompt_tokens',
    unit: 'tok',
    better: 'lower',
    description: 'prompt tokens of measured requests served from the engine cache (null when it never says)',
    value: (f) => {
      const c = cacheTotals(f.measured);
      return c.reported > 0 ? c.cached : null;
    },
  },
  {
    key: 'keepalive_retries',
    unit: 'count',
    better: 'lower',
    description:
      'measured requests sent again on a fresh connection after the server closed a reused idle one (SPEC §5)',
    value: (f) => f.measured.reduce((n, r) => n + r.retries, 0),
  },
  {
    key: 'power_avg_w',
    unit: 'W',
    better: 'lower',
    description:
      'mean summed power of the measured devices over the window (null when not measured or invalid)',
    value: (f) => f.power?.powerAvgW ?? null,
  },
  {
    key: 'energy_j',
    unit: 'J',
    better: 'lower',
    description: 'energy counter difference over the window (integral of sampled power without a counter)',
    value: (f) => f.power?.energyJ ?? null,
  },
  {
    key: 'joules_per_token',
    unit: 'J/tok',
    better: 'lower',
    description: 'energy_j / window output tokens',
    value: (f) =>
      f.power && f.power.energyJ !== null && f.window.outputTokens > 0
        ? f.power.energyJ / f.window.outputTokens
        : null,
  },
] as const satisfies readonly ScalarDecl[];

/** Cost metrics (SPEC §9): computed by the cost module from the level and its prices; declared here. */
export const COST_METRICS = [
  {
    key: 'cost_usd_per_mtok',
    unit: 'USD/Mtok',
    better: 'lower',
    description:
      'hosted: the snapshot price of the level’s token mix; self-hosted: GPU-hour price × GPUs / output throughput',
  },
  {
    key: 'cost_usd_per_mtok_slo',
    unit: 'USD/Mtok',
    better: 'lower',
    description: 'the same, counting only output tokens of requests that met the SLO',
  },
] as const satisfies readonly Omit<ScalarDecl, 'value'>[];

export type DistributionName = (typeof DISTRIBUTIONS)[number]['name'];
export type ScalarKey = (typeof SCALARS)[number]['key'] | (typeof COST_METRICS)[number]['key'];
/** Every key of a level document's `metrics`. */
export type MetricKey = `${DistributionName}_${Stat}_ms` | ScalarKey;

/** The key of one statistic of a distribution, e.g. `metricKey('ttft', 'p99')` = `ttft_p99_ms`. */
export function metricKey<N extends DistributionName, S extends Stat>(name: N, stat: S): `${N}_${S}_ms` {
  return `${name}_${stat}_ms`;
}

/** One row per metric key: what `bench compare`, reports and the docs need to know about it. */
export interface MetricInfo {
  key: MetricKey;
  unit: string;
  better: Better | null;
  /** Percentiles and means carry a 95% bootstrap CI. */
  ci: boolean;
  description: string;
}

/** Every metric key, in document order. */
export function metricCatalog(): MetricInfo[] {
  const out: MetricInfo[] = [];
  for (const d of DISTRIBUTIONS)
    for (const s of STATS)
      out.push({
        key: metricKey(d.name, s),
        unit: 'ms',
        better: d.better,
        ci: true,
        description: `${s === 'mean' ? 'mean' : s} of ${d.name}: ${d.description}`,
      });
  for (const m of [...SCALARS, ...COST_METRICS])
    out.push({ key: m.key, unit: m.unit, better: m.better, ci: false, description: m.description });
  return out;
}

/** The docs' per-level metric table (docs/metrics.md), generated from the registry. */
export function metricTableMarkdown(): string {
  const rows = ['| key | unit | better | definition |', '|---|---|---|---|'];
  for (const d of DISTRIBUTIONS)
    rows.push(
      `| ${STATS.map((s) => `\`${metricKey(d.name, s)}\``).join(', ')} | ms | ${d.better} | ${d.description}; each with \`ci95\` |`,
    );
  for (const m of [...SCALARS, ...COST_METRICS])
    rows.push(`| \`${m.key}\` | ${m.unit} | ${m.better ?? '-'} | ${m.description} |`);
  return rows.join('\n');
}

/** Prompt tokens, and those served from the cache, over the requests whose engine said (SPEC §4). */
function cacheTotals(rs: readonly StoredRequestView[]): { cached: number; prompt: number; reported: number } {
  let cached = 0;
  let prompt = 0;
  let reported = 0;
  for (const r of rs) {
    if (r.cachedTokens === null) continue;
    reported++;
    cached += r.cachedTokens;
    prompt += r.nIn;
  }
  return { cached, prompt, reported };
}
