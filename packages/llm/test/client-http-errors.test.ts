import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatRequest,
  clientFor,
  readBody,
  startServer,
  type TestServer,
  TRANSPORTS,
} from './client-test-server.js';

let server: TestServer;
beforeAll(async () => {
  // The status to answer with is the request's model name.
  server = await startServer(async (req, res) => {
    const status = Number(JSON.parse(await readBody(req)).model);
    res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: { message: `status ${status}`, pad: 'x'.repeat(500) } }));
  });
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('streaming client: non-2xx responses (%s)', (transport) => {
  it.each([500, 429, 404])(
    'returns http_error for HTTP %i with the first 200 bytes of the body',
    async (status) => {
      const client = clientFor(server, { transport });
      const r = await client.send({ ...chatRequest(), model: String(status) }, { timeoutMs: 5000 });
      await client.close();
      expect(r.status).toBe('http_error');
      expect(r.httpStatus).toBe(status);
      expect(r.error).toMatch(new RegExp(`^HTTP ${status}: \\{"error":\\{"message":"status ${status}"`));
      expect(r.error!.length).toBe(`HTTP ${status}: `.length + 200);
      expect(r.chunkTimes).toEqual([]);
    },
  );
});
