// Statistics benchmark (`npm run bench:stats`): 95% bootstrap CI of p99 over 1,000,000 samples with
// 1000 resamples (target: under 10 s on one core), and the naive resample-and-sort bootstrap on 100,000
// samples for comparison. Imports the built package: run `npx tsc -b packages/core` first.
import {
  bootstrapCi,
  bootstrapPercentileCi,
  createRng,
  percentileOfSorted,
  sortedCopy,
} from '../packages/core/dist/index.js';

const rng = createRng(42);
// Latency-like data: log-normal around 100 ms.
const sample = (n) => Float64Array.from({ length: n }, () => Math.exp(Math.log(100) + 0.5 * rng.normal()));
// Wall time and this process's CPU time (on a shared machine the CPU time is the comparable one).
const time = (fn) => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
};
const fmt = (ci) => `${ci.estimate.toFixed(3)} [${ci.lower.toFixed(3)}, ${ci.upper.toFixed(3)}]`;

// --level-only skips the CI benchmarks below and times only the level statistics (for a profile of them).
if (!process.argv.includes('--level-only')) {
  const big = sample(1_000_000);
  const sorted = time(() => sortedCopy(big));
  const fast = time(() => bootstrapPercentileCi(sorted.value, 99, { resamples: 1000, rng: createRng(1) }));
  console.log(
    `p99 CI, n=1e6, 1000 resamples (order-statistic bootstrap): sort ${sorted.ms.toFixed(0)} ms + resamples ${fast.ms.toFixed(1)} ms = ${(sorted.ms + fast.ms).toFixed(0)} ms  p99 ${fmt(fast.value)}`,
  );

  const mid = sample(100_000);
  const midSorted = sortedCopy(mid);
  const fastMid = time(() => bootstrapPercentileCi(midSorted, 99, { resamples: 1000, rng: createRng(1) }));
  const naive = time(() =>
    bootstrapCi(
      mid,
      (s) => {
        s.sort();
        return percentileOfSorted(s, 99);
      },
      // 100 resamples only (the naive method is slow); its time is scaled to 1000 below.
      { resamples: 100, rng: createRng(2) },
    ),
  );
  console.log(
    `p99 CI, n=1e5: order-statistic, 1000 resamples ${fastMid.ms.toFixed(1)} ms ${fmt(fastMid.value)}; naive resample+sort, 100 resamples ${naive.ms.toFixed(0)} ms (x10 = ${(naive.ms * 10).toFixed(0)} ms for 1000) ${fmt(naive.value)}`,
  );
  const naiveBigEstimateS = ((naive.ms * 10) / 1000) * 10 * (Math.log(1e6) / Math.log(1e5));
  console.log(`naive at n=1e6 would take about ${naiveBigEstimateS.toFixed(0)} s (n log n scaling)`);
}

// Level statistics (SPEC §15: all percentiles and CIs of a level, including pooled ITL over 1,000,000
// gaps, under 1 s after the window): levelDocument over 1000 requests of 1001 chunks each.
const { levelDocument, resolveSlo, toStoreRecord } = await import('../packages/llm/dist/index.js');
const requests = Number(process.env.BENCH_STATS_REQUESTS ?? 1000);
const chunks = 1001;
const measured = [];
for (let i = 0; i < requests; i++) {
  const scheduledMs = i * 10;
  const chunkTimesMs = new Float64Array(chunks);
  let t = scheduledMs + 80 + 40 * rng.next();
  for (let c = 0; c < chunks; c++) {
    chunkTimesMs[c] = t;
    t += Math.exp(Math.log(10) + 0.3 * rng.normal()) + (rng.next() < 0.001 ? 200 : 0);
  }
  const firstMs = chunkTimesMs[0];
  const lastMs = chunkTimesMs[chunks - 1];
  measured.push({
    seq: i,
    phase: 'measured',
    status: 'ok',
    scheduledMs,
    dispatchMs: scheduledMs,
    sentMs: scheduledMs + 0.1,
    firstMs,
    lastMs,
    nIn: 100,
    nOut: chunks,
    nOutSource: 'usage',
    ttftMs: firstMs - scheduledMs,
    e2eMs: lastMs - scheduledMs,
    tpotMs: (lastMs - firstMs) / (chunks - 1),
    queueWaitMs: 0,
    serverTtftMs: firstMs - scheduledMs - 0.1,
    chunkTimesMs,
    chunkTokens: new Array(chunks).fill(1),
    httpStatus: 200,
    error: null,
  });
}
const run = {
  levelIndex: 0,
  concurrency: 64,
  rateMode: 'inf',
  rateReqS: Number.POSITIVE_INFINITY,
  rateNote: null,
  warmup: { runs: 1, requests: 10, meanE2eMs: 100 },
  gate: {
    metric: 'tpot',
    window: 10,
    cov_threshold: 0.05,
    converged: true,
    cov: 0.01,
    duration_s: 1,
    completed: 10,
  },
  windowS: 10,
  measured,
  windowOutputTokens: requests * chunks,
  windowInputTokens: requests * 100,
  windowScheduled: requests,
  windowDispatched: requests,
  meanInFlight: 64,
  unmeasured: { gate: 0, drain: 0 },
  drainTimedOut: false,
  aborted: false,
  // The driver result as the level pipeline takes it: the window's edges on the level's clock, the
  // in-flight meter, and the records in their stored form (the run computes from exactly that).
  originMs: 0,
  windowStartMs: 0,
  windowEndMs: 10_000,
  maxInFlight: 64,
  capInFlight: 64,
  atCapShare: 1,
  autoRate: null,
  failedFast: null,
};
const storeAll = () => {
  run.records = measured.map((r) => toStoreRecord(0, r, rng.next(), 0));
};
storeAll();
const slo = resolveSlo('llm.standard');
for (let round = 0; round < 3; round++) {
  const doc = time(() => levelDocument(run, slo, createRng(7)));
  const itl = doc.value.metrics;
  console.log(
    `level statistics, ${requests} requests, ${(requests * (chunks - 1)).toLocaleString('en-US')} ITL gaps (chunk and per-token): ${doc.ms.toFixed(0)} ms (cpu ${doc.cpuMs.toFixed(0)} ms)  itl mean ${itl.itl_mean_ms.value.toFixed(4)} [${itl.itl_mean_ms.ci95.map((x) => x.toFixed(4)).join(', ')}]  itl p99 ${itl.itl_p99_ms.value.toFixed(3)}`,
  );
}
// The same level with one 10 s stall in one stream: the pooled ITL mean is then dominated by one value,
// so its bootstrap takes the tail split (core/stats/bootstrap.ts) instead of the plain expansion.
{
  const r = measured[Math.floor(requests / 2)];
  for (let c = Math.floor(chunks / 2); c < chunks; c++) r.chunkTimesMs[c] += 10_000;
  r.lastMs = r.chunkTimesMs[chunks - 1];
  r.e2eMs = r.lastMs - r.scheduledMs;
  r.tpotMs = (r.lastMs - r.firstMs) / (chunks - 1);
  storeAll();
  const doc = time(() => levelDocument(run, slo, createRng(7)));
  const itl = doc.value.metrics;
  console.log(
    `level statistics with one 10 s stall among the gaps: ${doc.ms.toFixed(0)} ms (cpu ${doc.cpuMs.toFixed(0)} ms)  itl mean ${itl.itl_mean_ms.value.toFixed(4)} [${itl.itl_mean_ms.ci95.map((x) => x.toFixed(4)).join(', ')}]`,
  );
}
