import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequest, clientFor, TRANSPORTS, vllmQuirks } from './client-test-server.js';
import { FAULT_MODES, type FaultServer, startFaultServer } from './fixtures/fault-server.js';

// Issue 14 "Hostile servers", issue 10 §2, SPEC §5: every fault mode of the fault server ends in the
// status (and reason) it must, on both transports; nothing throws, nothing hangs.
let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('fault server modes are classified (%s)', (transport) => {
  it.each(Object.entries(FAULT_MODES).map(([name, m]) => [name, m.expected.status, m] as const))(
    '%s -> %s',
    async (name, _status, mode) => {
      const client = createFor(name, transport);
      const timeoutMs = mode.expected.timeoutMs ?? 10_000;
      const r = await client.send(chatRequest(), { timeoutMs });
      await client.close();
      const e = mode.expected;
      expect(r.status, `${name}: ${r.error}`).toBe(e.status);
      if (e.status !== 'ok') expect(r.error).toMatch(e.error!);
      else expect(r.error).toBeNull();
      if (e.chunks !== undefined) expect(r.chunkTimes.length).toBe(e.chunks);
      if (e.text !== undefined) expect(r.text).toBe(e.text);
      if (e.retryAfterS !== undefined) expect(r.retryAfterS).toBeCloseTo(e.retryAfterS, -1);
      // Stored error text is capped whatever the server sends.
      expect((r.error ?? '').length).toBeLessThanOrEqual(520);
    },
  );
});

function createFor(mode: string, transport: (typeof TRANSPORTS)[number]) {
  return clientFor(
    { baseUrl: server.baseUrl(mode), connections: () => 0, close: async () => {} },
    {
      transport,
      quirks: vllmQuirks,
    },
  );
}
