import { BenchError, createRng } from 'inferencebench';
import { boundFails, type FailBound } from './fail-if.js';
import {
  compareSides,
  rateStatistic,
  type LaunchStatistic,
  percentileStatistic,
} from './hierarchical-bootstrap.js';
import { COMPARE_METRICS, type CompareMetric } from './metric-table.js';
import { MIN_LAUNCHES_PER_SIDE } from './launch-plan.js';
import type { LaunchRun, Side } from './sides.js';

export type Verdict = 'faster' | 'slower' | 'no significant difference';

/** One side as the comparison document shows it. */
export interface SideSummary {
  label: string;
  spec: string;
  group_id: string | null;
  runs: string[];
  seeds: (number | null)[];
  engine: { name: string; versions: (string | null)[] };
  hardware: (string | null)[];
  config: Record<string, unknown>;
}

export interface ComparisonRow {
  level: string;
  concurrency: number;
  metric: string;
  unit: string;
  better: 'lower' | 'higher';
  sides: {
    label: string;
    mean: number;
    ci95: [number, number];
    launches: number[];
    spread: { stdev: number | null; cov: number | null };
  }[];
  ratio: { value: number | null; ci95: [number, number] | null };
  verdict: Verdict;
  /** The `--fail-if` bounds on this metric, each passed or failed at this level. */
  gate?: { bound: string; passed: boolean }[];
}

/** `bench compare --format json` (SPEC §10; the names of the issue are fixed). */
export interface ComparisonDocument {
  group_id: string | null;
  sides: SideSummary[];
  rows: ComparisonRow[];
  gate?: {
    passed: boolean;
    bounds: string[];
    failed: {
      concurrency: number;
      metric: string;
      bound: string;
      change_pct: number;
      ratio_ci95: [number, number];
    }[];
  };
  statistics: string;
  notes: string[];
}

export const COMPARE_STATISTICS_NOTE =
  'each side: mean over its launches of the per-launch statistic; ratio = second side / first; 95% CIs: two-stage percentile bootstrap (launches within sides, then requests within launches), 1000 resamples, seeded from --seed; verdict: significant when the ratio CI excludes 1';

/**
 * Compare two sides level by level and metric by metric, from the launches' stored records. Refuses what
 * cannot be a valid comparison (see checkComparable). `seed` seeds the bootstrap.
 */
export function buildComparison(
  sides: Side[],
  options: { seed: number; bounds?: FailBound[]; resamples?: number },
): ComparisonDocument {
  checkComparable(sides);
  const [a, b] = sides as [Side, Side];
  const rng = createRng(options.seed).fork('compare');
  const notes: string[] = [];
  const rows: ComparisonRow[] = [];
  const first = a.runs[0]!;
  for (const [key, level] of first.levels) {
    for (const metric of COMPARE_METRICS) {
      const sa = launchStatistics(a.runs, key, metric);
      const sb = launchStatistics(b.runs, key, metric);
      if (!sa || !sb) {
        notes.push(`${key} ${metric.name}: not compared (a launch has no value)`);
        continue;
      }
      const c = compareSides(sa, sb, rng.fork(`${key}/${metric.name}`), options.resamples ?? 1000);
      const row: ComparisonRow = {
        level: key,
        concurrency: level.concurrency,
        metric: metric.name,
        unit: metric.unit,
        better: metric.better,
        sides: [a, b].map((s, i) => ({
          label: s.label,
          mean: c.sides[i]!.mean,
          ci95: c.sides[i]!.ci95,
          launches: c.sides[i]!.launches,
          spread: { stdev: c.sides[i]!.stdev, cov: c.sides[i]!.cov },
        })),
        ratio: c.ratio,
        verdict: verdictOf(metric, c.ratio),
      };
      const bounds = (options.bounds ?? []).filter((x) => x.metric === metric.name);
      if (bounds.length > 0)
        row.gate = bounds.map((x) => ({ bound: x.text, passed: !boundFails(x, c.ratio) }));
      rows.push(row);
    }
  }
  if (a.runs.length < 2 || b.runs.length < 2)
    notes.push(
      'a side has one launch: its CI covers request-to-request variation only, not launch-to-launch variation',
    );
  const wa = a.runs[0]!.workload;
  const wb = b.runs[0]!.workload;
  const differ = Object.keys(wa).filter((k) => JSON.stringify(wa[k]) !== JSON.stringify(wb[k]));
  if (differ.length > 0)
    notes.push(
      `the workloads differ (${differ.map((k) => `${k} ${JSON.stringify(wa[k])} vs ${JSON.stringify(wb[k])}`).join(', ')}): the sides did not serve the same load`,
    );
  if ([...a.runs, ...b.runs].some((r) => !r.launched))
    notes.push(
      'some runs attached to a running server (--endpoint): they are not independent engine launches',
    );
  const doc: ComparisonDocument = {
    group_id: a.groupId !== null && a.groupId === b.groupId ? a.groupId : null,
    sides: [a, b].map(sideSummary),
    rows,
    statistics: COMPARE_STATISTICS_NOTE,
    notes,
  };
  if (options.bounds) {
    const failed: NonNullable<ComparisonDocument['gate']>['failed'] = [];
    for (const row of rows)
      for (const g of row.gate ?? [])
        if (!g.passed)
          failed.push({
            concurrency: row.concurrency,
            metric: row.metric,
            bound: g.bound,
            change_pct: (row.ratio.value! - 1) * 100,
            ratio_ci95: row.ratio.ci95!,
          });
    doc.gate = { passed: failed.length === 0, bounds: options.bounds.map((x) => x.text), failed };
  }
  return doc;
}

/** Per-launch statistics of one metric at one level, or null when a launch has no value. */
function launchStatistics(runs: LaunchRun[], key: string, metric: CompareMetric): LaunchStatistic[] | null {
  const out: LaunchStatistic[] = [];
  for (const run of runs) {
    const level = run.levels.get(key);
    if (!level) return null;
    if (metric.kind === 'percentile') {
      const s = percentileStatistic(level.sorted[metric.source], metric.p);
      if (!s) return null;
      out.push(s);
    } else {
      const v = metric.value(level);
      if (v === null || !Number.isFinite(v)) return null;
      // With several launches their spread already holds the window count's noise; one launch alone has
      // no spread, so its count is redrawn as Poisson instead.
      out.push(runs.length > 1 ? rateStatistic(v, 0) : rateStatistic(v, level.ok));
    }
  }
  return out;
}

function verdictOf(
  metric: CompareMetric,
  ratio: { value: number | null; ci95: [number, number] | null },
): Verdict {
  if (ratio.value === null || ratio.ci95 === null) return 'no significant difference';
  const [lo, hi] = ratio.ci95;
  if (lo <= 1 && hi >= 1) return 'no significant difference';
  const higher = lo > 1;
  return higher === (metric.better === 'higher') ? 'faster' : 'slower';
}

function sideSummary(s: Side): SideSummary {
  return {
    label: s.label,
    spec: s.spec,
    group_id: s.groupId,
    runs: s.runs.map((r) => r.runId),
    seeds: s.runs.map((r) => r.seed),
    engine: { name: s.runs[0]!.engine, versions: [...new Set(s.runs.map((r) => r.engineVersion))] },
    hardware: [...new Set(s.runs.map((r) => r.hardware))],
    config: s.runs[0]!.config,
  };
}

const configText = (r: LaunchRun): string => JSON.stringify(r.config);

/**
 * Refuse what is not a valid comparison (SPEC §10): not exactly two sides; a side mixing engines; goodput
 * searches (their probes are not levels); sides that differ in engine or config without >= 3 launches
 * each with distinct seeds (named: which side, how many launches, which seeds repeat); levels that do
 * not match (named: which run has which).
 */
export function checkComparable(sides: Side[]): void {
  if (sides.length !== 2)
    throw new BenchError(
      'BENCH_ERR_USAGE',
      sides.length < 2
        ? `bench compare needs two sides, got one (${sides[0]?.label ?? 'none'})`
        : `bench compare compares two sides, got ${sides.length} (${sides.map((s) => s.label).join(', ')})`,
      {
        hint:
          sides.length < 2
            ? 'name two runs or groups, or a group with two engines or configs: bench compare GROUP | bench compare A B'
            : 'narrow a group to one side with GROUP:label, e.g. bench compare GROUP:vllm GROUP:sglang',
      },
    );
  for (const s of sides) {
    const engines = [...new Set(s.runs.map((r) => r.engine))];
    if (engines.length > 1)
      throw new BenchError('BENCH_ERR_BAD_OPTION', `side ${s.label} mixes engines (${engines.join(', ')})`, {
        hint: 'give each engine its own side, e.g. bench compare GROUP:vllm GROUP:sglang',
      });
    const search = s.runs.find((r) => r.search);
    if (search)
      throw new BenchError('BENCH_ERR_BAD_OPTION', `run ${search.runId} is a goodput search`, {
        hint: 'its probes are at rates of its own choosing; compare sweeps made with the same --concurrency and --rate',
      });
  }
  const [a, b] = sides as [Side, Side];
  if (configText(a.runs[0]!) !== configText(b.runs[0]!)) {
    const missing: string[] = [];
    for (const s of sides) {
      const n = s.runs.length;
      if (n < MIN_LAUNCHES_PER_SIDE)
        missing.push(
          `${s.label} has ${n} launch${n === 1 ? '' : 'es'} (${s.runs.map((r) => r.runId).join(', ')}), needs ${MIN_LAUNCHES_PER_SIDE - n} more`,
        );
      const bySeed = new Map<string, string[]>();
      for (const r of s.runs) {
        const k = String(r.seed);
        bySeed.set(k, [...(bySeed.get(k) ?? []), r.runId]);
      }
      for (const [seed, ids] of bySeed)
        if (ids.length > 1) missing.push(`${s.label}: seed ${seed} repeats in runs ${ids.join(', ')}`);
    }
    if (missing.length > 0) {
      const what = a.runs[0]!.engine !== b.runs[0]!.engine ? 'cross-engine' : 'cross-config';
      throw new BenchError(
        'BENCH_ERR_BAD_OPTION',
        `cannot compare ${a.label} with ${b.label}: a ${what} comparison needs >= ${MIN_LAUNCHES_PER_SIDE} independent launches per ${what === 'cross-engine' ? 'engine' : 'config'} with distinct seeds; ${missing.join('; ')}`,
        {
          hint: `make such a set with bench run llm.inference --engine ${a.runs[0]!.engine === b.runs[0]!.engine ? `${a.runs[0]!.engine} --vary ...` : `${a.runs[0]!.engine},${b.runs[0]!.engine}`} --launches ${MIN_LAUNCHES_PER_SIDE} ...`,
        },
      );
    }
  }
  const ref = a.runs[0]!;
  const refKeys = [...ref.levels.keys()];
  for (const s of sides)
    for (const r of s.runs) {
      const keys = [...r.levels.keys()];
      const absent = refKeys.filter((k) => !r.levels.has(k));
      const extra = keys.filter((k) => !ref.levels.has(k));
      if (absent.length > 0 || extra.length > 0)
        throw new BenchError(
          'BENCH_ERR_BAD_OPTION',
          `levels do not match: run ${r.runId} (${s.label}) has ${keys.join(', ') || 'no levels'} but run ${ref.runId} (${a.label}) has ${refKeys.join(', ') || 'no levels'}${absent.length ? `; missing ${absent.join(', ')}` : ''}${extra.length ? `; extra ${extra.join(', ')}` : ''}`,
          { hint: 'compare runs made with the same --concurrency and --rate' },
        );
    }
}
