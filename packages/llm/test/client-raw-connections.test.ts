import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamingClient } from '../src/client/streaming-client.js';
import { chunk, type RawServer, SSE_HEAD, type Script, startRawServer } from './client-raw-helpers.js';
import { chatRequest, clientFor, sseToken, type TestServer, vllmQuirks } from './client-test-server.js';

const a = sseToken('a');
const DONE = 'data: [DONE]\n\n';

const scripts: Record<string, Script> = {
  'connection-close': [
    `${SSE_HEAD}connection: close\r\ncontent-length: ${Buffer.byteLength(a + DONE)}\r\n\r\n${a}${DONE}`,
  ],
  // HTTP/1.0 style: no length, no chunking; the body ends when the server closes.
  'until-close': ['HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\n', a, 5, DONE, 5, 'close'],
  // The server drops the connection in the middle of a chunk, before [DONE].
  truncated: [`${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`, chunk(a), '40\r\ndata: {"cho', 20, 'close'],
  // The server closes each kept-alive connection soon after answering.
  'closes-when-idle': [
    `${SSE_HEAD}transfer-encoding: chunked\r\n\r\n${chunk(a + DONE)}0\r\n\r\n`,
    10,
    'close',
  ],
  // The server says it keeps idle connections for 1 s: too short to trust for the next request.
  'short-keep-alive': [
    `${SSE_HEAD}keep-alive: timeout=1\r\ntransfer-encoding: chunked\r\n\r\n${chunk(a + DONE)}0\r\n\r\n`,
  ],
  // Slow: the first request holds the only connection for 300 ms.
  slow: [`${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`, chunk(a), 300, `${chunk(DONE)}0\r\n\r\n`],
};

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer((_k, head) => scripts[/^POST \/([^/]+)\//.exec(head)![1]!]!);
});
afterAll(() => server.close());

function rawClient(scenario: string, connections = 1) {
  const base: TestServer = {
    baseUrl: `http://127.0.0.1:${server.port}/${scenario}/v1`,
    connections: server.connections,
    close: async () => {},
  };
  return clientFor(base, { transport: 'raw', connections });
}

describe('raw transport: connections', () => {
  it.each(['connection-close', 'until-close', 'closes-when-idle', 'short-keep-alive'])(
    '%s: each request completes on a fresh connection',
    async (scenario) => {
      const client = rawClient(scenario);
      const before = server.connections();
      for (let round = 0; round < 3; round++) {
        const r = await client.send(chatRequest(), { timeoutMs: 5000 });
        expect(r.error).toBeNull();
        expect(r.status).toBe('ok');
        expect(r.text).toBe('a');
        // Let the server's close reach the client before the next request.
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(server.connections() - before).toBe(3);
      await client.close();
    },
  );

  it('a connection lost mid-chunk is a stream_error with the tokens before it', async () => {
    const client = rawClient('truncated');
    const r = await client.send(chatRequest(), { timeoutMs: 5000 });
    await client.close();
    expect(r.status).toBe('stream_error');
    expect(r.error).toMatch(/other side closed/);
    expect(r.chunkTimes.length).toBe(1);
  });

  it('waits for a free connection, and a request cancelled while waiting settles at once', async () => {
    const client = rawClient('slow', 1);
    const before = server.connections();
    const first = client.send(chatRequest(), { timeoutMs: 5000 });
    const controller = new AbortController();
    const t0 = performance.now();
    const queued = client.send(chatRequest(), { timeoutMs: 5000, signal: controller.signal });
    const third = client.send(chatRequest(), { timeoutMs: 5000 });
    setTimeout(() => controller.abort(), 50);
    const cancelled = await queued;
    expect(cancelled.status).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(250);
    expect((await first).status).toBe('ok');
    const last = await third;
    expect(last.status).toBe('ok');
    // The third request waited for the first one's connection, and the cancelled one never used it.
    expect(last.sentAt - t0).toBeGreaterThanOrEqual(250);
    expect(server.connections() - before).toBe(1);
    expect(server.requests.filter((h) => h.startsWith('POST /slow/')).length).toBe(2);
    await client.close();
  });
});

describe('raw transport: https endpoints', () => {
  it('uses undici (TLS) for https: even when raw is asked for', async () => {
    // A plain TCP listener records the first byte each connection sends: 0x16 opens a TLS handshake,
    // 'P' would be a plaintext POST.
    const firstBytes: number[] = [];
    const tls = net.createServer((socket) => {
      socket.once('data', (d: Buffer) => {
        firstBytes.push(d[0]!);
        socket.destroy();
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const { port } = tls.address() as net.AddressInfo;
    const client = createStreamingClient({
      baseUrl: `https://127.0.0.1:${port}/v1`,
      connections: 1,
      quirks: vllmQuirks,
      transport: 'raw',
    });
    const r = await client.send(chatRequest(), { timeoutMs: 5000 });
    await client.close();
    await new Promise<void>((r) => tls.close(() => r()));
    expect(r.status).toBe('stream_error');
    expect(firstBytes).toEqual([0x16]);
  });
});
