import { gpuModelName } from 'inferencebench';
import { modelShortName } from '../models/catalogue.js';
import { servingLabel } from '../models/launch-plan.js';
import type { RunDocument } from 'inferencebench';
import type { LevelDocument, MetricValue } from '../metrics/level-metrics.js';
import { type MetricKey, metricKey } from '../metrics/registry.js';
import type { GoodputAtSlo } from '../slo/goodput.js';

/** The run summary stored with `ctx.writer.setSummary` (SPEC §12 `summary`, plus extra fields). */
export interface LlmSummary {
  goodput_at_slo: GoodputAtSlo;
  slo: Record<string, unknown>;
  /** Index of the level shown in the Metrics block. */
  headline_level: number | null;
  gate_failed: boolean;
  /** Each check that failed, in words (the SLO, convergence, error rate). */
  gate_failures: string[];
  notes: string[];
  statistics: string;
  search?: {
    rate_req_s: number | null;
    concurrency: number;
    probes: { rate_req_s: number; holds: boolean }[];
  };
}

export const STATISTICS_NOTE =
  'percentiles: linear interpolation between order statistics (numpy default); CIs: 95% percentile bootstrap, 1000 resamples, seeded from --seed';

/** The Metrics block's rows, named through the registry (a key that is not declared does not compile). */
const HEADLINE: MetricKey[] = [
  metricKey('ttft', 'p50'),
  metricKey('ttft', 'p99'),
  metricKey('tpot', 'p50'),
  metricKey('tpot', 'p99'),
  metricKey('itl', 'p50'),
  metricKey('e2e', 'p50'),
  'throughput_tok_s',
  'throughput_req_s',
];

/** A number with sensible precision for a terminal. */
export function fmt(x: number | null | undefined, digits?: number): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return 'inf';
  const d = digits ?? (Math.abs(x) >= 100 ? 1 : Math.abs(x) >= 1 ? 2 : 3);
  return x.toFixed(d);
}

function fmtMetric(m: MetricValue | undefined, digits?: number): string {
  if (!m) return 'n/a';
  const v = fmt(m.value, digits);
  return m.ci95 && m.value !== null ? `${v} [${fmt(m.ci95[0], digits)}, ${fmt(m.ci95[1], digits)}]` : v;
}

/** A cost figure with the date of the prices it used (SPEC §9), or why there is none. */
function costText(m: MetricValue | undefined): string {
  if (!m) return 'n/a';
  const c = m as MetricValue & {
    method?: string;
    snapshot_date?: string | null;
    source?: string | null;
    reason?: string | null;
  };
  if (m.value === null) return `n/a${c.reason ? ` (${c.reason})` : ''}`;
  const when = c.snapshot_date
    ? `prices of ${c.snapshot_date}`
    : c.source === 'user'
      ? '--gpu-hour-usd'
      : 'no date';
  return `${fmt(m.value, 3)}  (${c.method ?? 'cost'}, ${when})`;
}

/** Choose the level the Metrics block shows: the goodput level, else the last level run. */
function headlineLevel(levels: LevelDocument[], summary: LlmSummary | null): LevelDocument | null {
  if (levels.length === 0) return null;
  const idx = summary?.headline_level;
  return levels.find((l) => l.index === idx) ?? levels[levels.length - 1]!;
}

/** Terminal rendering of a stored run (SPEC §12 layout); works from the stored document alone. */
export function renderRun(doc: RunDocument): string {
  const plan = doc.plan as Record<string, unknown>;
  const env = doc.environment as Record<string, unknown>;
  const levels = (doc.levels as LevelDocument[]).filter((l) => l && typeof l === 'object');
  const summary = (doc.summary as LlmSummary | null) ?? null;
  const engine = (env.engine ?? {}) as { name?: string; version?: string | null };
  const hw = env.hardware as { label?: string; serving?: string; gpus?: { name?: string }[] } | undefined;
  const power = env.power as { source?: string; devices?: { name?: string | null }[] } | undefined;
  // The simulator's GPUs are modelled: say so rather than print this machine's CPU.
  const simGpu = engine.name === 'sim' ? power?.devices?.[0]?.name : null;
  // The hardware that served the model as detected (SPEC §12: `on 8x H100-SXM5-80GB`), never the flag.
  const simLabel = simGpu
    ? `${servingLabel(power!.devices!.length, gpuModelName(null, simGpu, null) ?? simGpu)} (simulated)`
    : null;
  const noGpu = (hw?.gpus?.length ?? 0) === 0;
  const hardware = String(
    hw?.serving ??
      simLabel ??
      (plan.hardware && noGpu ? `${String(plan.hardware)} (as given; no GPU detected here)` : null) ??
      hw?.label ??
      'unknown hardware',
  );
  const lines: string[] = [];
  lines.push(`Run id: ${doc.run_id}${doc.status === 'complete' ? '' : `  (${doc.status})`}`);
  lines.push(
    `Model: ${modelShortName(String(plan.model ?? '?'))} @ ${String(plan.quant ?? 'default')} on ${hardware}`,
  );
  lines.push(`Engine: ${engine.name ?? String(plan.engine ?? '?')} ${engine.version ?? 'unknown'}`);

  const head = headlineLevel(levels, summary);
  lines.push('Metrics:');
  const rows: [string, string][] = [];
  if (head) for (const k of HEADLINE) rows.push([k, fmtMetric(head.metrics[k])]);
  const g = summary?.goodput_at_slo;
  rows.push([
    'goodput_at_slo',
    g ? `${fmt(g.req_s)} req/s${g.tok_s ? ` (${fmt(g.tok_s)} tok/s at c=${g.concurrency})` : ''}` : 'n/a',
  ]);
  if (head) {
    rows.push(['slo_attainment', fmt(head.metrics.slo_attainment?.value ?? null, 3)]);
    const src = power?.source ? `  (${power.source})` : '';
    rows.push(['power_avg_w', `${fmt(head.metrics.power_avg_w?.value ?? null, 1)}${src}`]);
    rows.push(['joules_per_token', fmt(head.metrics.joules_per_token?.value ?? null, 3)]);
    rows.push(['cost_usd_per_mtok', costText(head.metrics.cost_usd_per_mtok)]);
    rows.push(['cost_usd_per_mtok_slo', costText(head.metrics.cost_usd_per_mtok_slo)]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(width)}${v}`);
  if (head && levels.length > 1) lines.push(`  (level ${head.index + 1}, concurrency ${head.concurrency})`);

  if (levels.length > 0) {
    lines.push('');
    lines.push(renderLevelTable(levels));
  }
  const notes: string[] = [];
  for (const l of levels)
    for (const n of l.notes ?? []) notes.push(`level ${l.index + 1} (c=${l.concurrency}): ${n}`);
  if (g?.note) notes.push(g.note);
  for (const n of summary?.notes ?? []) notes.push(n);
  if (notes.length > 0) {
    lines.push('');
    lines.push('Flags:');
    for (const n of notes) lines.push(`  ${n}`);
  }
  if (doc.error) lines.push(`Error: ${doc.error}`);
  lines.push('');
  lines.push(`Statistics: ${summary?.statistics ?? STATISTICS_NOTE}; seed ${String(plan.seed ?? '?')}`);
  return `${lines.join('\n')}\n`;
}

/** Columns of a table: header and a cell per level; numbers right-aligned. */
type Column = [header: string, cell: (l: LevelDocument) => string, align?: 'left'];

function table(levels: LevelDocument[], columns: Column[]): string {
  const rows = levels.map((l) => columns.map(([, cell]) => cell(l)));
  const widths = columns.map(([h], i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (columns[i]![2] === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([h]) => h)), ...rows.map(line)].join('\n');
}

function levelFlags(l: LevelDocument): string {
  const flags: string[] = [];
  if (l.valid === false) flags.push('INVALID');
  if (l.flags?.error_rate_exceeded) flags.push('error-rate');
  if (!l.converged) flags.push('unconverged');
  if (l.flags?.thin_tail) flags.push('thin-tail');
  if (l.flags?.client_limited) flags.push('client-limited');
  if (l.flags?.drain_timed_out) flags.push('drain-timeout');
  if (l.flags?.aborted) flags.push('aborted');
  return flags.join(',') || '-';
}

const failedCount = (l: LevelDocument): number =>
  Object.values(l.requests.errors).reduce((a, b) => a + (b ?? 0), 0);

const value = (l: LevelDocument, key: MetricKey, digits?: number): string =>
  fmt(l.metrics[key]?.value, digits);

/**
 * The per-level tables of a sweep: the load each level ran at and its verdict, then its latencies (mean,
 * p50, p99; CIs in brackets). In-flight, time at the cap, queue wait and server TTFT sit beside TTFT so a
 * reader sees at once when the client, not the server, shaped it.
 */
export function renderLevelTable(levels: LevelDocument[]): string {
  const idx: Column = ['level', (l) => String(l.index + 1), 'left'];
  const conc: Column = ['conc', (l) => String(l.concurrency), 'left'];
  const load: Column[] = [
    idx,
    conc,
    [
      'rate req/s',
      (l) =>
        l.rate_req_s === 'inf' ? 'inf' : `${fmt(l.rate_req_s)}${l.rate_mode === 'auto' ? ' (auto)' : ''}`,
    ],
    ['conv', (l) => (l.converged ? 'yes' : 'NO')],
    ['measured', (l) => String(l.requests.measured)],
    ['failed', (l) => String(failedCount(l))],
    [
      'in-flight mean/max',
      (l) => (l.driver ? `${fmt(l.driver.mean_in_flight, 1)}/${l.driver.max_in_flight ?? 'n/a'}` : 'n/a'),
    ],
    [
      'at cap',
      (l) =>
        l.driver?.at_cap_share === null || l.driver?.at_cap_share === undefined
          ? 'no cap'
          : `${fmt(l.driver.at_cap_share * 100, 0)}%`,
    ],
    ['queue p50 ms', (l) => value(l, 'queue_wait_p50_ms')],
    ['tok/s', (l) => value(l, 'throughput_tok_s')],
    ['goodput req/s', (l) => value(l, 'goodput_req_s')],
    ['attain', (l) => value(l, 'slo_attainment', 3)],
    ['slo', (l) => (l.slo?.holds ? 'holds' : 'misses')],
    ['flags', levelFlags, 'left'],
  ];
  const latency: Column[] = [
    idx,
    conc,
    ['ttft mean', (l) => value(l, 'ttft_mean_ms')],
    ['ttft p50 [CI]', (l) => fmtMetric(l.metrics.ttft_p50_ms)],
    ['ttft p99 [CI]', (l) => fmtMetric(l.metrics.ttft_p99_ms)],
    ['server ttft p50', (l) => value(l, 'server_ttft_p50_ms')],
    ['tpot mean', (l) => value(l, 'tpot_mean_ms')],
    ['tpot p50', (l) => value(l, 'tpot_p50_ms')],
    ['tpot p99', (l) => value(l, 'tpot_p99_ms')],
    ['e2e mean', (l) => value(l, 'e2e_mean_ms')],
    ['e2e p50', (l) => value(l, 'e2e_p50_ms')],
    ['e2e p99', (l) => value(l, 'e2e_p99_ms')],
  ];
  return `${table(levels, load)}\n\nLatency (ms):\n${table(levels, latency)}`;
}
