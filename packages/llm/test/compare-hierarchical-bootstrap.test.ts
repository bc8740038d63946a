import { createRng } from 'inferencebench';
import { describe, expect, it } from 'vitest';
import {
  compareSides,
  type LaunchStatistic,
  percentileStatistic,
  poissonVariate,
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
  it('covers the true ratio in about 95% of repeated experiments', () => {
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const a = side(2 * t + 1, 10, 3, 0.03);
      const b = side(2 * t + 2, 15, 3, 0.03);
      const c = compareSides(a, b, createRng(t), 1000);
      if (c.ratio.ci95![0] <= 1.5 && c.ratio.ci95![1] >= 1.5) covered++;
    }
    // Seeded, so this is one fixed number; it must sit near the nominal 95%.
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThanOrEqual(1);
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
