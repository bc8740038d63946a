import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatRequest,
  clientFor,
  readBody,
  startServer,
  type TestServer,
  TRANSPORTS,
} from './client-test-server.js';

const API_KEY = 'sk-test-9f8e7d6c5b4a';
const seen: (string | undefined)[] = [];

let server: TestServer;
beforeAll(async () => {
  // Rejects the request and echoes the Authorization header back in the error body, as a careless server might.
  server = await startServer(async (req, res) => {
    seen.push(req.headers.authorization);
    await readBody(req);
    if (req.method === 'GET') return void res.end('{}');
    const status = req.url?.includes('/chat/') ? 401 : 200;
    res.writeHead(status, { 'content-type': status === 200 ? 'text/event-stream' : 'application/json' });
    if (status === 200) res.end(`data: {"error":{"message":"bad key ${req.headers.authorization}"}}\n\n`);
    else res.end(`{"error":"invalid key: ${req.headers.authorization}"}`);
  });
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('streaming client: API key (%s)', (transport) => {
  it('sends the bearer token and keeps it out of http_error text', async () => {
    const client = clientFor(server, { transport, apiKey: API_KEY });
    const r = await client.send(chatRequest(), { timeoutMs: 5000 });
    await client.close();
    expect(seen.at(-1)).toBe(`Bearer ${API_KEY}`);
    expect(r.status).toBe('http_error');
    expect(r.error).toContain('invalid key: Bearer ***');
    expect(JSON.stringify(r)).not.toContain(API_KEY);
  });

  it('keeps it out of stream_error text', async () => {
    const client = clientFor(server, { transport, apiKey: API_KEY });
    const r = await client.send({ ...chatRequest(), api: 'completions' }, { timeoutMs: 5000 });
    await client.close();
    expect(r.status).toBe('stream_error');
    expect(r.error).toBe('bad key Bearer ***');
    expect(JSON.stringify(r)).not.toContain(API_KEY);
  });

  it('sends no Authorization header without a key', async () => {
    const client = clientFor(server, { transport });
    await client.send(chatRequest(), { timeoutMs: 5000 });
    await client.close();
    expect(seen.at(-1)).toBeUndefined();
  });
});
