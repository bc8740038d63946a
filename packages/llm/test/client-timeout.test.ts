import { describe, expect, it } from 'vitest';
import { chatRequest, clientFor, TRANSPORTS, useStreamOpeningWithToken } from './client-test-server.js';

// Sends one token, then stalls forever.
const server = useStreamOpeningWithToken(() => {});

describe.each(TRANSPORTS)('streaming client: stalled server (%s)', (transport) => {
  it('returns timeout after timeoutMs and keeps the partial chunk times', async () => {
    const client = clientFor(server, { transport });
    const t0 = performance.now();
    const r = await client.send(chatRequest(), { timeoutMs: 300 });
    const elapsedMs = performance.now() - t0;
    await client.close();
    expect(r.status).toBe('timeout');
    expect(r.chunkTimes.length).toBe(1);
    expect(elapsedMs).toBeGreaterThanOrEqual(299);
    expect(elapsedMs).toBeLessThan(3000);
  });
});
