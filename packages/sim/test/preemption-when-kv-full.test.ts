import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/index.js';
import { fastProfile } from './helpers.js';

describe('KV-cache preemption', () => {
  it('sends the newest running sequence back to the front of the queue and recomputes it later', () => {
    const profile = fastProfile(1, { kvCacheTokens: 256, blockSizeTokens: 16, maxPreemptions: 100 });
    const s = new Scheduler(profile);
    const a = s.add(100, 100, 'length');
    const b = s.add(100, 100, 'length');
    let preemptedB = false;
    let steps = 0;
    while (s.hasWork() && steps < 10_000) {
      const plan = s.schedule()!;
      if (b.state === 'waiting' && b.preemptions > 0) preemptedB = true;
      expect(s.kvUsedTokens).toBeLessThanOrEqual(256);
      s.commit(plan);
      steps++;
    }
    expect(preemptedB).toBe(true);
    expect(a.preemptions).toBe(0);
    expect([a.state, b.state]).toEqual(['finished', 'finished']);
    expect([a.generated, b.generated]).toEqual([100, 100]);
    expect(s.kvUsedTokens).toBe(0);
  });
});
