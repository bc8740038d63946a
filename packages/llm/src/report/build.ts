import {
  type ChartSeries,
  type ChartSpec,
  cdfPoints,
  evenSample,
  meanOccupancy,
  minMaxDownsample,
  type ReportBlock,
  type ReportCell,
  type ReportListItem,
  type ReportPage,
  type ReportSection,
  type RunDocument,
  type StoredRequest,
  type StoredSample,
} from 'inferencebench';
import type { LevelDocument, MetricValue } from '../metrics/level-metrics.js';
import { fmt, type LlmSummary, renderLevelTable, renderRun, STATISTICS_NOTE } from '../output/render.js';

/** One stored run with its records: everything a report is built from (SPEC §10: never in-memory state). */
export interface ReportRun {
  doc: RunDocument;
  requests: StoredRequest[];
  samples: StoredSample[];
}

export interface ReportOptions {
  /** Footer line (tool and version). */
  generator: string;
  /** The `bench compare` section for several runs, when the compare module provides one. */
  comparison?: ReportSection | null;
  /** Points per CDF series and per time series (what a chart can show). */
  cdfPoints?: number;
  timePoints?: number;
}

// Tableau 10: distinct on screen and in print.
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const GOOD = '#1a7f37';
const BAD = '#c62828';

const levelsOf = (doc: RunDocument): LevelDocument[] =>
  (doc.levels as LevelDocument[]).filter((l) => l !== null && typeof l === 'object');
const metric = (l: LevelDocument, key: string): MetricValue | undefined =>
  (l.metrics as Record<string, MetricValue> | undefined)?.[key];
const val = (l: LevelDocument, key: string): number | null => {
  const v = metric(l, key)?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const ci = (l: LevelDocument, key: string, side: 0 | 1): number | null =>
  metric(l, key)?.ci95?.[side] ?? null;
const str = (v: unknown): string => (v === null || v === undefined ? 'n/a' : String(v));
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Request fields read from a stored row: known columns first, the `data` JSON for the rest. */
function field(r: StoredRequest, key: string): unknown {
  const own = (r as unknown as Record<string, unknown>)[key];
  return own !== undefined ? own : obj(r.data)[key];
}
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** How a run is named on charts: engine, version and config, plus the run id's tail to tell launches apart. */
function runLabel(doc: RunDocument, withId: boolean): string {
  const plan = doc.plan;
  const engine = obj(doc.environment.engine);
  const parts = [str(engine.name ?? plan.engine), engine.version ? String(engine.version) : null];
  if (plan.quant) parts.push(String(plan.quant));
  if (withId) parts.push(`#${doc.run_id.slice(-6)}`);
  return parts.filter(Boolean).join(' ');
}

/** Runs with the same engine, version, model and config share a colour (launches of one config). */
function configKey(doc: RunDocument): string {
  const p = doc.plan;
  const e = obj(doc.environment.engine);
  return JSON.stringify([e.name ?? p.engine, e.version, p.model, p.quant, p.tp, p.hardware, p.engineArg]);
}

interface RunView {
  run: ReportRun;
  label: string;
  color: string;
  /** Always false: launches of one config differ by shade, dashes mark p99 and throughput lines. */
  dash: boolean;
  levels: LevelDocument[];
  measured: StoredRequest[][];
}

/** The config's colour for its first launch, then darker and lighter variants for the next ones. */
function shade(hex: string, launch: number): string {
  if (launch === 0) return hex;
  const toward = launch % 2 === 1 ? 0 : 255;
  const amount = Math.min(0.6, 0.3 * Math.ceil(launch / 2));
  const mix = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16);
    return Math.round(c + (toward - c) * amount)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${mix(1)}${mix(3)}${mix(5)}`;
}

function views(runs: ReportRun[]): RunView[] {
  const keys: string[] = [];
  const seen = new Map<string, number>();
  return runs.map((run) => {
    const key = configKey(run.doc);
    if (!keys.includes(key)) keys.push(key);
    const launch = seen.get(key) ?? 0;
    seen.set(key, launch + 1);
    const levels = levelsOf(run.doc);
    const measured: StoredRequest[][] = levels.map(() => []);
    for (const r of run.requests) {
      if (field(r, 'phase') !== 'measured') continue;
      const i = levels.findIndex((l) => l.index === r.level);
      if (i >= 0) measured[i]!.push(r);
    }
    return {
      run,
      label: runLabel(run.doc, runs.length > 1),
      color: shade(PALETTE[keys.indexOf(key) % PALETTE.length]!, launch),
      dash: false,
      levels,
      measured,
    };
  });
}

/** Throughput against a latency percentile pair (p50 solid, p99 dashed), in level order, with CIs. */
function throughputChart(vs: RunView[], name: 'ttft' | 'tpot', title: string, log: boolean): ChartSpec {
  const series: ChartSeries[] = [];
  for (const v of vs) {
    for (const p of ['p50', 'p99'] as const) {
      const key = `${name}_${p}_ms`;
      const pts = v.levels.filter((l) => val(l, 'throughput_tok_s') !== null && val(l, key) !== null);
      series.push({
        label: `${vs.length > 1 ? `${v.label} ` : ''}${name.toUpperCase()} ${p}`,
        x: pts.map((l) => val(l, 'throughput_tok_s')!),
        y: pts.map((l) => val(l, key)),
        lo: pts.map((l) => ci(l, key, 0)),
        hi: pts.map((l) => ci(l, key, 1)),
        style: 'order',
        color: vs.length > 1 ? v.color : p === 'p50' ? PALETTE[0]! : PALETTE[2]!,
        dash: p === 'p99' || v.dash,
        // Labelled once per level (on p50), so the two markers of a level do not print two labels.
        ...(p === 'p50' ? { pointLabels: pts.map((l) => `c=${l.concurrency}`) } : {}),
      });
    }
  }
  return {
    id: `throughput-${name}`,
    title,
    note: 'one point per concurrency level (c=N), joined in level order; bars are 95% bootstrap CIs',
    x: { label: 'output throughput', unit: 'tok/s' },
    y: { label: `${name.toUpperCase()}`, unit: 'ms', log },
    series,
  };
}

/** GPUs serving the model, for the per-GPU axis: tensor parallel size (1 by default). */
function gpusOf(doc: RunDocument): number {
  const tp = Number(doc.plan.tp ?? 1);
  return Number.isFinite(tp) && tp >= 1 ? tp : 1;
}

/** Levels that no other level beats on both axes (the configs worth picking), in per-user order. */
function paretoFront(points: { x: number; y: number }[]): { x: number; y: number }[] {
  const front = points.filter(
    (p) => !points.some((q) => q !== p && q.x >= p.x && q.y >= p.y && (q.x > p.x || q.y > p.y)),
  );
  return front.sort((a, b) => a.x - b.x);
}

function paretoChart(vs: RunView[]): ChartSpec {
  const series: ChartSeries[] = [];
  const all: { x: number; y: number }[] = [];
  const hosted = vs.every((v) => v.run.doc.plan.engine === 'openai');
  for (const v of vs) {
    const pts = v.levels
      .map((l) => {
        const tpot = val(l, 'tpot_p50_ms');
        const tput = val(l, 'throughput_tok_s');
        if (tpot === null || tput === null || tpot <= 0) return null;
        return { x: 1000 / tpot, y: hosted ? tput : tput / gpusOf(v.run.doc), c: l.concurrency };
      })
      .filter((p) => p !== null);
    all.push(...pts);
    series.push({
      label: v.label,
      x: pts.map((p) => p.x),
      y: pts.map((p) => p.y),
      style: 'order',
      color: v.color,
      dash: v.dash,
      pointLabels: pts.map((p) => `c=${p.c}`),
    });
  }
  const front = paretoFront(all);
  series.push({
    label: 'Pareto front',
    x: front.map((p) => p.x),
    y: front.map((p) => p.y),
    style: 'order',
    color: '#666',
    dash: true,
    pointSize: 0,
  });
  return {
    id: 'pareto',
    title: 'Throughput per GPU against interactivity (Pareto view)',
    note: `tok/s per user = 1000 / TPOT p50; ${hosted ? 'hosted endpoint: total output tok/s (GPUs unknown)' : 'tok/s per GPU = output throughput / tensor-parallel GPUs'}; the dashed line joins the levels no other beats on both axes`,
    x: { label: 'interactivity', unit: 'tok/s per user' },
    y: { label: hosted ? 'output throughput' : 'throughput per GPU', unit: hosted ? 'tok/s' : 'tok/s/GPU' },
    series,
  };
}

const DISTRIBUTIONS = [
  { key: 'ttft', title: 'TTFT', column: 'ttft_ms', log: true },
  { key: 'tpot', title: 'TPOT', column: 'tpot_ms', log: false },
  { key: 'itl', title: 'ITL (gap between content chunks)', column: 'itl_ms', log: true },
] as const;

/** Values of one per-request quantity (a number, or an array such as chunk gaps) of successful requests. */
function distributionValues(
  rows: StoredRequest[],
  column: string,
  max: number,
): { values: Float64Array; total: number } {
  const arrays: ArrayLike<number>[] = [];
  const scalars: number[] = [];
  for (const r of rows) {
    if (r.status !== 'ok') continue;
    const v = field(r, column);
    if (Array.isArray(v)) arrays.push(v as number[]);
    else if (typeof v === 'number') scalars.push(v);
  }
  if (scalars.length > 0) arrays.push(scalars);
  return evenSample(arrays, max);
}

/** Above this many values a CDF is drawn from an even sample of them (chunk gaps: millions per level). */
const CDF_MAX_VALUES = 200_000;

function cdfSeries(
  label: string,
  sample: { values: Float64Array; total: number },
  color: string,
  dash: boolean,
  maxPoints: number,
): ChartSeries {
  const cdf = cdfPoints(sample.values, maxPoints);
  const of =
    sample.total > sample.values.length ? ` (1 in ${Math.round(sample.total / sample.values.length)})` : '';
  return {
    label: `${label}${of}`,
    x: cdf.x,
    y: Array.from(cdf.y, (p) => p * 100),
    style: 'line',
    color,
    dash,
  };
}

/** CDFs: one chart per metric with a series per level (one run), or per metric and level across runs. */
function distributionCharts(vs: RunView[], maxPoints: number): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const axisY = { label: 'share of successful measured requests', unit: '%', min: 0, max: 100 };
  if (vs.length === 1) {
    const v = vs[0]!;
    for (const d of DISTRIBUTIONS) {
      charts.push({
        id: `cdf-${d.key}`,
        title: `${d.title} distribution per level`,
        note: d.log ? 'empirical CDF, log x axis' : 'empirical CDF',
        x: { label: d.title.split(' ')[0]!, unit: 'ms', log: d.log },
        y: axisY,
        series: v.levels.map((l, i) =>
          cdfSeries(
            `c=${l.concurrency}`,
            distributionValues(v.measured[i]!, d.column, CDF_MAX_VALUES),
            PALETTE[i % PALETTE.length]!,
            false,
            maxPoints,
          ),
        ),
      });
    }
    return charts;
  }
  const concurrencies = [...new Set(vs.flatMap((v) => v.levels.map((l) => l.concurrency)))].sort(
    (a, b) => a - b,
  );
  for (const c of concurrencies)
    for (const d of DISTRIBUTIONS) {
      const series = vs.flatMap((v) => {
        const i = v.levels.findIndex((l) => l.concurrency === c);
        return i < 0
          ? []
          : [
              cdfSeries(
                v.label,
                distributionValues(v.measured[i]!, d.column, CDF_MAX_VALUES),
                v.color,
                v.dash,
                maxPoints,
              ),
            ];
      });
      charts.push({
        id: `cdf-${d.key}-c${c}`,
        title: `${d.title} distribution at c=${c}`,
        note: d.log ? 'empirical CDF, log x axis' : 'empirical CDF',
        x: { label: d.title.split(' ')[0]!, unit: 'ms', log: d.log },
        y: axisY,
        series,
      });
    }
  return charts;
}

/** Samples of one series, in time order, as [t, value] arrays (several label sets are summed per time). */
function sampleSeries(samples: StoredSample[], series: string): { t: number[]; v: number[] } {
  const byT = new Map<number, number>();
  for (const s of samples) if (s.series === series) byT.set(s.t_ms, (byT.get(s.t_ms) ?? 0) + s.value);
  const t = [...byT.keys()].sort((a, b) => a - b);
  return { t, v: t.map((x) => byT.get(x)!) };
}

/** Over time for one run: in flight and client queue, engine queue and running, KV cache, power. */
function timelineCharts(
  v: RunView,
  idx: number,
  maxPoints: number,
  named: boolean,
): { charts: ChartSpec[]; notes: string[] } {
  const { doc, requests, samples } = v.run;
  const notes: string[] = [];
  const sched: number[] = [];
  const sent: number[] = [];
  const end: number[] = [];
  for (const r of requests) {
    const s = num(field(r, 'scheduled_epoch_ms'));
    const e = num(field(r, 'end_epoch_ms'));
    if (s === null || e === null) continue;
    sched.push(s);
    sent.push(num(field(r, 'sent_epoch_ms')) ?? e);
    end.push(e);
  }
  const windows = v.levels
    .map((l) => ({ l, w: (l as LevelDocument & { window_epoch_ms?: [number, number] }).window_epoch_ms }))
    .filter((x) => Array.isArray(x.w) && x.w.length === 2);
  const times = [...sched, ...end, ...samples.map((s) => s.t_ms), ...windows.flatMap((x) => x.w!)];
  if (times.length === 0) return { charts: [], notes: ['no timestamps recorded: no time series to draw'] };
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
  }
  const sec = (t: number) => (t - t0) / 1000;
  const bands = windows.map(({ l, w }) => ({
    from: sec(w![0]),
    to: sec(w![1]),
    label: `c=${l.concurrency}`,
  }));
  const x = { label: 'time since the run started', unit: 's' };
  const id = (name: string) => `time-${name}-${idx}`;
  const suffix = (t: string) => (named ? `${t} — ${v.label}` : t);
  const charts: ChartSpec[] = [];

  if (sched.length > 0) {
    const bins = Math.max(50, Math.min(maxPoints, Math.round((t1 - t0) / 100)));
    const inflight = meanOccupancy(sent, end, t0, t1, bins);
    const queue = meanOccupancy(sched, sent, t0, t1, bins);
    charts.push({
      id: id('inflight'),
      title: suffix('Requests in flight and in the client queue'),
      note: 'time-averaged per bin; in flight = sent to last byte, client queue = scheduled to sent; shaded: measurement windows',
      x,
      y: { label: 'requests', unit: 'count', min: 0 },
      series: [
        {
          label: 'in flight',
          x: Array.from(inflight.x, sec),
          y: inflight.y,
          style: 'line',
          color: PALETTE[0]!,
        },
        { label: 'client queue', x: Array.from(queue.x, sec), y: queue.y, style: 'line', color: PALETTE[1]! },
      ],
      bands,
    });
  } else
    notes.push('requests in flight over time: this run stored no per-request timestamps (an older version)');

  const engineSeries = (name: string, label: string, color: string, scale = 1): ChartSeries | null => {
    const s = sampleSeries(samples, name);
    if (s.t.length === 0) return null;
    const d = minMaxDownsample(s.t, s.v, maxPoints);
    return { label, x: Array.from(d.x, sec), y: Array.from(d.y, (y) => y * scale), style: 'step', color };
  };
  const engineName = str(obj(doc.environment.engine).name ?? doc.plan.engine);
  const queueRun = [
    engineSeries('waiting', 'engine queue (waiting)', PALETTE[2]!),
    engineSeries('running', 'running', PALETTE[4]!),
  ].filter((s) => s !== null);
  if (queueRun.length > 0)
    charts.push({
      id: id('engine'),
      title: suffix('Engine queue and running requests'),
      note: `scraped from the engine's Prometheus endpoint (${engineName})`,
      x,
      y: { label: 'requests', unit: 'count', min: 0 },
      series: queueRun,
      bands,
    });
  else notes.push(`engine queue and running requests: ${engineName} exposed no such metrics during the run`);
  const kv = engineSeries('kv_cache_usage', 'KV cache used', PALETTE[6]!, 100);
  if (kv)
    charts.push({
      id: id('kv'),
      title: suffix('KV-cache use'),
      x,
      y: { label: 'KV cache used', unit: '%', min: 0, max: 100 },
      series: [kv],
      bands,
    });
  else notes.push('KV-cache use: not exposed by the engine');
  const power = engineSeries('power_w', 'power (sum of GPUs)', PALETTE[3]!);
  if (power) {
    const idle = num(obj(obj(doc.environment.power).idle).idle_w);
    charts.push({
      id: id('power'),
      title: suffix('Power'),
      note: `source: ${str(obj(doc.environment.power).source)}`,
      x,
      y: { label: 'power', unit: 'W', min: 0 },
      series: [power],
      bands,
      ...(idle !== null ? { hlines: [{ y: idle, label: `idle ${fmt(idle, 0)} W`, color: '#666' }] } : {}),
    });
  } else notes.push('power: no power samples (power source none or unavailable)');
  return { charts, notes };
}

interface SloInfo {
  id: string;
  ttft: number | null;
  tpot: number | null;
}
function sloOf(doc: RunDocument): SloInfo {
  const s = obj(obj(doc.summary).slo);
  return { id: str(s.id), ttft: num(s.ttft_p99_ms), tpot: num(s.tpot_p99_ms) };
}

/** Goodput and attainment per level, and the p99s against the SLO thresholds, green where a level holds. */
function sloCharts(vs: RunView[]): ChartSpec[] {
  const concurrencies = [...new Set(vs.flatMap((v) => v.levels.map((l) => l.concurrency)))].sort(
    (a, b) => a - b,
  );
  const ticks = { values: concurrencies.map((_c, i) => i), labels: concurrencies.map((c) => `c=${c}`) };
  const x = { label: 'concurrency level', unit: 'requests', ticks };
  const pos = (l: LevelDocument) => concurrencies.indexOf(l.concurrency);
  const slo = sloOf(vs[0]!.run.doc);
  const multi = vs.length > 1;
  const goodput: ChartSeries[] = [];
  const ttft: ChartSeries[] = [];
  const tpot: ChartSeries[] = [];
  for (const v of vs) {
    const prefix = multi ? `${v.label} ` : '';
    const ls = v.levels;
    const holdColors = ls.map((l) => (l.slo?.holds ? GOOD : BAD));
    goodput.push(
      {
        label: `${prefix}goodput`,
        x: ls.map(pos),
        y: ls.map((l) => val(l, 'goodput_req_s')),
        style: 'order',
        color: multi ? v.color : PALETTE[4]!,
        dash: v.dash,
        pointColors: holdColors,
      },
      {
        label: `${prefix}throughput`,
        x: ls.map(pos),
        y: ls.map((l) => val(l, 'throughput_req_s')),
        style: 'order',
        color: multi ? v.color : PALETTE[0]!,
        dash: true,
      },
      {
        label: `${prefix}SLO attainment`,
        x: ls.map(pos),
        y: ls.map((l) => {
          const a = val(l, 'slo_attainment');
          return a === null ? null : a * 100;
        }),
        style: 'order',
        color: multi ? v.color : PALETTE[1]!,
        dash: v.dash,
        axis: 'y2',
        pointLabels: ls.map((l) => (l.slo?.holds ? 'holds' : 'misses')),
      },
    );
    for (const [out, key] of [
      [ttft, 'ttft_p99_ms'],
      [tpot, 'tpot_p99_ms'],
    ] as const)
      out.push({
        label: `${prefix}${key.split('_')[0]!.toUpperCase()} p99`,
        x: ls.map(pos),
        y: ls.map((l) => val(l, key)),
        lo: ls.map((l) => ci(l, key, 0)),
        hi: ls.map((l) => ci(l, key, 1)),
        style: 'order',
        color: multi ? v.color : PALETTE[0]!,
        dash: v.dash,
        pointColors: holdColors,
      });
  }
  const threshold = (y: number | null, label: string) => (y === null ? [] : [{ y, label }]);
  return [
    {
      id: 'slo-goodput',
      title: `Goodput and SLO attainment per level (SLO ${slo.id})`,
      note: 'goodput = requests meeting the SLO per second of window; green markers: the level holds the SLO (its p99 TTFT and TPOT within the thresholds), red: it misses',
      x,
      y: { label: 'requests per second', unit: 'req/s', min: 0 },
      y2: { label: 'SLO attainment', unit: '%', min: 0, max: 100 },
      series: goodput,
    },
    {
      id: 'slo-ttft',
      title: 'TTFT p99 per level against the SLO threshold',
      note: 'dashed red line: the threshold; green: level holds the SLO',
      x,
      y: { label: 'TTFT p99', unit: 'ms', min: 0 },
      series: ttft,
      hlines: threshold(slo.ttft, `SLO ${slo.id}: TTFT p99 <= ${fmt(slo.ttft, 0)} ms`),
    },
    {
      id: 'slo-tpot',
      title: 'TPOT p99 per level against the SLO threshold',
      note: 'dashed red line: the threshold; green: level holds the SLO',
      x,
      y: { label: 'TPOT p99', unit: 'ms', min: 0 },
      series: tpot,
      hlines: threshold(slo.tpot, `SLO ${slo.id}: TPOT p99 <= ${fmt(slo.tpot, 0)} ms`),
    },
  ];
}

const ciText = (l: LevelDocument, key: string): string => {
  const m = metric(l, key);
  if (!m || m.value === null) return 'n/a';
  return m.ci95 ? `${fmt(m.value)} [${fmt(m.ci95[0])}, ${fmt(m.ci95[1])}]` : fmt(m.value);
};

/** The level table as HTML: the terminal's columns, CIs in brackets, holds/misses coloured. */
function levelTable(v: RunView, caption: string): ReportBlock {
  const rows: ReportCell[][] = v.levels.map((l) => {
    const errors = Object.values(l.requests?.errors ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    const flags: string[] = [];
    if (!l.converged) flags.push('unconverged');
    if (l.flags?.thin_tail) flags.push('thin-tail');
    if (l.flags?.client_limited) flags.push('client-limited');
    if (l.flags?.drain_timed_out) flags.push('drain-timeout');
    if (l.flags?.aborted) flags.push('aborted');
    return [
      String(l.index + 1),
      String(l.concurrency),
      l.rate_req_s === 'inf' ? 'inf' : `${fmt(l.rate_req_s)}${l.rate_mode === 'auto' ? ' (auto)' : ''}`,
      l.converged ? 'yes' : { text: 'NO', tone: 'warn' },
      String(l.requests?.measured ?? 'n/a'),
      errors > 0 ? { text: String(errors), tone: 'bad' } : '0',
      ciText(l, 'ttft_p50_ms'),
      ciText(l, 'ttft_p99_ms'),
      fmt(val(l, 'tpot_p50_ms')),
      fmt(val(l, 'tpot_p99_ms')),
      fmt(val(l, 'e2e_p50_ms')),
      fmt(val(l, 'throughput_tok_s')),
      fmt(val(l, 'goodput_req_s')),
      fmt(val(l, 'slo_attainment'), 3),
      l.slo?.holds ? { text: 'holds', tone: 'good' } : { text: 'misses', tone: 'bad' },
      flags.join(', ') || '-',
    ];
  });
  const columns = [
    'level',
    'conc',
    'rate req/s',
    'conv',
    'measured',
    'errors',
    'TTFT p50 [CI]',
    'TTFT p99 [CI]',
    'TPOT p50',
    'TPOT p99',
    'E2E p50',
    'tok/s',
    'goodput req/s',
    'attain',
    'SLO',
    'flags',
  ];
  return {
    kind: 'table',
    caption,
    columns,
    rows,
    numeric: columns.map((_c, i) => i >= 1 && i <= 13 && i !== 3),
  };
}

function flagItems(v: RunView): ReportListItem[] {
  const items: ReportListItem[] = [];
  const summary = obj(v.run.doc.summary) as Partial<LlmSummary>;
  for (const l of v.levels)
    for (const n of l.notes ?? [])
      items.push({ text: `level ${l.index + 1} (c=${l.concurrency}): ${n}`, tone: 'warn' });
  for (const l of v.levels)
    for (const e of l.errors_sample ?? [])
      items.push({
        text: `level ${l.index + 1} request ${e.seq}: ${e.status}${e.error ? `: ${e.error}` : ''}`,
        tone: 'bad',
      });
  if (summary.goodput_at_slo?.note) items.push({ text: summary.goodput_at_slo.note, tone: 'bad' });
  for (const n of summary.notes ?? []) items.push({ text: n, tone: 'warn' });
  if (v.run.doc.error) items.push({ text: `error: ${v.run.doc.error}`, tone: 'bad' });
  return items;
}

/** A command line as one copyable string (arguments with spaces or quotes quoted). */
function commandLine(argv: unknown): string {
  if (!Array.isArray(argv)) return str(argv);
  return argv
    .map((a) => (/^[\w@%+=:,./-]+$/.test(String(a)) ? String(a) : `'${String(a).replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

function planEnvBlocks(doc: RunDocument): ReportBlock[] {
  const env = doc.environment;
  const engine = obj(env.engine);
  const hw = obj(env.hardware);
  const dataset = obj(env.dataset ?? doc.plan.dataset_resolved);
  const power = obj(env.power);
  const gpus = Array.isArray(hw.gpus) ? (hw.gpus as Record<string, unknown>[]) : [];
  const rows: [string, string][] = [
    ['run id', doc.run_id],
    ['status', doc.status],
    ['created / finished', `${doc.created_at} / ${str(doc.finished_at)}`],
    ['model', str(doc.plan.model)],
    ['engine', `${str(engine.name ?? doc.plan.engine)} ${str(engine.version)}`],
    ['engine command line', commandLine(engine.command_line)],
    ['endpoint', str(engine.base_url ?? doc.plan.endpoint)],
    ['hardware', str(hw.label)],
    ...(gpus.length > 0
      ? [
          [
            'GPUs',
            gpus
              .map((g) =>
                [g.name ?? g.model, g.driver ? `driver ${g.driver}` : null].filter(Boolean).join(' '),
              )
              .join('; '),
          ] as [string, string],
        ]
      : []),
    ['power source', str(power.source)],
    ['dataset', `${str(dataset.id)} (${str(dataset.items)} items, tokenizer ${str(dataset.tokenizer)})`],
    ['dataset checksum (sha256)', str(dataset.checksum)],
    ['seed', str(doc.plan.seed)],
    [
      'tool',
      `${str(env.tool)} ${str(env.tool_version)}${env.tool_git_commit ? ` (git ${String(env.tool_git_commit).slice(0, 12)}${env.tool_git_dirty ? ', dirty' : ''})` : ''}`,
    ],
    [
      'node / os',
      `${str(env.node)} / ${str(obj(env.os).platform)} ${str(obj(env.os).release)} ${str(obj(env.os).arch)}`,
    ],
    ['host', str(env.hostname)],
  ];
  const planRows: [string, string][] = Object.entries(doc.plan).map(([k, v]) => [
    k,
    typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
  ]);
  return [
    { kind: 'keyvalue', rows },
    {
      kind: 'details',
      open: false,
      summary: 'Full plan (every resolved option)',
      blocks: [{ kind: 'keyvalue', rows: planRows }],
    },
    {
      kind: 'details',
      open: false,
      summary: 'Full environment (JSON)',
      blocks: [{ kind: 'pre', text: JSON.stringify(env, null, 2) }],
    },
  ];
}

/** The headline block exactly as the terminal prints it (everything before the level table). */
function headline(doc: RunDocument): string {
  return renderRun(doc).split('\n\n')[0]!;
}

/** Per run and level, the figures people compare, side by side. */
function sideBySide(vs: RunView[]): ReportBlock {
  const rows: ReportCell[][] = [];
  for (const v of vs)
    for (const l of v.levels)
      rows.push([
        v.label,
        v.run.doc.run_id,
        String(l.concurrency),
        fmt(val(l, 'throughput_tok_s')),
        ciText(l, 'ttft_p50_ms'),
        ciText(l, 'ttft_p99_ms'),
        ciText(l, 'tpot_p50_ms'),
        ciText(l, 'tpot_p99_ms'),
        fmt(val(l, 'goodput_req_s')),
        l.slo?.holds ? { text: 'holds', tone: 'good' } : { text: 'misses', tone: 'bad' },
      ]);
  return {
    kind: 'table',
    caption: 'Runs side by side',
    columns: [
      'run',
      'run id',
      'conc',
      'tok/s',
      'TTFT p50 ms',
      'TTFT p99 ms',
      'TPOT p50 ms',
      'TPOT p99 ms',
      'goodput req/s',
      'SLO',
    ],
    rows,
    numeric: [false, false, true, true, true, true, true, true, true, false],
  };
}

/** The whole report of one or more stored llm.inference runs, as a page of sections and charts. */
export function buildLlmReport(runs: ReportRun[], options: ReportOptions): ReportPage {
  const vs = views(runs);
  const cdfMax = options.cdfPoints ?? 400;
  const timeMax = options.timePoints ?? 1200;
  const sections: ReportSection[] = [];
  const first = runs[0]!.doc;
  const multi = runs.length > 1;

  sections.push({
    id: 'summary',
    title: multi ? 'Summary of each run' : 'Summary',
    blocks: vs.flatMap((v): ReportBlock[] => [
      { kind: 'pre', text: headline(v.run.doc), ...(multi ? { label: v.label } : {}) },
      levelTable(v, `Levels${multi ? ` — ${v.label}` : ''} (latencies in ms, 95% CIs in brackets)`),
      {
        kind: 'details',
        open: false,
        summary: 'The level table as the terminal prints it',
        blocks: [
          { kind: 'pre', text: v.levels.length > 0 ? renderLevelTable(v.levels) : 'no level completed' },
        ],
      },
    ]),
  });
  if (multi)
    sections.push({
      id: 'comparison',
      title: 'Comparison',
      blocks: [
        ...(options.comparison?.blocks ?? [
          {
            kind: 'text',
            text: 'The `bench compare` table is shown by `bench report` when it is given several runs or a group.',
          } as ReportBlock,
        ]),
        sideBySide(vs),
      ],
    });
  sections.push({
    id: 'throughput-latency',
    title: 'Throughput and latency across levels',
    blocks: [
      {
        kind: 'charts',
        charts: [
          throughputChart(vs, 'ttft', 'Output throughput against TTFT p50 and p99', true),
          throughputChart(vs, 'tpot', 'Output throughput against TPOT p50 and p99', false),
          paretoChart(vs),
        ],
      },
    ],
  });
  sections.push({
    id: 'slo',
    title: 'SLO, goodput and attainment',
    blocks: [
      { kind: 'charts', charts: sloCharts(vs) },
      {
        kind: 'list',
        items: vs.flatMap((v) => {
          const g = obj(v.run.doc.summary).goodput_at_slo as LlmSummary['goodput_at_slo'] | undefined;
          const prefix = multi ? `${v.label}: ` : '';
          const holding = v.levels.filter((l) => l.slo?.holds).map((l) => `c=${l.concurrency}`);
          return [
            holding.length > 0
              ? { text: `${prefix}levels holding the SLO: ${holding.join(', ')}`, tone: 'good' as const }
              : { text: `${prefix}no level holds the SLO`, tone: 'bad' as const },
            `${prefix}goodput at SLO: ${g ? `${fmt(g.req_s)} req/s (${fmt(g.tok_s)} tok/s${g.concurrency !== null ? ` at c=${g.concurrency}` : ''})` : 'n/a'}`,
          ];
        }),
      },
    ],
  });
  sections.push({
    id: 'distributions',
    title: 'Latency distributions',
    blocks: [{ kind: 'charts', charts: distributionCharts(vs, cdfMax) }],
  });
  const timeBlocks: ReportBlock[] = [];
  vs.forEach((v, i) => {
    const t = timelineCharts(v, i, timeMax, multi);
    if (multi) timeBlocks.push({ kind: 'text', text: `${v.label} (${v.run.doc.run_id})` });
    timeBlocks.push({ kind: 'charts', charts: t.charts });
    if (t.notes.length > 0) timeBlocks.push({ kind: 'list', items: t.notes });
  });
  sections.push({ id: 'over-time', title: 'Over time', blocks: timeBlocks });
  sections.push({
    id: 'flags',
    title: 'Flags and notes',
    blocks: vs.flatMap((v): ReportBlock[] => {
      const items = flagItems(v);
      return [
        ...(multi ? [{ kind: 'text', text: v.label } as ReportBlock] : []),
        items.length > 0
          ? { kind: 'list', items }
          : { kind: 'text', text: 'no flags: every level converged and met its checks' },
      ];
    }),
  });
  sections.push({
    id: 'plan-environment',
    title: 'Plan and environment',
    blocks: vs.flatMap((v): ReportBlock[] => [
      ...(multi ? [{ kind: 'text', text: v.label } as ReportBlock] : []),
      ...planEnvBlocks(v.run.doc),
    ]),
  });
  const stats = str(obj(first.summary).statistics ?? STATISTICS_NOTE);
  sections.push({
    id: 'statistics',
    title: 'Statistics',
    blocks: [
      { kind: 'text', text: `${stats}; seed ${vs.map((v) => str(v.run.doc.plan.seed)).join(', ')}.` },
      {
        kind: 'text',
        text: 'Every figure and chart here is computed from what the run store holds for these runs (level documents, per-request records and samples). Latency counts from the scheduled arrival (no coordinated omission); only requests scheduled inside a level’s measurement window are measured. Distributions and time series are thinned to what a chart can show (CDFs keep every rank of the top 1%); the tables hold the exact figures.',
      },
    ],
  });
  const ids = runs.map((r) => r.doc.run_id);
  return {
    title: multi
      ? `inferencebench report: ${runs.length} runs`
      : `inferencebench report: ${str(first.plan.model)} on ${runLabel(first, false)}`,
    subtitle: `${multi ? 'runs' : 'run'} ${ids.join(', ')} · ${str(first.plugin)} · created ${first.created_at}`,
    sections,
    generator: options.generator,
  };
}
