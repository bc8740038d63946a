import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevel } from '../src/load/level-runner.js';
import { levelDocument } from '../src/metrics/level-metrics.js';
import { resolveSlo } from '../src/slo/templates.js';
import { startTimedServer, type TimedServer, testRng, tinyClient } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

describe('--rate auto targets mean in-flight C with no client cap (SPEC §4)', () => {
  let server: TimedServer;
  beforeAll(async () => {
    // Latency rises with load (2 ms more TTFT per other request in service), as a real batch server's does:
    // the closed-loop warm-up's L is not the open loop's, so λ must be re-estimated during the gate.
    server = await startTimedServer({ ttftMs: 20, ttftPerInFlightMs: 2, gapMs: 5, tokens: 10 });
  });
  afterAll(() => server.close());

  it('re-estimates λ until mean in-flight is within 10% of C; the client queue stays empty', async () => {
    const c = 8;
    const client = tinyClient(server.baseUrl, 64);
    const run = await runLevel(
      shortLevel({
        client,
        concurrency: c,
        rate: 'auto',
        warmupRuns: 1,
        durationS: 3,
        gateWindow: 10,
        gateCov: 0.9,
        gateTimeoutS: 15,
      }),
    );
    await client.close();
    expect(run.rateMode).toBe('auto');
    expect(run.capInFlight).toBeNull();
    expect(run.atCapShare).toBeNull();
    const auto = run.autoRate!;
    expect(auto.converged).toBe(true);
    expect(run.gate.converged).toBe(true);
    const last = auto.steps[auto.steps.length - 1]!;
    expect(Math.abs(last.mean_in_flight - c)).toBeLessThanOrEqual(0.1 * c);
    // λ is the last epoch's, = C / L of the epoch before (or the warm-up's when the first epoch held).
    expect(run.rateReqS).toBe(last.rate_req_s);
    const doc = levelDocument(run, resolveSlo('llm.standard'), testRng(), { resamples: 50 });
    const m = doc.metrics;
    // The window is a Poisson stream at that λ: its mean in-flight obeys Little's law (achieved rate x mean
    // time in system), and sits near C. The range is wide because this server's latency grows with load and
    // with CPU starvation on a shared 2-core machine, which the 3 s window does not average away.
    const little = doc.driver.achieved_rate_req_s! * (m.e2e_mean_ms!.value! / 1000);
    expect(Math.abs(run.meanInFlight / little - 1)).toBeLessThan(0.15);
    expect(run.meanInFlight).toBeGreaterThan(0.6 * c);
    expect(run.meanInFlight).toBeLessThan(1.6 * c);
    // No cap: nothing waits in the client, so TTFT is the server's.
    expect(m.queue_wait_p50_ms!.value!).toBeLessThan(5);
    expect(Math.abs(m.ttft_p50_ms!.value! - m.server_ttft_p50_ms!.value!)).toBeLessThan(5);
  });

  it('explicit rates keep the cap at C; --max-inflight sets a cap on an auto level', async () => {
    const client = tinyClient(server.baseUrl, 8);
    const fixed = await runLevel(shortLevel({ client, concurrency: 2, rate: 200, durationS: 1 }));
    expect(fixed.capInFlight).toBe(2);
    expect(fixed.maxInFlight).toBeLessThanOrEqual(2);
    // 200 req/s against 2 slots of ~60 ms: the client sits at its cap most of the window.
    expect(fixed.atCapShare!).toBeGreaterThan(0.5);
    const capped = await runLevel(
      shortLevel({ client, concurrency: 4, rate: 'auto', maxInflight: 3, warmupRuns: 1, durationS: 1 }),
    );
    await client.close();
    expect(capped.capInFlight).toBe(3);
    expect(capped.maxInFlight).toBeLessThanOrEqual(3);
  });
});
