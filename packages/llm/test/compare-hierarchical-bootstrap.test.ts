import { createRng } from 'inferencebench';
import { describe, expect, it } from 'vitest';
import {
  compareSides,
  type LaunchStatistic,
  percentileStatistic,
  poissonVariate,
  tailShare,
} from '../src/compare/hierarchical-bootstrap.js';

/** A launch: `n` request latencies, lognormal around `medianMs` (so the true p50 is `medianMs`). */
function launch(seed: number, medianMs: number, n: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => medianMs * Math.exp(0.2 * rng.normal())).sort();
}

/** One side: `k` launches whose own medians scatter by `launchSpread` around `medianMs`. */
function side(seed: number, medianMs: number, k: number, launchSpread: number, n = 200): LaunchStatistic[] {
  const rng = createRng(seed).fork('launch-effects');
  return Array.from({ length: k }, (_, i) => {
    const effect = Math.exp(launchSpread * rng.normal());
    return percentileStatistic(launch(seed * 100 + i, medianMs * effect, n), 50)!;
  });
}

describe('two-stage bootstrap of a ratio between sides (launches within sides, requests within launches)', () => {
  it('covers the true ratio in about 95% of repeated experiments with 3 launches per side', () => {
    const coverage = (launchSpread: number): number => {
      let covered = 0;
      const trials = 200;
      for (let t = 0; t < trials; t++) {
        const a = side(2 * t + 1, 10, 3, launchSpread);
        const b = side(2 * t + 2, 15, 3, launchSpread);
        const c = compareSides(a, b, createRng(t), 1000);
        if (c.ratio.ci95![0] <= 1.5 && c.ratio.ci95![1] >= 1.5) covered++;
      }
      return covered / trials;
    };
    // Seeded, so these are fixed numbers (docs/comparisons.md): near the nominal 95% whether the launches
    // scatter little or much (a plain percentile bootstrap of 3 launches gives 81% at a 10% spread).
    for (const spread of [0.03, 0.3]) {
      const c = coverage(spread);
      expect(c, `spread ${spread}`).toBeGreaterThanOrEqual(0.92);
      expect(c, `spread ${spread}`).toBeLessThanOrEqual(1);
    }
  });

  it('uses Student tails for few launches (expanded percentile interval)', () => {
    expect(tailShare(1)).toBe(0.025);
    expect(tailShare(3)).toBeCloseTo(8.4e-6, 7);
    expect(tailShare(10)).toBeCloseTo(0.0118, 3);
    expect(tailShare(1000)).toBeCloseTo(0.025, 3);
  });

  it('widens with the launch-to-launch spread, so a noisy engine shows as noisy', () => {
    const quiet = compareSides(side(1, 10, 3, 0.0), side(2, 10, 3, 0.0), createRng(9));
    const noisy = compareSides(side(1, 10, 3, 0.1), side(2, 10, 3, 0.1), createRng(9));
    const width = (c: typeof quiet) => c.ratio.ci95![1] - c.ratio.ci95![0];
    expect(width(noisy)).toBeGreaterThan(2 * width(quiet));
    expect(noisy.sides[0].cov!).toBeGreaterThan(quiet.sides[0].cov!);
    expect(quiet.sides[0].launches).toHaveLength(3);
  });

  it('means over launches of each launch statistic, with the ratio of the means', () => {
    const fixed = (v: number): LaunchStatistic => ({ value: v, resample: () => v });
    const c = compareSides([fixed(10), fixed(12)], [fixed(15), fixed(18)], createRng(1));
    expect(c.sides[0].mean).toBe(11);
    expect(c.sides[1].mean).toBe(16.5);
    expect(c.ratio.value).toBe(1.5);
    expect(c.sides[0].stdev).toBeCloseTo(Math.SQRT2, 12);
  });

  it('draws Poisson counts with the right mean and variance', () => {
    const rng = createRng(3);
    for (const mean of [4, 200]) {
      const xs = Array.from({ length: 20000 }, () => poissonVariate(rng, mean));
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
      expect(m / mean).toBeCloseTo(1, 1);
      expect(v / mean).toBeCloseTo(1, 1);
    }
  });
});
