// Report benchmark (`npm run bench:report`): a stored 4-level sweep of 100,000 requests (each with its
// chunk gaps, as real runs store them) plus engine and power samples; then the time `bench report` takes
// to write the HTML file (target: under 5 s) and the time Chromium takes to open it and draw every chart
// (target: under 2 s). Imports the built packages: run `npx tsc -b` first. The browser part needs Debian's
// chromium at /usr/bin/chromium (it is skipped, saying so, without it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRng, openStore, percentile } from '../packages/core/dist/index.js';

const REQUESTS = Number(process.env.REPORT_BENCH_REQUESTS ?? 100_000);
const LEVELS = [8, 32, 128, 256];
const OUTPUT_TOKENS = 200;
const dir = mkdtempSync(join(tmpdir(), 'ib-report-bench-'));
const rng = createRng(42);
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** A level document of today's shape (SPEC §12), with the figures computed from the generated records. */
function levelDoc(index, concurrency, records, windowMs) {
  const metric = (values) => {
    const sorted = Float64Array.from(values).sort();
    const out = {};
    for (const p of [50, 90, 99]) {
      const v = percentile(sorted, p);
      out[p] = { value: v, ci95: [v * 0.98, v * 1.02] };
    }
    return out;
  };
  const m = {};
  for (const [name, values] of [
    ['ttft', records.map((r) => r.ttft)],
    ['tpot', records.map((r) => r.tpot)],
    ['e2e', records.map((r) => r.e2e)],
  ]) {
    const d = metric(values);
    for (const p of [50, 90, 99]) m[`${name}_p${p}_ms`] = d[p];
  }
  const windowS = (windowMs[1] - windowMs[0]) / 1000;
  const tokS = (records.length * OUTPUT_TOKENS) / windowS;
  const meeting = records.filter((r) => r.ttft <= 300 && r.tpot <= 50).length;
  Object.assign(m, {
    throughput_tok_s: { value: tokS, unit: 'tok/s' },
    throughput_req_s: { value: records.length / windowS, unit: 'req/s' },
    goodput_req_s: { value: meeting / windowS, unit: 'req/s' },
    slo_attainment: { value: meeting / records.length },
    power_avg_w: { value: 400 + concurrency, unit: 'W' },
    joules_per_token: { value: (400 + concurrency) / tokS, unit: 'J/tok' },
  });
  return {
    index,
    concurrency,
    rate_req_s: records.length / windowS,
    rate_mode: 'auto',
    converged: true,
    window_s: windowS,
    requests: { measured: records.length, ok: records.length, errors: {}, unmeasured: { gate: 0, drain: 0 } },
    metrics: m,
    slo: { id: 'llm.standard', holds: m.ttft_p99_ms.value <= 300 && m.tpot_p99_ms.value <= 50, meeting },
    flags: {
      converged: true,
      thin_tail: false,
      client_limited: false,
      drain_timed_out: false,
      aborted: false,
    },
    errors_sample: [],
    notes: [],
    window_epoch_ms: windowMs,
  };
}

// --- The stored run: written through the store's own writer, as a run writes it.
const t0 = performance.now();
const storePath = join(dir, 'store.sqlite');
const store = await openStore(storePath);
const runId = await store.createRun({
  plugin: 'llm.inference',
  plan: { model: 'meta-llama/Llama-3.1-8B-Instruct', engine: 'vllm', concurrency: LEVELS, seed: 42, tp: 1 },
  environment: { engine: { name: 'vllm', version: '0.7.2' }, power: { source: 'nvml' } },
});
const writer = await store.writer(runId);
let clock = 1_800_000_000_000;
const perLevel = REQUESTS / LEVELS.length;
const levels = [];
for (const [index, c] of LEVELS.entries()) {
  const tpot = 6 + c * 0.07;
  const e2eMean = 60 + tpot * OUTPUT_TOKENS;
  const gapMs = e2eMean / c;
  const start = clock;
  const records = [];
  for (let i = 0; i < perLevel; i++) {
    const scheduled = start + i * gapMs;
    const ttft = 20 + c * 0.5 + -Math.log(1 - rng.next()) * 30;
    const itl = Array.from(
      { length: OUTPUT_TOKENS - 1 },
      () => Math.round(tpot * (0.7 + 0.6 * rng.next()) * 1000) / 1000,
    );
    const e2e = ttft + itl.reduce((a, b) => a + b, 0);
    const rec = { ttft, tpot: (e2e - ttft) / (OUTPUT_TOKENS - 1), e2e };
    records.push(rec);
    writer.request({
      level: index,
      seq: i,
      status: 'ok',
      phase: 'measured',
      fields: {
        ttft_ms: ttft,
        tpot_ms: rec.tpot,
        e2e_ms: e2e,
        n_in: 512,
        n_out: OUTPUT_TOKENS,
        queue_wait_ms: 0.1,
      },
      data: {
        itl_ms: itl,
        n_out_source: 'usage',
        scheduled_epoch_ms: scheduled,
        sent_epoch_ms: scheduled + 0.1,
        end_epoch_ms: scheduled + e2e,
      },
    });
  }
  clock = start + perLevel * gapMs + e2eMean;
  levels.push(levelDoc(index, c, records, [start, start + perLevel * gapMs]));
  await writer.level(index, levels.at(-1));
}
// Engine series at 1 Hz and power at 10 Hz over the whole run.
const runStart = 1_800_000_000_000;
for (let t = runStart; t < clock; t += 100) {
  writer.sample({ series: 'power_w', tMs: t, value: 300 + 300 * rng.next() });
  if ((t - runStart) % 1000 === 0) {
    writer.sample({ series: 'running', tMs: t, value: Math.round(rng.next() * 256) });
    writer.sample({ series: 'waiting', tMs: t, value: Math.round(rng.next() * 10) });
    writer.sample({ series: 'kv_cache_usage', tMs: t, value: rng.next() });
  }
}
await writer.setSummary({
  goodput_at_slo: { req_s: 0, tok_s: 0, concurrency: null, note: null },
  slo: { id: 'llm.standard', ttft_p99_ms: 300, tpot_p99_ms: 50 },
  headline_level: LEVELS.length - 1,
  notes: [],
});
await writer.close();
await store.finishRun(runId, 'complete');
const counts = (await store.getRunDocument(runId)).records;
await store.close();
console.log(
  `fixture: ${REQUESTS} requests in ${LEVELS.length} levels (${OUTPUT_TOKENS - 1} chunk gaps each), ${counts.samples} samples, store ${(statSync(storePath).size / 1e6).toFixed(0)} MB, built in ${secs(performance.now() - t0)}`,
);

// --- bench report, as a user runs it (a fresh process: start-up, store read, build, render, write).
const out = join(dir, 'report.html');
const bin = new URL('../packages/core/dist/bin.js', import.meta.url);
// CPU time (user + sys) of that process too, through /usr/bin/time where it exists: on a shared, loaded
// machine it says what the wall time would be on a quiet one better than the wall time does.
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const cmd = [process.execPath, bin.pathname, 'report', runId, '--out', out, '--store', storePath];
const w0 = performance.now();
const res = spawnSync(timeBin ?? cmd[0], timeBin ? ['-f', 'cpu %U %S', ...cmd] : cmd.slice(1), {
  encoding: 'utf8',
});
const writeMs = performance.now() - w0;
if (res.status !== 0) throw new Error(`bench report failed: ${res.stderr}`);
const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(res.stderr);
console.log(
  `bench report: file written in ${secs(writeMs)} (target < 5 s)${cpu ? `, CPU ${(Number(cpu[1]) + Number(cpu[2])).toFixed(2)} s` : ''}, ${(statSync(out).size / 1024).toFixed(0)} KB; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`,
);

// --- Open it in Chromium: navigation start to the last chart drawn.
if (!existsSync('/usr/bin/chromium')) {
  console.log('open: skipped, chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)');
} else {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'ib-report-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
    viewport: { width: 1366, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const times = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(pathToFileURL(out).href);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    times.push(await page.evaluate(() => performance.getEntriesByName('report-drawn')[0].startTime));
  }
  const charts = await page.evaluate(() => window.__report.charts.length);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  console.log(
    `open in chromium: every chart (${charts}) drawn ${secs(times[1])} after navigation start (median of 3; min ${secs(times[0])}, max ${secs(times[2])}; target < 2 s)`,
  );
}
if (!process.env.REPORT_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${storePath} (run ${runId})`);
