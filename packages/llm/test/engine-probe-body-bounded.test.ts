import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROBE_BODY_BYTES, probe } from '../src/engines/http.js';

// Issue 14 "attach probes read whole bodies (6.7 GB against an endless response)": a probe keeps at most
// MAX_PROBE_BODY_BYTES and stops reading, however much the server sends.
let server: http.Server;
let base = '';
let sentBytes = 0;
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const piece = Buffer.alloc(64 * 1024, 'x');
    const pump = (): void => {
      while (!res.destroyed && res.write(piece)) sentBytes += piece.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('probe against an endless body', () => {
  it('returns the first MAX_PROBE_BODY_BYTES at once and stops reading', async () => {
    const t0 = performance.now();
    const r = await probe(`${base}/v1/models`, { timeoutMs: 20_000 });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(MAX_PROBE_BODY_BYTES);
    // Well before the probe's own timeout: it did not read until then.
    expect(performance.now() - t0).toBeLessThan(10_000);
    const atReturn = sentBytes;
    await new Promise((r) => setTimeout(r, 300));
    // The connection was dropped: the server cannot push much more once its socket buffers fill.
    expect(sentBytes - atReturn).toBeLessThan(16 * 1024 * 1024);
  });
});
