import { expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import { betaVariate, gammaVariate, mean } from '../src/stats/index.js';

function variance(xs: number[]): number {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

it('Gamma and Beta draws have the textbook mean and variance', () => {
  const rng = createRng(5);
  const n = 40_000;
  // Gamma(k, 1): mean k, variance k. Shapes below and above 1 take different branches.
  for (const k of [0.5, 3, 250]) {
    const g = Array.from({ length: n }, () => gammaVariate(rng, k));
    expect(mean(g)).toBeCloseTo(k, k < 10 ? 1 : 0);
    expect(variance(g) / k).toBeGreaterThan(0.95);
    expect(variance(g) / k).toBeLessThan(1.05);
  }
  // Beta(a, b): mean a/(a+b), variance ab/((a+b)^2 (a+b+1)); (990, 11) is the p99 order statistic of n=1000.
  for (const [a, b] of [
    [2, 5],
    [990, 11],
  ] as const) {
    const x = Array.from({ length: n }, () => betaVariate(rng, a, b));
    const m = a / (a + b);
    const v = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(mean(x) - m)).toBeLessThan(4 * Math.sqrt(v / n));
    expect(variance(x) / v).toBeGreaterThan(0.95);
    expect(variance(x) / v).toBeLessThan(1.05);
  }
});
