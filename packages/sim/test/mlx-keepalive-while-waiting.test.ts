import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, stream, tokenEvents } from './helpers.js';

describe('mlx keepalive comments', () => {
  it('sends ": keepalive" about every 100 ms while a request waits for its first token', async () => {
    // One sequence at a time: the second request waits behind the first for about 600 ms.
    const profile = fastProfile(1, { maxNumSeqs: 1 });
    profile.timing = { overheadMs: 20, prefillMsPerToken: 0, decodeMsPerSeq: 0, attnMsPerCachedToken: 0 };
    const sim = await startSimServer({ profile, flavor: 'mlx' });
    try {
      const first = stream(`${sim.url}/v1/completions`, { prompt: 'x', max_tokens: 30, stream: true });
      await new Promise((r) => setTimeout(r, 30));
      const second = await stream(`${sim.url}/v1/completions`, { prompt: 'y', max_tokens: 1, stream: true });
      await first;
      const tokens = tokenEvents(second.events);
      const firstTokenAt = tokens[0]!.tMs;
      const keepalives = second.events.filter((e) => e.data === ': keepalive' && e.tMs < firstTokenAt);
      expect(keepalives.length).toBeGreaterThanOrEqual(3);
      expect(second.events.filter((e) => e.data === ': keepalive' && e.tMs > firstTokenAt)).toHaveLength(0);
    } finally {
      await sim.close();
    }
  });
});
