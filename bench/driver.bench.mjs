// Load-driver benchmark (SPEC §15): scheduling lag and the driver's CPU at 500 req/s against a fast local
// server, memory per in-flight request, memory per 100,000-request run of driver records. Run after
// `npm run build`:
//   npm run bench:driver [-- rate=500 durationS=10]
// With taskset available the driver re-executes itself pinned to core 0 and the server runs in its own
// process pinned to core 1 (SPEC §15 setup); BENCH_NODE_FLAGS adds node flags to the driver (--cpu-prof).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (hasTaskset && !process.env.BENCH_PINNED) {
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    'taskset',
    ['-c', '0', process.execPath, '--expose-gc', ...flags, self, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PINNED: '1' },
    },
  );
  const [code] = await once(child, 'exit');
  process.exit(code ?? 1);
}

const { createRng } = await import('inferencebench');
const { buildRecord, levelDocument, resolveSlo, runLevel, wordCounter } = await import('inferencebench-llm');
const { createStreamingClient } = await import('../packages/llm/dist/client/streaming-client.js');

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rate = Number(positional[0] ?? 500);
const durationS = Number(positional[1] ?? 10);
// --lag-only: just the scheduling-lag run (for repeated timing runs).
const lagOnly = process.argv.includes('--lag-only');
const gc = globalThis.gc ?? (() => {});

/** The fast server (4 tokens, 1 ms apart) or, with `stall`, one that holds streams open forever. */
async function server(stall) {
  const script = fileURLToPath(new URL('./servers/driver-stream.mjs', import.meta.url));
  const args = hasTaskset ? ['-c', '1', process.execPath, script] : [script];
  const proc = spawn(hasTaskset ? 'taskset' : process.execPath, args, {
    env: { ...process.env, STALL: stall ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`driver server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/v1`, close: () => proc.kill() };
}
// Warnings (an abort-listener leak shows up as MaxListenersExceededWarning) are counted and reported.
let warnings = 0;
process.on('warning', (w) => {
  warnings++;
  console.log(`warning: ${w.name}: ${w.message}`);
});
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, node ${process.version}, ` +
    `pinned: ${hasTaskset}, load average ${os.loadavg()[0].toFixed(2)}`,
);
const quirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };
const items = Array.from({ length: 100 }, (_, i) => ({
  id: `b${i}`,
  prompt: 'hello world',
  promptTokens: 8,
  outputTokens: 4,
}));
const mb = (b) => (b / 1048576).toFixed(1);
// Involuntary context switches of the main thread alone (Linux): the process-wide count also has the
// sleeper's waiting thread, whose every wake-up takes the shared core for a moment by design.
const mainPreemptions = () => {
  try {
    const status = readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8');
    return Number(/nonvoluntary_ctxt_switches:\s*(\d+)/.exec(status)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
};
// CPU the driver process used between two resourceUsage() readings, in ms and as a share of the wall time.
const cpuOf = (u0, u1, wallMs) => {
  const ms = (u1.userCPUTime - u0.userCPUTime + u1.systemCPUTime - u0.systemCPUTime) / 1000;
  return `${ms.toFixed(0)} ms (${((100 * ms) / wallMs).toFixed(1)}% of a core)`;
};

// 0. The machine's own floor: the driver's sleeper alone on the same Poisson schedule, no requests. Lag
// here is the kernel and the runtime (other processes on the core, timer wake-ups), not the driver's work.
{
  const { PreciseSleeper } = await import('../packages/llm/dist/load/precise-sleep.js');
  const rng = createRng(7);
  const sleeper = new PreciseSleeper();
  // The sleeper's waiting thread boots in tens of ms; the level runner starts it before its warm-up.
  sleeper.prepare?.();
  const lateMs = [];
  let next = performance.now() + 100;
  const end = next + durationS * 1000;
  const usage0 = process.resourceUsage();
  const main0 = mainPreemptions();
  const t0 = performance.now();
  while (next < end) {
    await sleeper.until(next);
    lateMs.push(performance.now() - next);
    next += rng.exponential(rate / 1000);
  }
  const usage = process.resourceUsage();
  const main1 = mainPreemptions();
  const wallMs = performance.now() - t0;
  sleeper.close?.();
  const sorted = Float64Array.from(lateMs).sort();
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3);
  console.log(
    `sleeper alone @ ${rate}/s for ${durationS} s (the machine's floor): lateness p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, ` +
      `max ${sorted[sorted.length - 1].toFixed(3)} ms; ${sorted.filter((x) => x > 1).length} of ${sorted.length} over 1 ms; ` +
      `main thread preempted ${main1 - main0} times (process ${usage.involuntaryContextSwitches - usage0.involuntaryContextSwitches}); ` +
      `driver CPU ${cpuOf(usage0, usage, wallMs)}`,
  );
}

// 1. Scheduling lag at `rate` req/s, open loop, cap high enough that slots are free.
{
  const s = await server(false);
  const client = createStreamingClient({ baseUrl: s.url, connections: 256, quirks });
  await client.warm(64);
  gc();
  // GC pauses during the run: a pause that overlaps an arrival is lag the driver's own code caused.
  const gcPausesMs = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPausesMs.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const usage0 = process.resourceUsage();
  const main0 = mainPreemptions();
  const t0 = performance.now();
  const run = await runLevel({
    levelIndex: 0,
    concurrency: 256,
    rate,
    durationS,
    warmupRuns: 1,
    gateWindow: 30,
    gateCov: 10,
    gateMetric: 'e2e',
    gateTimeoutS: 1,
    drainTimeoutS: 5,
    requestTimeoutS: 10,
    client,
    items,
    api: 'completions',
    model: 'm',
    rng: createRng(42),
  });
  const usage = process.resourceUsage();
  const main1 = mainPreemptions();
  const wallMs = performance.now() - t0;
  gcObserver.disconnect();
  const doc = levelDocument(run, resolveSlo('llm.standard'), createRng(1));
  // The client's own lateness of each measured request that found a free slot (its stored `lag_ms`).
  const lags = Float64Array.from(
    run.records
      .filter((r) => r.phase === 'measured' && typeof r.data?.lag_ms === 'number')
      .map((r) => r.data.lag_ms),
  ).sort();
  const over1 = lags.filter((x) => x > 1).length;
  console.log(
    `lag @ ${rate} req/s for ${durationS} s: measured ${doc.requests.measured} (ok ${doc.requests.ok}),` +
      ` achieved ${doc.driver.achieved_rate_req_s?.toFixed(1)} req/s,` +
      ` lag p50 ${doc.driver.lag_p50_ms?.toFixed(3)} ms, p99 ${doc.driver.lag_p99_ms?.toFixed(3)} ms,` +
      ` max ${doc.driver.lag_max_ms?.toFixed(3)} ms, client_limited ${doc.driver.client_limited}`,
  );
  // Lag the driver cannot help: the kernel taking its core away (other processes on it) shows up here.
  console.log(
    `  ${over1} of ${lags.length} lags over 1 ms; the driver's main thread was preempted ${main1 - main0} times ` +
      `(process ${usage.involuntaryContextSwitches - usage0.involuntaryContextSwitches}; involuntary context switches)`,
  );
  // Warm-up, gate and drain included: the CPU the whole level took, responses and sleeping together.
  console.log(
    `  driver CPU during the level: ${cpuOf(usage0, usage, wallMs)} over ${(wallMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  GC during the run: ${gcPausesMs.length} pauses, ${gcPausesMs.reduce((a, b) => a + b, 0).toFixed(1)} ms in all, ` +
      `longest ${Math.max(0, ...gcPausesMs).toFixed(2)} ms`,
  );
  await client.close();
  await s.close();
}

if (!lagOnly) {
  // 2. Memory per in-flight request: N streams held open by a stalling server, heap + RSS delta / N.
  {
    const n = 2000;
    const s = await server(true);
    const client = createStreamingClient({ baseUrl: s.url, connections: n, quirks });
    gc();
    const before = process.memoryUsage();
    const ctrl = new AbortController();
    const pending = [];
    for (let i = 0; i < n; i++) {
      pending.push(
        client.send(
          { item: items[i % items.length], api: 'completions', model: 'm' },
          { signal: ctrl.signal, timeoutMs: 60_000 },
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
    gc();
    const during = process.memoryUsage();
    console.log(
      `in-flight: ${n} streams, heap +${mb(during.heapUsed - before.heapUsed)} MB,` +
        ` rss +${mb(during.rss - before.rss)} MB -> ${((during.heapUsed - before.heapUsed) / n / 1024).toFixed(1)} KiB heap` +
        ` and ${((during.rss - before.rss) / n / 1024).toFixed(1)} KiB rss per request`,
    );
    ctrl.abort();
    await Promise.all(pending);
    await client.close();
    await s.close();
  }

  // 3. Memory of a 100,000-request run's measured records (what the driver keeps for the level metrics).
  for (const tokens of [16, 256]) {
    {
      gc();
      const before = process.memoryUsage().heapUsed;
      const keep = [];
      for (let i = 0; i < 100_000; i++) {
        const t0 = i * 2;
        const chunkTimes = Array.from({ length: tokens }, (_, k) => t0 + 50 + k * 10);
        keep.push(
          buildRecord(
            { seq: i, phase: 'measured', scheduledMs: t0, dispatchMs: t0, nInFallback: 8 },
            {
              status: 'ok',
              sentAt: t0,
              chunkTimes,
              chunkTokens: chunkTimes.map(() => null),
              usageCompletionTokens: tokens,
              usagePromptTokens: 8,
              text: '',
              httpStatus: 200,
              error: null,
              systemFingerprint: null,
            },
            wordCounter,
          ),
        );
      }
      gc();
      const after = process.memoryUsage().heapUsed;
      console.log(
        `records: 100,000 measured requests x ${tokens} tokens: heap +${mb(after - before)} MB` +
          ` (${((after - before) / 100_000).toFixed(0)} B per request)`,
      );
      keep.length = 0;
    }
  }
}
console.log(`process warnings: ${warnings}`);
