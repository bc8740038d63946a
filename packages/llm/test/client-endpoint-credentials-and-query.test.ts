import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamingClient } from '../src/client/streaming-client.js';
import {
  chatRequest,
  readBody,
  startServer,
  type TestServer,
  TRANSPORTS,
  vllmQuirks,
} from './client-test-server.js';

const seen: { method: string; url: string; auth: string | undefined }[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startServer(async (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    await readBody(req);
    if (req.method === 'GET') return void res.end('{}');
    // Echo the header and the query in a long error body; the Basic credentials straddle character 200
    // of the error text, so they must be masked before it is cut.
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(`{"error":"${'y'.repeat(150)} not allowed: ${req.headers.authorization} ${req.url}"}`);
  });
});
afterAll(() => server.close());

const PASSWORD = 'pw-7c1e5b9d2a';
const QUERY_KEY = 'qk-4f0a8e2c6b';

// Issue 14: credentials in the endpoint URL travel the way the server expects, and the query stays on
// every request; neither reaches an error text.
describe.each(TRANSPORTS)('endpoint URL credentials and query (%s)', (transport) => {
  const client = () =>
    createStreamingClient({
      baseUrl: `${server.baseUrl.replace('http://', `http://bench:${PASSWORD}@`)}?api_key=${QUERY_KEY}&v=2`,
      connections: 1,
      quirks: vllmQuirks,
      transport,
    });

  it('warm-up GET and measured POST carry the query and Basic auth from the userinfo', async () => {
    const c = client();
    await c.warm(1);
    const r = await c.send(chatRequest(), { timeoutMs: 5000 });
    await c.close();
    const [get, post] = seen.slice(-2);
    const basic = `Basic ${Buffer.from(`bench:${PASSWORD}`).toString('base64')}`;
    expect(get).toEqual({ method: 'GET', url: `/v1/models?api_key=${QUERY_KEY}&v=2`, auth: basic });
    expect(post).toEqual({
      method: 'POST',
      url: `/v1/chat/completions?api_key=${QUERY_KEY}&v=2`,
      auth: basic,
    });
    expect(r.status).toBe('http_error');
    expect(r.error).toMatch(/^HTTP 403: /);
    expect(r.error!.length).toBeLessThanOrEqual('HTTP 403: '.length + 200);
    const text = JSON.stringify(r);
    for (const secret of [PASSWORD, QUERY_KEY, Buffer.from(`bench:${PASSWORD}`).toString('base64')])
      for (const part of [secret, secret.slice(0, 6)]) expect(text).not.toContain(part);
  });
});
