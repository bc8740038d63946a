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

let server: TestServer;
beforeAll(async () => {
  server = await startServer(async (req, res) => {
    await readBody(req);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(sseToken('a'));
  });
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('streaming client: abort signal (%s)', (transport) => {
  it('returns cancelled when the signal aborts mid-stream', async () => {
    const client = clientFor(server, { transport });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 400);
    const r = await client.send(chatRequest(), { timeoutMs: 10_000, signal: controller.signal });
    await client.close();
    expect(r.status).toBe('cancelled');
    expect(r.chunkTimes.length).toBe(1);
  });

  it('returns cancelled at once for an already aborted signal', async () => {
    const client = clientFor(server, { transport });
    const r = await client.send(chatRequest(), { timeoutMs: 10_000, signal: AbortSignal.abort() });
    await client.close();
    expect(r.status).toBe('cancelled');
    expect(r.chunkTimes).toEqual([]);
  });
});
