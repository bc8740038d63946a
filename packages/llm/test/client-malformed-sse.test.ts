import { describe, expect, it } from 'vitest';
import { chatRequest, clientFor, TRANSPORTS, useStreamOpeningWithToken } from './client-test-server.js';

const server = useStreamOpeningWithToken((res, body) => {
  const { model } = JSON.parse(body);
  if (model === 'malformed') res.end('data: {"choices":[{"delta":\n\n');
  else if (model === 'error-event') res.end('data: {"error":{"message":"engine crashed"}}\n\n');
  else res.end('error: {"message":"old-style failure"}\n\n');
});

describe.each(TRANSPORTS)('streaming client: bad events after HTTP 200 (%s)', (transport) => {
  it.each([
    ['malformed', 'malformed SSE event'],
    ['error-event', 'engine crashed'],
    ['error-field', 'old-style failure'],
  ])('%s gives stream_error "%s" and keeps the earlier token', async (model, message) => {
    const client = clientFor(server, { transport });
    const r = await client.send({ ...chatRequest(), model }, { timeoutMs: 5000 });
    await client.close();
    expect(r.status).toBe('stream_error');
    expect(r.error).toBe(message);
    expect(r.chunkTimes.length).toBe(1);
  });
});
