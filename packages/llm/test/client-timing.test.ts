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

// First token T ms after the request arrives, then one every D ms.
const T_MS = 60;
const D_MS = 15;
const TOKENS = 12;

// The server runs in this process, so its performance.now() is the client's clock: each chunk time can be
// compared with the moment the server actually wrote that token (timers run late on a busy machine).
const writtenAt: number[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startServer(async (req, res) => {
    if (req.method === 'GET') return void res.end('{}');
    await readBody(req);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n');
    await new Promise((r) => setTimeout(r, T_MS));
    for (let i = 0; i < TOKENS; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, D_MS));
      writtenAt.push(performance.now());
      res.write(sseToken(`t${i}`));
    }
    res.end('data: [DONE]\n\n');
  });
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('streaming client: chunk times (%s)', (transport) => {
  it('stamps each token with the time its bytes arrived, not when the stream ended', async () => {
    writtenAt.length = 0;
    const client = clientFor(server, { transport });
    await client.warm(1);
    const r = await client.send(chatRequest(TOKENS), { timeoutMs: 10_000 });
    await client.close();
    expect(r.status).toBe('ok');
    expect(r.chunkTimes.length).toBe(TOKENS);
    expect(r.text).toBe(Array.from({ length: TOKENS }, (_, i) => `t${i}`).join(''));
    // The role-only delta came first but is not the first token: TTFT covers the T ms wait.
    expect(r.chunkTimes[0] - r.sentAt).toBeGreaterThanOrEqual(T_MS - 1);
    const delaysMs = r.chunkTimes.map((t, i) => t - writtenAt[i]);
    for (const d of delaysMs) expect(d).toBeGreaterThanOrEqual(0);
    // Stamping at the end of the stream would give delays of up to (TOKENS - 1) x D ms.
    const sorted = [...delaysMs].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(D_MS / 2);
    // Gaps between chunks follow the gaps between writes (at least D ms apart).
    const gapsMs = r.chunkTimes.slice(1).map((t, i) => t - r.chunkTimes[i]);
    const sortedGaps = [...gapsMs].sort((a, b) => a - b);
    expect(sortedGaps[Math.floor(sortedGaps.length / 2)]).toBeGreaterThan(D_MS - 2);
  });
});
