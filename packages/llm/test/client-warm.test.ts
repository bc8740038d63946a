import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createStreamingClient } from '../src/client/streaming-client.js';
import { readBody, startServer, vllmQuirks, TRANSPORTS } from './client-test-server.js';

describe.each(TRANSPORTS)('streaming client: warm() (%s)', (transport) => {
  it('opens the asked number of connections and tolerates 404 on /models', async () => {
    const server = await startServer(async (req, res) => {
      await readBody(req);
      // Slow enough that the warm-up requests overlap and each needs its own connection.
      setTimeout(() => {
        res.writeHead(404);
        res.end('not found');
      }, 50);
    });
    const client = createStreamingClient({
      baseUrl: server.baseUrl,
      connections: 4,
      quirks: vllmQuirks,
      transport,
    });
    await client.warm(4);
    expect(server.connections()).toBe(4);
    await client.close();
    await server.close();
  });

  it('throws BENCH_ERR_ENDPOINT when nothing listens', async () => {
    // Take a free port, then close it so the connection is refused.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const client = createStreamingClient({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      connections: 2,
      quirks: vllmQuirks,
      transport,
    });
    await expect(client.warm(2)).rejects.toMatchObject({ code: 'BENCH_ERR_ENDPOINT' });
    const r = await client.send(
      { api: 'chat', model: 'm', item: { id: 'x', prompt: 'p', promptTokens: 1, outputTokens: 1 } },
      { timeoutMs: 2000 },
    );
    // A refused connection while sending is a result, not an exception.
    expect(r.status).toBe('stream_error');
    expect(r.error).toMatch(/ECONNREFUSED/);
    await client.close();
  });
});
