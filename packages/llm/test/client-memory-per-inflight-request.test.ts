import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatRequest,
  clientFor,
  readBody,
  sseToken,
  startServer,
  type TestServer,
} from './client-test-server.js';

// SPEC §15 "memory per in-flight request reported, and bounded": N streams held open mid-stream (a token
// each, then a stall); the client's memory growth per stream is measured and printed.
const N = 400;
const open: http.ServerResponse[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startServer(async (req, res) => {
    await readBody(req);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(sseToken('a'.repeat(32)));
    open.push(res);
  });
});
afterAll(() => server.close());

const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

describe('memory per in-flight streaming request', () => {
  it(`${N} open streams cost under 64 KB each`, async () => {
    const client = clientFor(server, { connections: N, transport: 'raw' });
    await client.warm(N);
    const before = used();
    const ctrl = new AbortController();
    const pending = Array.from({ length: N }, () =>
      client.send(chatRequest(), { timeoutMs: 30_000, signal: ctrl.signal }),
    );
    const deadline = performance.now() + 15_000;
    while (open.length < N && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const perRequest = (used() - before) / N;
    console.log(
      `memory per in-flight request: ${(perRequest / 1024).toFixed(1)} KB (raw transport, ${N} streams)`,
    );
    expect(open.length).toBe(N);
    expect(perRequest).toBeLessThan(64 * 1024);
    ctrl.abort();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.status === 'cancelled' && r.chunkTimes.length === 1)).toBe(true);
    await client.close();
  });
});
