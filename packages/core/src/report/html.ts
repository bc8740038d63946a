import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BenchError } from '../errors.js';
import type {
  ChartSeries,
  ChartSpec,
  ReportBlock,
  ReportCell,
  ReportListItem,
  ReportPage,
  ReportSection,
} from './types.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` become `\u003c`-style escapes
 * (valid JSON, same value) so that no string in the data can close the element (`</script>`) or open a
 * comment (`<!--`); U+2028/U+2029 are escaped too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The assets inlined into every report: uPlot (a dependency, read from node_modules) and our drawing code. */
interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
  clientJs: string;
}

let assetsCache: ReportAssets | null = null;

/**
 * uPlot's files from node_modules, and `assets/report-client.js` from this package. The library's banner
 * names its home page; it is replaced by a notice without a URL, so that the file holds no external URL.
 */
export function reportAssets(): ReportAssets {
  if (assetsCache) return assetsCache;
  const require = createRequire(import.meta.url);
  try {
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    const version = (require('uplot/package.json') as { version: string }).version;
    const clientJs = readFileSync(new URL('../../assets/report-client.js', import.meta.url), 'utf8');
    assetsCache = {
      uplotJs: `/*! uPlot ${version}, (c) 2022 Leon Sorokin, MIT license */${js.replace(/^\/\*![^*]*\*\//, '')}`,
      uplotCss: css,
      clientJs,
    };
    return assetsCache;
  } catch (err) {
    throw new BenchError('BENCH_ERR_INTERNAL', `cannot read the report's chart library: ${String(err)}`, {
      hint: 'reinstall with `npm ci` (the report inlines uPlot from node_modules)',
      cause: err,
    });
  }
}

const PAGE_CSS = `
:root { --fg: #1d232b; --muted: #5b6573; --line: #d8dde4; --bg: #fff; --panel: #f6f8fa;
  --good: #1a7f37; --bad: #c62828; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer, nav { max-width: 1360px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
.subtitle, .note, footer { color: var(--muted); }
nav ul { list-style: none; padding: 0; margin: 10px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav a { color: #0b57d0; text-decoration: none; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 10px 12px;
  overflow-x: auto; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 12px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; white-space: nowrap; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { white-space: nowrap; }
td:last-child { white-space: normal; min-width: 9em; }
td.kv-key { font-weight: 600; white-space: nowrap; }
td.kv-val { word-break: break-word; white-space: normal; }
.tone-good { color: var(--good); font-weight: 600; }
.tone-bad { color: var(--bad); font-weight: 600; }
.tone-warn { color: var(--warn); }
.table-wrap { overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px 22px; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 2px; }
figure .note { font-size: 12px; margin-bottom: 4px; }
.chart { width: 100%; min-height: 300px; }
.chart-empty { color: var(--muted); font-style: italic; padding: 20px 0; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; margin-top: 2px; }
.u-legend th, .u-legend td { border: none; background: none; padding: 1px 4px; font-weight: normal; }
.u-legend .u-marker { width: 12px; height: 4px; margin-right: 4px; }
@media (max-width: 700px) { .charts { grid-template-columns: 1fr; } }
@media print {
  body { font-size: 11px; }
  nav { display: none; }
  header, main, footer { max-width: none; padding: 0; }
  .charts { display: block; }
  figure { margin-bottom: 14px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  pre { white-space: pre-wrap; font-size: 9px; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5px; }
  th, td, td.num { white-space: normal; padding: 2px 3px; }
}
`;

function cell(c: ReportCell, numeric: boolean): string {
  const text = typeof c === 'string' ? c : c.text;
  const tone = typeof c === 'string' ? undefined : c.tone;
  const cls = [numeric ? 'num' : '', tone ? `tone-${tone}` : ''].filter(Boolean).join(' ');
  return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;
}

function listItem(item: ReportListItem): string {
  if (typeof item === 'string') return `<li>${escapeHtml(item)}</li>`;
  return `<li${item.tone ? ` class="tone-${item.tone}"` : ''}>${escapeHtml(item.text)}</li>`;
}

/** Ids go into attributes and the client looks charts up by them: keep them to a safe alphabet. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-');
}

function renderBlock(block: ReportBlock): string {
  switch (block.kind) {
    case 'text':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'pre':
      return `${block.label ? `<h3>${escapeHtml(block.label)}</h3>` : ''}<pre>${escapeHtml(block.text)}</pre>`;
    case 'table': {
      const head = block.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
      const body = block.rows
        .map((r) => `<tr>${r.map((c, i) => cell(c, block.numeric?.[i] ?? false)).join('')}</tr>`)
        .join('\n');
      const caption = block.caption ? `<h3>${escapeHtml(block.caption)}</h3>` : '';
      return `${caption}<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
    }
    case 'keyvalue':
      return `<div class="table-wrap"><table class="kv"><tbody>${block.rows
        .map(
          ([k, v]) =>
            `<tr><td class="kv-key">${escapeHtml(k)}</td><td class="kv-val">${escapeHtml(v)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`;
    case 'list':
      return `<ul>${block.items.map(listItem).join('')}</ul>`;
    case 'charts':
      return `<div class="charts">${block.charts
        .map(
          (c) =>
            `<figure data-chart="${safeId(c.id)}"><figcaption>${escapeHtml(c.title)}</figcaption>${
              c.note ? `<div class="note">${escapeHtml(c.note)}</div>` : ''
            }<div class="chart" id="chart-${safeId(c.id)}"></div></figure>`,
        )
        .join('\n')}</div>`;
    case 'details':
      return `<details${block.open === false ? '' : ' open'}><summary>${escapeHtml(block.summary)}</summary>${block.blocks.map(renderBlock).join('\n')}</details>`;
  }
}

function renderSection(s: ReportSection): string {
  return `<section id="${safeId(s.id)}"><h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(renderBlock).join('\n')}</section>`;
}

/** Six significant digits: what a chart can show, and a smaller file. */
function compact(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Number(v.toPrecision(6));
}

function seriesJson(s: ChartSeries): Record<string, unknown> {
  const arr = (a: ArrayLike<number | null> | undefined) =>
    a === undefined ? undefined : Array.from(a, (v) => compact(v));
  return { ...s, x: arr(s.x), y: arr(s.y), lo: arr(s.lo), hi: arr(s.hi) };
}

function chartsOf(blocks: ReportBlock[], out: ChartSpec[]): void {
  for (const b of blocks) {
    if (b.kind === 'charts') out.push(...b.charts);
    else if (b.kind === 'details') chartsOf(b.blocks, out);
  }
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The page as one HTML string: styles, uPlot and the drawing code inlined, chart data in a JSON script
 * element. A Content-Security-Policy allows only these inline scripts and style (by hash) and no network
 * at all, so even a string that escaped escaping could neither run nor fetch anything.
 */
export function renderReportHtml(page: ReportPage): string {
  const assets = reportAssets();
  const charts: ChartSpec[] = [];
  for (const s of page.sections) chartsOf(s.blocks, charts);
  const data = jsonForScript({
    charts: charts.map((c) => ({ ...c, id: safeId(c.id), series: c.series.map(seriesJson) })),
  });
  const style = `${assets.uplotCss}\n${PAGE_CSS}`;
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(assets.uplotJs)} ${sha256(assets.clientJs)}`,
    `style-src ${sha256(style)}`,
    'img-src data:',
  ].join('; ');
  const toc = page.sections
    .map((s) => `<li><a href="#${safeId(s.id)}">${escapeHtml(s.title)}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(page.title)}</title>
<style>${style}</style>
</head>
<body>
<header><h1>${escapeHtml(page.title)}</h1>${page.subtitle ? `<div class="subtitle">${escapeHtml(page.subtitle)}</div>` : ''}</header>
<nav><ul>${toc}</ul></nav>
<main>
${page.sections.map(renderSection).join('\n')}
</main>
<footer><p>${escapeHtml(page.generator)}</p></footer>
<script type="application/json" id="report-data">${data}</script>
<script>${assets.uplotJs}</script>
<script>${assets.clientJs}</script>
</body>
</html>
`;
}
