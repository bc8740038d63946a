import { describe, expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import { bootstrapCi, bootstrapPercentileCi, percentileOfSorted, sortedCopy } from '../src/stats/index.js';

// The order-statistic bootstrap must give the same distribution of resampled percentiles as the naive
// resample-and-sort bootstrap. Both run 20k resamples; their quantiles (the CI bounds at several
// confidence levels) must agree to within a small share of the 95% CI width.
describe('bootstrapPercentileCi agrees with the naive bootstrap', () => {
  const rng = createRng(1);
  for (const n of [57, 200]) {
    const data = Array.from({ length: n }, () => rng.exponential(1 / 100));
    const sorted = sortedCopy(data);
    for (const p of [50, 90, 99]) {
      it(`n=${n} p${p}`, () => {
        // Naive bootstrap once; its bounds at each confidence are quantiles of the same 20k resampled values.
        const resampled: number[] = [];
        bootstrapCi(
          data,
          (s) => {
            s.sort(); // the resample buffer is rewritten for each resample, so sorting it in place is fine
            const v = percentileOfSorted(s, p);
            resampled.push(v);
            return v;
          },
          { resamples: 20_000, rng: createRng(2) },
        );
        const naiveSorted = sortedCopy(resampled.slice(1)); // the first call was the point estimate
        const naive = (c: number) => ({
          lower: percentileOfSorted(naiveSorted, ((1 - c) / 2) * 100),
          upper: percentileOfSorted(naiveSorted, ((1 + c) / 2) * 100),
        });
        const fast = (c: number) =>
          bootstrapPercentileCi(sorted, p, { resamples: 20_000, confidence: c, rng: createRng(3) });
        const n95 = naive(0.95);
        const width = n95.upper - n95.lower;
        expect(width).toBeGreaterThan(0);
        expect(fast(0.95).estimate).toBe(percentileOfSorted(sorted, p));
        for (const c of [0.2, 0.5, 0.8, 0.95]) {
          const a = naive(c);
          const b = fast(c);
          expect(Math.abs(b.lower - a.lower)).toBeLessThanOrEqual(0.06 * width);
          expect(Math.abs(b.upper - a.upper)).toBeLessThanOrEqual(0.06 * width);
        }
      });
    }
  }

  it('is reproducible for a seed and handles n = 1', () => {
    const sorted = sortedCopy(Array.from({ length: 1000 }, (_, i) => i));
    const a = bootstrapPercentileCi(sorted, 99, { rng: createRng(9) });
    const b = bootstrapPercentileCi(sorted, 99, { rng: createRng(9) });
    expect(a).toEqual(b);
    expect(a.resamples).toBe(1000);
    expect(a.lower).toBeLessThanOrEqual(a.estimate);
    expect(a.upper).toBeGreaterThanOrEqual(a.estimate);
    expect(bootstrapPercentileCi([5], 99)).toMatchObject({ estimate: 5, lower: 5, upper: 5 });
  });
});
