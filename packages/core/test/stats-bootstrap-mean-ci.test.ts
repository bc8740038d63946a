import { expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import { bootstrapCi, bootstrapMeanCi, mean, sampleStdev } from '../src/stats/index.js';

it('the bootstrap CI of a mean matches the normal-theory interval mean ± 1.96·s/√n for a large sample', () => {
  const rng = createRng(11);
  const data = Float64Array.from({ length: 2000 }, () => rng.normal(50, 10));
  const ci = bootstrapMeanCi(data, { resamples: 2000, rng: createRng(12) });
  const half = (1.96 * sampleStdev(data)) / Math.sqrt(data.length);
  expect(ci.estimate).toBe(mean(data));
  // Bootstrap bounds wobble by a few percent of the half-width with 2000 resamples.
  expect(Math.abs(ci.lower - (ci.estimate - half))).toBeLessThan(0.1 * half);
  expect(Math.abs(ci.upper - (ci.estimate + half))).toBeLessThan(0.1 * half);
});

it('up to 2,000 values the mean CI is the generic bootstrap of the mean, to the last bit', () => {
  // bootstrapMeanCi sums each resample as it draws it (no resample buffer); the draws, their order and
  // the sums must be the generic resample-then-mean's, or stored levels would recompute differently.
  const rng = createRng(3);
  for (const n of [1, 2, 17, 1000, 2000]) {
    const data = Float64Array.from({ length: n }, () => Math.exp(3 + rng.normal()) * (1 + 1e-9 * rng.next()));
    const fused = bootstrapMeanCi(data, { resamples: 500, rng: createRng(n) });
    const generic = bootstrapCi(data, mean, { resamples: 500, rng: createRng(n) });
    expect([fused.estimate, fused.lower, fused.upper]).toEqual([
      generic.estimate,
      generic.lower,
      generic.upper,
    ]);
  }
});
