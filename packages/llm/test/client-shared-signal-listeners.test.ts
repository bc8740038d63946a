import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatRequest,
  clientFor,
  readBody,
  sseToken,
  startServer,
  type TestServer,
  TRANSPORTS,
} from './client-test-server.js';

// Completes after two tokens unless the request asks for more than 4 tokens, in which case it stalls.
let server: TestServer;
beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as { max_tokens: number };
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(sseToken('a'));
    if (body.max_tokens > 4) return;
    res.end(`${sseToken('b')}data: [DONE]\n\n`);
  });
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('streaming client: one signal shared by many requests (%s)', (transport) => {
  it('adds one abort listener per signal, removes it when the requests end, and warns about nothing', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    const client = clientFor(server, { transport, connections: 32 });
    const controller = new AbortController();
    const pending = Array.from({ length: 32 }, () =>
      client.send(chatRequest(), { timeoutMs: 10_000, signal: controller.signal }),
    );
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    const results = await Promise.all(pending);
    // A second wave on the same signal: still one listener, still none left afterwards.
    const again = await Promise.all(
      Array.from({ length: 32 }, () =>
        client.send(chatRequest(), { timeoutMs: 10_000, signal: controller.signal }),
      ),
    );
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
    await client.close();
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect([...results, ...again].map((r) => r.status)).toEqual(Array(64).fill('ok'));
    expect(warnings).toEqual([]);
  });

  it('cancels every request in flight on the shared signal when it aborts', async () => {
    const client = clientFor(server, { transport, connections: 16 });
    const controller = new AbortController();
    const pending = Array.from({ length: 16 }, () =>
      client.send(chatRequest(8), { timeoutMs: 10_000, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 300);
    const results = await Promise.all(pending);
    await client.close();
    expect(results.map((r) => r.status)).toEqual(Array(16).fill('cancelled'));
    expect(results.every((r) => r.chunkTimes.length === 1)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });
});
