import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile } from './helpers.js';

describe('client disconnect', () => {
  it('frees the sequence and its KV cache when the client goes away mid-stream', async () => {
    const sim = await startSimServer({ profile: fastProfile(5) });
    try {
      const req = request(`${sim.url}/v1/completions`, { method: 'POST' });
      req.on('error', () => {});
      req.end(JSON.stringify({ prompt: 'a b c', max_tokens: 5000, ignore_eos: true, stream: true }));
      await new Promise<void>((resolve) => req.on('response', (res) => res.once('data', () => resolve())));
      expect(sim.engine.running).toBe(1);
      expect(sim.engine.scheduler.kvUsedTokens).toBeGreaterThan(0);
      req.destroy();
      // The server notices the closed socket within a few event-loop turns; poll rather than guess.
      for (let i = 0; i < 100 && sim.engine.running > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(sim.engine.running).toBe(0);
      expect(sim.engine.scheduler.kvUsedTokens).toBe(0);
    } finally {
      await sim.close();
    }
  });
});
