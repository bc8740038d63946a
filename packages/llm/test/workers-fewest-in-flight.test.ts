import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerClient } from '../src/load/workers.js';
import type { ClientRequest, StreamingClient } from '../src/types.js';

const QUIRKS = { canForceOutputLength: true, strictFields: false, includeUsage: true };
const SLOW_MS = 600;

// An SSE server that answers a prompt containing "slow" after SLOW_MS and any other prompt at once.
function startServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}');
      return;
    }
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const delay = body.includes('slow') ? SLOW_MS : 0;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (c: string) =>
          `data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${c}"},"finish_reason":null}]}\n\n`;
        res.end(
          `${chunk('a')}${chunk('b')}data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\ndata: [DONE]\n\n`,
        );
      }, delay);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    }),
  );
}

const request = (prompt: string): ClientRequest => ({
  item: { id: prompt, prompt, promptTokens: 1, outputTokens: 2 },
  api: 'chat',
  model: 'm',
});

// Each worker has connections / N of the pool. A fixed k mod N split sends an arrival to its worker even
// when that worker's connections are all busy (it waits there) while the other worker has a free one;
// the fewest-in-flight rule sends it where it can go now.
describe('--workers: an arrival goes to the worker with the fewest requests in flight', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let client: StreamingClient;
  beforeAll(async () => {
    server = await startServer();
    client = await createWorkerClient({
      baseUrl: server.url,
      connections: 4,
      quirks: QUIRKS,
      transport: 'raw',
      workers: 2,
    });
    await client.warm(4);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('is not queued behind a busy worker while another has a free connection', async () => {
    const opts = { timeoutMs: 10_000 };
    // Arrivals 0-2: slow, fast, slow. In turn order they would land on workers 0, 1, 0; the fast one ends.
    const slow1 = client.send(request('slow 1'), opts);
    const fast = await client.send(request('fast 1'), opts);
    expect(fast.status).toBe('ok');
    const slow2 = client.send(request('slow 2'), opts);
    // Arrivals 3-4. k mod 2 would send arrival 4 to worker 0, whose two connections hold both slow
    // requests, so it would wait about SLOW_MS for a connection.
    const slow3 = client.send(request('slow 3'), opts);
    const dispatchedAt = performance.now();
    const probe = await client.send(request('fast 2'), opts);
    expect(probe.status).toBe('ok');
    // Sent on a free connection at once (well under the slow answers' delay), not after one of them.
    expect(probe.sentAt - dispatchedAt).toBeLessThan(SLOW_MS / 3);
    for (const r of await Promise.all([slow1, slow2, slow3])) expect(r.status).toBe('ok');
  });
});
