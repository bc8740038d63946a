import { describe, expect, it } from 'vitest';
import { Scheduler, stepDurationMs } from '../src/index.js';
import { fastProfile } from './helpers.js';

describe('chunked prefill', () => {
  it('spreads a long prompt over steps within the token budget, decoding others alongside', () => {
    const profile = fastProfile(1, { maxNumBatchedTokens: 1000 });
    const s = new Scheduler(profile);
    const short = s.add(10, 50, 'length');
    s.commit(s.schedule()!); // short prefills and gets its first token
    const long = s.add(2500, 5, 'length');
    const plans = [];
    while (long.generated === 0) {
      const plan = s.schedule()!;
      plans.push({
        prefill: plan.prefillTokens,
        decode: plan.decodeSeqs,
        cached: plan.cachedTokens,
        ms: plan.durationMs,
      });
      s.commit(plan);
    }
    // 2500 prompt tokens at 999 per step (one budget token goes to the decoding sequence).
    expect(plans.map((p) => p.prefill)).toEqual([999, 999, 502]);
    expect(plans.every((p) => p.decode === 1)).toBe(true);
    expect(short.generated).toBe(4);
    const t = profile.timing;
    expect(plans[1]!.ms).toBeCloseTo(stepDurationMs(t, 999, 1, plans[1]!.cached), 9);
    expect(plans[1]!.cached).toBe(999 + 11);
  });
});
