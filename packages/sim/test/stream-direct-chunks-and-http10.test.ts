import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, http, stream, tokenEvents } from './helpers.js';

/** One raw HTTP exchange on a fresh socket; resolves with everything the server sent before closing. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(request));
    socket.on('data', (c: string) => {
      text += c;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('token chunks written straight to the socket', () => {
  it('stay valid chunked SSE on a keep-alive connection, and /sim/stats times their hand-off', async () => {
    const sim = await startSimServer({ profile: fastProfile() });
    try {
      // Two requests in turn: the second reuses the connection, so the chunked framing must be exact.
      for (const path of ['/v1/completions', '/v1/chat/completions']) {
        const body =
          path === '/v1/completions'
            ? { prompt: [1, 2, 3], max_tokens: 12, ignore_eos: true, stream: true }
            : { messages: [{ role: 'user', content: 'hi' }], max_tokens: 12, ignore_eos: true, stream: true };
        const r = await stream(`${sim.url}${path}`, body);
        expect(r.status).toBe(200);
        const tokens = tokenEvents(r.events);
        expect(tokens).toHaveLength(12);
        expect(tokens.at(-1)!.json.choices).toMatchObject([{ finish_reason: 'length' }]);
        expect(r.events.at(-1)!.data).toBe('data: [DONE]');
      }
      const stats = (await http(`${sim.url}/sim/stats`)).body;
      const s = JSON.parse(stats) as Record<string, { p50: number; max: number }> & { steps: number };
      expect(s.steps).toBeGreaterThanOrEqual(24);
      // The last token of a step cannot reach its socket before the step end fired.
      expect(s.handoff_done_ms!.max).toBeGreaterThanOrEqual(s.lateness_ms!.max - 1e-9);
      expect(s.handoff_cpu_ms!.p50).toBeGreaterThanOrEqual(0);
    } finally {
      await sim.close();
    }
  });

  it('falls back to ServerResponse for an HTTP/1.0 client (no chunked encoding)', async () => {
    const sim = await startSimServer({ profile: fastProfile() });
    try {
      const body = JSON.stringify({ prompt: [1, 2, 3], max_tokens: 5, ignore_eos: true, stream: true });
      const text = await rawExchange(
        sim.port,
        `POST /v1/completions HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      const [head, payload] = [
        text.slice(0, text.indexOf('\r\n\r\n')),
        text.slice(text.indexOf('\r\n\r\n') + 4),
      ];
      expect(head).toMatch(/^HTTP\/1\.1 200/);
      expect(head.toLowerCase()).not.toContain('transfer-encoding: chunked');
      // Plain SSE, no chunk-size lines: five token events, then [DONE].
      const events = payload.split('\n\n').filter(Boolean);
      expect(events).toHaveLength(6);
      for (const e of events.slice(0, 5)) expect(e).toMatch(/^data: \{"id":"cmpl-/);
      expect(events.at(-1)).toBe('data: [DONE]');
    } finally {
      await sim.close();
    }
  });
});
