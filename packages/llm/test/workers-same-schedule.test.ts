import type { RequestRecordInput } from 'inferencebench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamingClient } from '../src/client/streaming-client.js';
import { runLevel } from '../src/load/level-runner.js';
import { createWorkerClient } from '../src/load/workers.js';
import type { StreamingClient } from '../src/types.js';
import { items, startTimedServer, type TimedServer, testRng } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

const QUIRKS = { canForceOutputLength: true, strictFields: false, includeUsage: true };

// --workers N hands each arrival of the one seeded schedule to a worker thread. The schedule and every
// per-request record but its timings must be the same whatever N.
// With usage the server's count is used; without it the text is counted, so a worker must send the text
// back exactly when the record will read it.
describe.each([
  { usage: true, label: 'the server reports usage' },
  { usage: false, label: 'no usage: tokens counted from the text' },
])('--workers: one seeded schedule whatever the number of worker threads ($label)', ({ usage }) => {
  let server: TimedServer;
  beforeAll(async () => {
    server = await startTimedServer({ ttftMs: 5, gapMs: 2, tokens: 6, usage });
  });
  afterAll(async () => {
    await server.close();
  });

  async function level(client: StreamingClient) {
    const records: RequestRecordInput[] = [];
    await client.warm(8);
    const run = await runLevel(
      shortLevel({
        client,
        concurrency: 8,
        rate: 60,
        durationS: 1.5,
        items: items(17, 6),
        rng: testRng(),
        onRecord: (r) => records.push(r),
      }),
    );
    await client.close();
    records.sort((a, b) => a.seq - b.seq);
    return { run, records };
  }

  it('--workers 2 gives the same schedule and the same records but for timings as one thread', async () => {
    const one = await level(
      createStreamingClient({ baseUrl: server.baseUrl, connections: 8, quirks: QUIRKS }),
    );
    const two = await level(
      await createWorkerClient({ baseUrl: server.baseUrl, connections: 8, quirks: QUIRKS, workers: 2 }),
    );
    // Requests still running when the level ends (drain phase) are cancelled at a moment set by timing:
    // compare every request of the gate and window phases, present in both runs.
    const notDrain = (rs: RequestRecordInput[]) => rs.filter((r) => (r.phase ?? r.data.phase) !== 'drain');
    const a = notDrain(one.records);
    const b = notDrain(two.records);
    const n = Math.min(a.length, b.length);
    expect(n).toBeGreaterThan(40);
    const sameFields = (r: RequestRecordInput) => ({
      phase: r.phase ?? r.data.phase,
      seq: r.seq,
      status: r.status,
      n_in: r.fields.n_in,
      n_out: r.fields.n_out,
      itl_count: (r.data.itl_ms as number[]).length,
      n_out_source: r.data.n_out_source,
      chunk_tokens: r.data.chunk_tokens ?? null,
      http_status: r.data.http_status,
      error: r.data.error,
    });
    expect(b.slice(0, n).map(sameFields)).toEqual(a.slice(0, n).map(sameFields));
    for (const r of b) expect(r.status).toBe('ok');
    // The seeded arrival gaps of the measured requests are the same, to rounding.
    const gaps = (run: typeof one.run) =>
      run.measured.slice(1).map((r, i) => r.scheduledMs - run.measured[i]!.scheduledMs);
    const m = Math.min(one.run.measured.length, two.run.measured.length) - 1;
    expect(m).toBeGreaterThan(20);
    const g1 = gaps(one.run).slice(0, m);
    const g2 = gaps(two.run).slice(0, m);
    for (let i = 0; i < m; i++) expect(g2[i]).toBeCloseTo(g1[i]!, 6);
    expect(two.run.measured.slice(0, m).map((r) => r.seq)).toEqual(
      one.run.measured.slice(0, m).map((r) => r.seq),
    );
    // Times come back on the main thread's clock: every TTFT is the server's 5 ms plus a little.
    for (const r of two.run.measured) {
      expect(r.ttftMs!).toBeGreaterThan(4);
      expect(r.ttftMs!).toBeLessThan(1000);
    }
  });
});
