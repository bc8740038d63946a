import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevel } from '../src/load/level-runner.js';
import { levelDocument } from '../src/metrics/level-metrics.js';
import { resolveSlo } from '../src/slo/templates.js';
import { startTimedServer, type TimedServer, testRng, tinyClient } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

describe('failing servers', () => {
  let server: TimedServer;
  beforeAll(async () => {
    server = await startTimedServer({
      ttftMs: 5,
      gapMs: 5,
      tokens: 5,
      faults: ['none', 'http500', 'none', 'http429', 'disconnect', 'malformed', 'stall', 'none'],
    });
  });
  afterAll(() => server.close());

  it('counts every failure in its class, in attainment and goodput, and completes', async () => {
    const client = tinyClient(server.baseUrl, 4);
    const records: string[] = [];
    const run = await runLevel(
      shortLevel({
        client,
        concurrency: 4,
        rate: 40,
        durationS: 1,
        requestTimeoutS: 0.3,
        onRecord: (r) => records.push(r.status),
      }),
    );
    await client.close();
    const doc = levelDocument(run, resolveSlo('llm.standard'), testRng(), { resamples: 100 });
    const e = doc.requests.errors;
    expect(e.http_error ?? 0).toBeGreaterThan(0);
    expect(e.stream_error ?? 0).toBeGreaterThan(0);
    expect(e.timeout ?? 0).toBeGreaterThan(0);
    const failed = (e.http_error ?? 0) + (e.stream_error ?? 0) + (e.timeout ?? 0);
    expect(doc.requests.ok + failed).toBe(doc.requests.measured);
    // 5 of 8 fail; attainment and goodput count them against the level.
    expect(doc.metrics.error_rate!.value!).toBeGreaterThan(0.4);
    expect(doc.metrics.slo_attainment!.value!).toBeLessThan(0.65);
    expect(doc.metrics.goodput_req_s!.value!).toBeCloseTo(doc.slo.meeting / doc.window_s, 6);
    expect(doc.errors_sample.length).toBeGreaterThan(0);
    expect(records.length).toBeGreaterThanOrEqual(doc.requests.measured);
  });
});
