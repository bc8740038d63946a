import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevel } from '../src/load/level-runner.js';
import { levelDocument } from '../src/metrics/level-metrics.js';
import { resolveSlo } from '../src/slo/templates.js';
import { items, startTimedServer, type TimedServer, testRng, tinyClient } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

const C = 4;

async function closedLoop(server: TimedServer, tokens: number, durationS: number) {
  const client = tinyClient(server.baseUrl, C);
  const run = await runLevel(
    shortLevel({
      client,
      concurrency: C,
      rate: 'inf',
      durationS,
      warmupRuns: 1,
      gateWindow: 8,
      gateCov: 0.05,
      gateTimeoutS: 5,
      items: items(10, tokens),
    }),
  );
  await client.close();
  return levelDocument(run, resolveSlo('llm.standard'), testRng(), { resamples: 200 });
}

describe('driver against servers with exactly known timing', () => {
  // First token after T ms, then one every D ms.
  const T = 150;
  const D = 10;
  let slowStart: TimedServer;
  let steady: TimedServer;
  beforeAll(async () => {
    slowStart = await startTimedServer({ ttftMs: T, gapMs: D, tokens: 12 });
    steady = await startTimedServer({ ttftMs: 10, gapMs: 5, tokens: 40 });
  });
  afterAll(async () => {
    await slowStart.close();
    await steady.close();
  });

  it('reports TTFT p50 within 2% + 1 ms of T and TPOT p50 within 2% of D', async () => {
    // The 2-core box is shared: allow, on top of SPEC's 2% + 1 ms, the event-loop delay this process
    // actually suffered (p90), measured during the run. On an idle machine that term is ~0.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const doc = await closedLoop(slowStart, 12, 1.5);
    loop.disable();
    const starvationMs = loop.percentile(90) / 1e6 - 1;
    expect(doc.converged).toBe(true);
    expect(doc.requests.errors).toEqual({});
    const ttft = doc.metrics.ttft_p50_ms!.value!;
    expect(ttft).toBeGreaterThanOrEqual(T);
    expect(ttft).toBeLessThanOrEqual(T * 1.02 + 1 + Math.max(0, starvationMs));
    expect(Math.abs(doc.metrics.tpot_p50_ms!.value! / D - 1)).toBeLessThan(0.02);
  });

  it('closed-loop throughput = C x tokens / e2e within 3%', async () => {
    const doc = await closedLoop(steady, 40, 2);
    const e2eS = doc.metrics.e2e_mean_ms!.value! / 1000;
    const expected = (C * 40) / e2eS;
    expect(Math.abs(doc.metrics.throughput_tok_s!.value! / expected - 1)).toBeLessThan(0.03);
    expect(doc.driver.mean_in_flight).toBeGreaterThan(C - 0.2);
  });
});
