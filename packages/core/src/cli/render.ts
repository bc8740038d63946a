import type { RunDocument, StoredRequest } from '../plugin/types.js';
import type { RunListItem } from '../store/types.js';

/** JSON.stringify that keeps non-finite numbers readable (`"inf"`) instead of turning them into null. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === 'number' && !Number.isFinite(v))
        return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
      return v;
    },
    indent,
  );
}

function compact(value: unknown, max = 100): string {
  const s = typeof value === 'string' ? value : toJson(value);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** The terminal rendering used when a plugin has no `render`: header, plan, levels, summary. */
export function renderGeneric(doc: RunDocument): string {
  const lines = [
    `Run id: ${doc.run_id}`,
    `Plugin: ${doc.plugin}`,
    `Status: ${doc.status}${doc.error ? ` (${doc.error})` : ''}`,
    `Created: ${doc.created_at}${doc.finished_at ? `  finished: ${doc.finished_at}` : ''}`,
    'Plan:',
    ...Object.entries(doc.plan).map(([k, v]) => `  ${k.padEnd(18)} ${compact(v)}`),
  ];
  if (doc.levels.length > 0) {
    lines.push('Levels:');
    doc.levels.forEach((level, i) => {
      lines.push(`  [${i}] ${compact(level, 200)}`);
    });
  }
  if (doc.records) lines.push(`Records: ${doc.records.requests} requests, ${doc.records.samples} samples`);
  if (doc.summary !== null && doc.summary !== undefined) lines.push(`Summary: ${compact(doc.summary, 400)}`);
  return `${lines.join('\n')}\n`;
}

/** `bench runs list` as a table: MEASURED is the levels' measured requests, SENT every request recorded. */
export function renderRunList(runs: (RunListItem & { measured_requests?: number | null })[]): string {
  if (runs.length === 0) return 'no runs yet (start one with `bench run <plugin>`)\n';
  const rows = runs.map((r) => [
    r.run_id,
    r.plugin,
    r.status,
    r.created_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    r.measured_requests === null || r.measured_requests === undefined ? '-' : String(r.measured_requests),
    String(r.requests),
    ['model', 'engine']
      .filter((k) => r.plan[k] !== undefined)
      .map((k) => `${k}=${compact(r.plan[k], 40)}`)
      .join(' '),
  ]);
  const header = ['RUN ID', 'PLUGIN', 'STATUS', 'CREATED', 'MEASURED', 'SENT', 'PLAN'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[fmt(header), ...rows.map(fmt)].join('\n')}\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'object' ? toJson(value) : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Request records as CSV (RFC 4180), one row per request: the known columns, then one column per
 * top-level key of the records' `data` objects (nested values as JSON).
 */
export function requestsCsv(runId: string, requests: StoredRequest[]): string {
  // The store's columns and the run's declared ones, in the stored order; then the keys of `data`.
  const fixed = Object.keys(requests[0] ?? { level: 0, seq: 0, status: '', phase: null }).filter(
    (k) => k !== 'data',
  );
  const extra: string[] = [];
  const seen = new Set<string>(['run_id', ...fixed]);
  let scalarData = false;
  for (const r of requests) {
    if (r.data !== null && typeof r.data === 'object' && !Array.isArray(r.data)) {
      for (const k of Object.keys(r.data)) if (!seen.has(k)) seen.add(k) && extra.push(k);
    } else if (r.data !== null && r.data !== undefined) scalarData = true;
  }
  if (scalarData && !seen.has('data')) extra.push('data');
  const lines = [['run_id', ...fixed, ...extra].join(',')];
  for (const r of requests) {
    const obj =
      r.data !== null && typeof r.data === 'object' && !Array.isArray(r.data)
        ? (r.data as Record<string, unknown>)
        : {};
    const cells = [
      runId,
      ...fixed.map((k) => r[k]),
      ...extra.map((k) => (k === 'data' && !(k in obj) ? (r.data === obj ? undefined : r.data) : obj[k])),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
