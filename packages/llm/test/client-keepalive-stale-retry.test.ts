// SPEC §5: a request that got no response byte on a reused keep-alive connection is sent once more on a
// fresh connection, and counted; one that dies unanswered on a fresh connection is a failure; the server's
// `Connection: close` and `Keep-Alive: max` decide whether a connection is reused at all. Both transports.
import { afterEach, describe, expect, it } from 'vitest';
import { chunk, type RawServer, SSE_HEAD, type Script, startRawServer } from './client-raw-helpers.js';
import { chatRequest, clientFor, sseToken, TRANSPORTS } from './client-test-server.js';

const DONE = 'data: [DONE]\n\n';
const answer = (headers = ''): Script => [
  `${SSE_HEAD}${headers}transfer-encoding: chunked\r\n\r\n${chunk(sseToken('a') + DONE)}0\r\n\r\n`,
];

let server: RawServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(script: (k: number) => Script) {
  server = await startRawServer((k) => script(k));
  return clientFor({ baseUrl: server.baseUrl, connections: server.connections, close: async () => {} }, {});
}

describe.each(TRANSPORTS)('%s transport: stale keep-alive connections', (transport) => {
  const client = async (script: (k: number) => Script) => {
    const s = await startRawServer((k) => script(k));
    server = s;
    return clientFor(
      { baseUrl: s.baseUrl, connections: s.connections, close: async () => {} },
      { transport },
    );
  };

  it('a request dropped unanswered on a reused connection is sent once more on a fresh one', async () => {
    // cpp-httplib (llama-server) style: keep-alive advertised, then the connection closed under the next request.
    const c = await client((k) => (k === 1 ? ['close'] : answer('keep-alive: timeout=5, max=100\r\n')));
    const first = await c.send(chatRequest(), { timeoutMs: 5000 });
    const second = await c.send(chatRequest(), { timeoutMs: 5000 });
    await c.close();
    expect(first.status).toBe('ok');
    expect(first.retries).toBe(0);
    expect(second.error).toBeNull();
    expect(second.status).toBe('ok');
    expect(second.retries).toBe(1);
    expect(server!.requests.length).toBe(3);
    expect(server!.connections()).toBe(2);
  });

  it('a request dropped unanswered on a fresh connection fails, without a retry', async () => {
    const c = await client(() => ['close']);
    const r = await c.send(chatRequest(), { timeoutMs: 5000 });
    await c.close();
    expect(r.status).toBe('stream_error');
    expect(r.retries).toBe(0);
    expect(server!.requests.length).toBe(1);
  });

  it('a request cut after its first response byte is not sent again', async () => {
    const c = await client((k) =>
      k === 1 ? [`${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`, 'close'] : answer(),
    );
    await c.send(chatRequest(), { timeoutMs: 5000 });
    const r = await c.send(chatRequest(), { timeoutMs: 5000 });
    await c.close();
    expect(r.status).toBe('stream_error');
    expect(r.retries).toBe(0);
    expect(server!.requests.length).toBe(2);
  });
});

describe('raw transport: the server decides reuse', () => {
  it.each([
    ['Keep-Alive: max=1', 'keep-alive: timeout=5, max=1\r\n'],
    ['Connection: close', 'connection: close\r\n'],
  ])('%s: the next request goes on a new connection, no retry needed', async (_name, headers) => {
    const c = await serve(() => answer(headers));
    for (let i = 0; i < 3; i++) {
      const r = await c.send(chatRequest(), { timeoutMs: 5000 });
      expect(r.status).toBe('ok');
      expect(r.retries).toBe(0);
    }
    await c.close();
    expect(server!.connections()).toBe(3);
    expect(server!.requests.length).toBe(3);
  });

  it('Keep-Alive: max=3 allows three requests on one connection', async () => {
    const c = await serve(() => answer('keep-alive: timeout=5, max=3\r\n'));
    for (let i = 0; i < 4; i++) expect((await c.send(chatRequest(), { timeoutMs: 5000 })).status).toBe('ok');
    await c.close();
    expect(server!.connections()).toBe(2);
  });
});
