import { describe, expect, it } from 'vitest';
import { chatRequest, clientFor, TRANSPORTS, useStreamOpeningWithToken } from './client-test-server.js';

// One token, then the stream stays open until the client gives up.
const server = useStreamOpeningWithToken(() => {});

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
