import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUEUED_ARRIVALS, runLevel } from '../src/load/level-runner.js';
import { clientFor, readBody, sseToken, startServer, type TestServer } from './client-test-server.js';
import { shortLevel } from './driver-options.js';

// Issue 14 "--rate 1e9 ends in a V8 out-of-memory abort": the client queue is bounded; the level stops
// with a clear error naming the rate, and the heap stays small.
describe('an absurd explicit rate', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      await readBody(req);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      setTimeout(() => res.end(`${sseToken('a')}${sseToken('b')}data: [DONE]\n\n`), 200);
    });
  });
  afterAll(() => server.close());

  it('stops with BENCH_ERR_BAD_OPTION once the client queue is full, without exhausting memory', async () => {
    const client = clientFor(server, { connections: 2 });
    const heapBefore = process.memoryUsage().heapUsed;
    let stored = 0;
    const t0 = performance.now();
    const err = await runLevel(
      shortLevel({ client, concurrency: 2, rate: 1e9, durationS: 30, onRecord: () => stored++ }),
    ).catch((e: unknown) => e);
    await client.close();
    expect(err).toMatchObject({ code: 'BENCH_ERR_BAD_OPTION' });
    expect((err as Error).message).toMatch(/--rate 1000000000 req\/s is more than the server completes/);
    expect(performance.now() - t0).toBeLessThan(15_000);
    // Every arrival it had queued is accounted for (never sent), none more.
    expect(stored).toBeGreaterThanOrEqual(MAX_QUEUED_ARRIVALS);
    expect(stored).toBeLessThan(MAX_QUEUED_ARRIVALS + 100);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(300 * 1024 * 1024);
  });
});
