import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SimServer, startSimServer } from 'inferencebench-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertExit, e2eHome, readDoc, runBench, type E2eDoc } from './e2e-cli.js';
import { chromiumMissing, openReport, type OpenedReport, screenshot } from './report-browser.js';

// A model name that would run as script if any run string reached the page unescaped.
const INJECTED = '<script>alert(1)</script>';
const missing = chromiumMissing();

const home = e2eHome();
let sim: SimServer;
let docA: E2eDoc;
let docB: E2eDoc;
let stdoutA = '';
let reportA = '';
let reportMulti = '';

/** A short two-level sweep against the simulator, which serves (and so accepts) the injected model name. */
async function benchRun(seed: number, extra: string[]): Promise<{ doc: E2eDoc; stdout: string }> {
  const out = join(home.dir, `run-${seed}.json`);
  const r = await runBench(
    [
      'run',
      'llm.inference',
      '--engine',
      'vllm',
      '--endpoint',
      `${sim.url}/v1`,
      '--model',
      INJECTED,
      '--dataset',
      'synthetic',
      '--input-len',
      '64',
      '--output-len',
      '32',
      '--concurrency',
      '2,8',
      '--duration',
      '3',
      '--warmup-runs',
      '1',
      '--gate-timeout',
      '2',
      '--power-source',
      `dcgm:${sim.url}/dcgm/metrics`,
      '--seed',
      String(seed),
      '--quiet',
      '--output',
      out,
      ...extra,
    ],
    home.dir,
    { timeoutMs: 110_000 },
  );
  assertExit(r);
  return { doc: readDoc(out), stdout: r.stdout };
}

beforeAll(async () => {
  if (missing) return;
  sim = await startSimServer({ servedModelName: INJECTED, seed: 1 });
  reportA = join(home.dir, 'run-a.html');
  const a = await benchRun(7, ['--report', reportA]);
  docA = a.doc;
  stdoutA = a.stdout;
  docB = (await benchRun(8, [])).doc;
  reportMulti = join(home.dir, 'multi.html');
  assertExit(await runBench(['report', docA.run_id, docB.run_id, '--out', reportMulti], home.dir));
}, 240_000);

afterAll(async () => {
  await sim?.close();
  home.cleanup();
});

/** Every chart drew points of its own series' colours, and every axis says what it measures in what unit. */
function expectChartsDrawn(opened: OpenedReport): void {
  expect(opened.charts.length).toBeGreaterThan(0);
  for (const c of opened.charts) {
    expect({ id: c.id, empty: c.empty ?? false }).toEqual({ id: c.id, empty: false });
    expect(c.points, c.id).toBeGreaterThan(0);
    expect(c.seriesPixels, `${c.id}: series pixels on the canvas`).toBeGreaterThan(20);
    expect(c.axes.length, c.id).toBeGreaterThanOrEqual(2);
    for (const a of c.axes) expect(a, `${c.id} axis`).toMatch(/\S \(.+\)$/);
  }
}

describe('the HTML report of a real run, opened in headless Chromium', () => {
  it('chromium is available to check the report', (ctx) => {
    if (missing && process.env.CI) throw new Error(`${missing}; .ci/run installs it`);
    if (missing) ctx.skip(missing);
  });

  it.skipIf(missing !== null)(
    'draws every chart, makes no request, shows the stored figures, and renders a script model name as text',
    async () => {
      const opened = await openReport(reportA);
      try {
        await screenshot(opened.page, 'report-single-run.png');
        expect(opened.consoleErrors).toEqual([]);
        expect(opened.dialogs).toEqual([]);
        // Nothing but the file itself: the library and styles are inline, and the page's CSP allows no fetch.
        expect(opened.requests).toEqual([`file://${reportA}`]);
        expectChartsDrawn(opened);
        const ids = opened.charts.map((c) => c.id);
        for (const id of [
          'throughput-ttft',
          'throughput-tpot',
          'pareto',
          'slo-goodput',
          'slo-ttft',
          'slo-tpot',
          'cdf-ttft',
          'cdf-tpot',
          'cdf-itl',
          'time-inflight-0',
          'time-engine-0',
          'time-kv-0',
          'time-power-0',
        ])
          expect(ids).toContain(id);

        // Rendered text (innerText), not textContent: the JSON data element would hold the strings too.
        // biome-ignore lint/performance/useDomNodeTextContent: what a reader sees is the point here
        const text = await opened.page.evaluate(() => document.body.innerText);
        expect(text).toContain(docA.run_id);
        // The headline block is the one the terminal printed for this run, line for line.
        const headline = stdoutA.split('\n\n')[0]!;
        const pre = await opened.page.evaluate(() => document.querySelector('#summary pre')!.textContent);
        expect(pre).toBe(headline);
        // ...and its figures are the stored document's.
        const head = docA.levels.find((l) => l.index === docA.summary.headline_level)!;
        for (const key of ['ttft_p50_ms', 'tpot_p99_ms', 'throughput_tok_s']) {
          const v = head.metrics[key]!.value!;
          const shown = new RegExp(`\\n {2}${key} +(\\S+)`).exec(`\n${pre}`)![1]!;
          expect(Number(shown)).toBeCloseTo(v, Math.abs(v) >= 100 ? 0 : 1);
        }
        // The level table holds each level's measured count and SLO verdict.
        const rows = await opened.page.evaluate(() =>
          [...document.querySelectorAll('#summary table tbody tr')].map((tr) =>
            [...tr.querySelectorAll('td')].map((td) => td.textContent),
          ),
        );
        expect(rows.map((r) => Number(r[4]))).toEqual(docA.levels.map((l) => l.requests.measured));
        expect(rows.map((r) => r[14])).toEqual(docA.levels.map((l) => (l.slo.holds ? 'holds' : 'misses')));

        // The injected model name is text on the page, and no script element beyond the report's own three.
        expect(await opened.page.title()).toContain(INJECTED);
        expect(text).toContain(INJECTED);
        expect(await opened.page.evaluate(() => document.scripts.length)).toBe(3);
        expect(await opened.page.evaluate(() => document.querySelectorAll('script:not([type])').length)).toBe(
          2,
        );
      } finally {
        await opened.close();
      }
    },
    60_000,
  );

  it.skipIf(missing !== null)('`bench report RUN` writes the same file as `bench run --report`', async () => {
    const again = join(home.dir, 'again.html');
    assertExit(await runBench(['report', docA.run_id.slice(0, 12), '--out', again], home.dir));
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(reportA, 'utf8'));
  });

  it.skipIf(missing !== null)(
    'overlays two runs on the same charts, one series per run',
    async () => {
      const opened = await openReport(reportMulti);
      try {
        await screenshot(opened.page, 'report-two-runs.png');
        expect(opened.consoleErrors).toEqual([]);
        expect(opened.requests).toEqual([`file://${reportMulti}`]);
        expectChartsDrawn(opened);
        const pareto = opened.charts.find((c) => c.id === 'pareto')!;
        const labels = pareto.series.map((s) => s.label);
        expect(labels.some((l) => l.endsWith(docA.run_id.slice(-6)))).toBe(true);
        expect(labels.some((l) => l.endsWith(docB.run_id.slice(-6)))).toBe(true);
        // Distributions per level, each with one series per run.
        const cdf = opened.charts.find((c) => c.id === 'cdf-ttft-c8')!;
        expect(cdf.series.filter((s) => s.points > 0)).toHaveLength(2);
        // Rendered text (innerText), not textContent: the JSON data element would hold the strings too.
        // biome-ignore lint/performance/useDomNodeTextContent: what a reader sees is the point here
        const text = await opened.page.evaluate(() => document.body.innerText);
        expect(text).toContain(docA.run_id);
        expect(text).toContain(docB.run_id);
      } finally {
        await opened.close();
      }
    },
    60_000,
  );
});
