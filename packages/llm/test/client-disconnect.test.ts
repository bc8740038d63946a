import { describe, expect, it } from 'vitest';
import {
  chatRequest,
  clientFor,
  sseToken,
  TRANSPORTS,
  useStreamOpeningWithToken,
} from './client-test-server.js';

const server = useStreamOpeningWithToken((res) => {
  res.write(sseToken('b'));
  // Kill the connection mid-stream, after the tokens have had time to arrive.
  setTimeout(() => res.socket?.destroy(), 50);
});

describe.each(TRANSPORTS)('streaming client: disconnect mid-stream (%s)', (transport) => {
  it('returns stream_error and keeps the chunk times that arrived', async () => {
    const client = clientFor(server, { transport });
    const r = await client.send(chatRequest(), { timeoutMs: 5000 });
    await client.close();
    expect(r.status).toBe('stream_error');
    expect(r.httpStatus).toBe(200);
    expect(r.chunkTimes.length).toBe(2);
    expect(r.text).toBe('ab');
    expect(r.error).toBeTruthy();
  });
});
