import { fmt } from '../output/render.js';
import type { ComparisonDocument } from './comparison.js';

const ci = (v: number, c: [number, number] | null): string =>
  c ? `${fmt(v)} [${fmt(c[0])}, ${fmt(c[1])}]` : fmt(v);
const ratioText = (v: number, c: [number, number] | null): string =>
  c ? `${v.toFixed(3)} [${c[0].toFixed(3)}, ${c[1].toFixed(3)}]` : v.toFixed(3);
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** The comparison as a terminal table, in the run table's style (values with [95% CI]). */
export function renderComparison(doc: ComparisonDocument): string {
  const [a, b] = doc.sides as [ComparisonDocument['sides'][0], ComparisonDocument['sides'][0]];
  const lines: string[] = [];
  lines.push(
    `Comparison: ${b.label} vs ${a.label}${doc.group_id ? ` (group ${doc.group_id})` : ''}`,
    'Sides:',
  );
  const width = Math.max(a.label.length, b.label.length);
  for (const s of doc.sides) {
    const cfg = s.config as { model?: unknown; quant?: unknown; tp?: unknown; engine_arg?: unknown[] };
    const args =
      Array.isArray(cfg.engine_arg) && cfg.engine_arg.length > 0 ? `; args ${cfg.engine_arg.join(' ')}` : '';
    lines.push(
      `  ${s.label.padEnd(width)}  ${s.engine.name} ${s.engine.versions.map((v) => v ?? 'unknown').join('/')} on ${s.hardware.map((h) => h ?? 'unknown').join('/')}; model ${String(cfg.model)} @ ${String(cfg.quant ?? 'default')}, tp ${String(cfg.tp)}${args}`,
      `  ${' '.repeat(width)}  ${s.runs.length} launch(es), seeds ${s.seeds.join(',')}: ${s.runs.join(' ')}`,
    );
  }
  lines.push('');
  const gated = doc.gate !== undefined;
  const header = [
    'conc',
    'metric',
    `${a.label} [95% CI]`,
    `${b.label} [95% CI]`,
    'ratio [95% CI]',
    'verdict',
    'launch spread (CoV)',
    ...(gated ? ['gate'] : []),
  ];
  const rows = doc.rows.map((r) => [
    String(r.concurrency),
    r.metric,
    ci(r.sides[0]!.mean, r.sides[0]!.ci95),
    ci(r.sides[1]!.mean, r.sides[1]!.ci95),
    r.ratio.value === null ? 'n/a' : ratioText(r.ratio.value, r.ratio.ci95),
    r.verdict,
    `${pct(r.sides[0]!.spread.cov)} / ${pct(r.sides[1]!.spread.cov)}`,
    ...(gated
      ? [r.gate ? r.gate.map((g) => `${g.passed ? 'pass' : 'FAIL'} ${g.bound}`).join(', ') : '-']
      : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push(line(header), ...rows.map(line), '');
  if (doc.gate) {
    lines.push(
      doc.gate.passed
        ? `Gate: passed (${doc.gate.bounds.join(', ')}: no significant move past a bound)`
        : `Gate: FAILED: ${doc.gate.failed.map((f) => `c=${f.concurrency} ${f.metric} ${f.change_pct >= 0 ? '+' : ''}${f.change_pct.toFixed(1)}% (ratio CI [${f.ratio_ci95[0].toFixed(3)}, ${f.ratio_ci95[1].toFixed(3)}]) past ${f.bound}`).join('; ')}`,
    );
  }
  for (const n of doc.notes) lines.push(`Note: ${n}`);
  lines.push(`Statistics: ${doc.statistics}`);
  return `${lines.join('\n')}\n`;
}
