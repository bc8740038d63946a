import { describe, expect, it } from 'vitest';
import { searchGoodputRate } from '../src/load/goodput-search.js';

describe('goodput search: bracketing then bisection', () => {
  it('finds the highest holding rate within 5% (from below and from above)', async () => {
    const truth = 37.3;
    for (const start of [5, 400]) {
      const r = await searchGoodputRate(
        async (rate) => ({ rateReqS: rate as number, holds: (rate as number) <= truth }),
        start,
      );
      expect(r.rateReqS).not.toBeNull();
      expect(r.rateReqS!).toBeLessThanOrEqual(truth);
      expect(r.rateReqS!).toBeGreaterThanOrEqual(truth * 0.95);
      expect(r.probes.length).toBeLessThanOrEqual(16);
    }
  });

  it('resolves an auto first probe and reports null when nothing holds', async () => {
    const r = await searchGoodputRate(
      async (rate) => ({ rateReqS: rate === 'auto' ? 8 : rate, holds: false }),
      'auto',
      { minRateReqS: 0.5 },
    );
    expect(r.rateReqS).toBeNull();
    expect(r.probes[0]!.rateReqS).toBe(8);
  });
});
