import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevel } from '../src/load/level-runner.js';
import { levelDocument } from '../src/metrics/level-metrics.js';
import { resolveSlo } from '../src/slo/templates.js';
import { clientFor, readBody, sseToken, startServer, type TestServer } from './client-test-server.js';
import { testRng } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

// Issue 14: a 429/503 with Retry-After is recorded per request and summarised in the level document.
describe('Retry-After of 429 and 503 answers', () => {
  let server: TestServer;
  beforeAll(async () => {
    let n = 0;
    server = await startServer(async (req, res) => {
      await readBody(req);
      const k = n++ % 3;
      if (k === 0) {
        res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
        res.end('{"error":{"message":"rate limited"}}');
      } else if (k === 1) {
        res.writeHead(503, { 'retry-after': '10' });
        res.end('busy');
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`${sseToken('a')}${sseToken('b')}data: [DONE]\n\n`);
      }
    });
  });
  afterAll(() => server.close());

  it('stores retry_after_s on each request and counts it by status in the level', async () => {
    const client = clientFor(server, { connections: 2 });
    const stored: { status: string; data?: Record<string, unknown> }[] = [];
    const run = await runLevel(
      shortLevel({ client, concurrency: 2, rate: 30, durationS: 1, onRecord: (r) => stored.push(r) }),
    );
    await client.close();
    const doc = levelDocument(run, resolveSlo('llm.standard'), testRng(), { resamples: 50 });
    const ra = doc.requests.retry_after;
    expect(ra.count).toBeGreaterThan(5);
    expect(ra.count).toBe(doc.requests.errors.http_error);
    expect(ra.by_status['429']! + ra.by_status['503']!).toBe(ra.count);
    expect(ra.max_s).toBe(10);
    expect(ra.mean_s!).toBeGreaterThan(3);
    expect(ra.mean_s!).toBeLessThan(10);
    const with429 = stored.filter((r) => r.data?.http_status === 429);
    expect(with429.length).toBeGreaterThan(0);
    for (const r of with429) expect(r.data!.retry_after_s).toBe(3);
    for (const r of stored.filter((r) => r.status === 'ok')) expect(r.data!.retry_after_s).toBeUndefined();
  });
});
