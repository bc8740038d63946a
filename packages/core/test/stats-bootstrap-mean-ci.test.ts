import { expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import { bootstrapMeanCi, mean, sampleStdev } from '../src/stats/index.js';

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
