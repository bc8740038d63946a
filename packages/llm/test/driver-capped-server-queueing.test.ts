import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevel } from '../src/load/level-runner.js';
import { levelDocument } from '../src/metrics/level-metrics.js';
import { resolveSlo } from '../src/slo/templates.js';
import { startTimedServer, type TimedServer, testRng, tinyClient } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

describe('no coordinated omission', () => {
  let server: TimedServer;
  beforeAll(async () => {
    // Serves at most 2 at once; each request takes 20 + 4 x 10 = 60 ms, so capacity is ~33 req/s.
    server = await startTimedServer({ ttftMs: 20, gapMs: 10, tokens: 5, capacity: 2 });
  });
  afterAll(() => server.close());

  it('latency from the schedule grows when the capped server queues, server-side TTFT does not', async () => {
    // Cap C = 2 = the server's capacity: requests beyond it wait in the client's FIFO queue.
    const client = tinyClient(server.baseUrl, 2);
    const slo = resolveSlo('llm.standard');
    const light = await runLevel(shortLevel({ client, concurrency: 2, rate: 10, durationS: 1.5 }));
    const heavy = await runLevel(
      shortLevel({ client, concurrency: 2, rate: 60, durationS: 1.5, levelIndex: 1 }),
    );
    await client.close();
    const l = levelDocument(light, slo, testRng(), { resamples: 100 }).metrics;
    const h = levelDocument(heavy, slo, testRng(), { resamples: 100 }).metrics;
    // Offered 60 req/s against ~33 req/s of capacity: the backlog shows up in TTFT measured from the schedule.
    expect(h.ttft_p50_ms!.value!).toBeGreaterThan(l.ttft_p50_ms!.value! * 3);
    expect(h.queue_wait_p50_ms!.value!).toBeGreaterThan(50);
    // The server's own view (from the actual send) stays near its 20 ms; tolerances allow a busy 2-core box.
    expect(h.server_ttft_p50_ms!.value!).toBeGreaterThanOrEqual(20);
    expect(h.server_ttft_p50_ms!.value!).toBeLessThan(40);
    expect(h.ttft_p50_ms!.value!).toBeGreaterThan(h.server_ttft_p50_ms!.value! * 4);
  });
});
