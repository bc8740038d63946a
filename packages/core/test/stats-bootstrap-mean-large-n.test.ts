import { describe, expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import {
  bootstrapCi,
  bootstrapMeanCi,
  cornishFisher,
  MEAN_EXACT_MAX_N,
  mean,
  meanBootstrapMethod,
  percentileOfSorted,
  resampleMeanCumulants,
  sortedCopy,
} from '../src/stats/index.js';

// Above MEAN_EXACT_MAX_N values the mean's bootstrap draws each resample mean from its Cornish-Fisher law
// instead of resampling n values. The error of that law against the ideal (infinite-resample) bootstrap
// must be negligible beside the Monte Carlo error of a 1000-resample bootstrap.
const B = 1000;
const ALPHA = 0.025;
// Monte Carlo sd of the empirical 2.5% quantile of B resamples, in probability units: sqrt(a(1-a)/B).
const MC_SD_PROB = Math.sqrt((ALPHA * (1 - ALPHA)) / B);

/** Standard normal CDF (Abramowitz & Stegun 26.2.17, |error| < 7.5e-8). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly =
    t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI)) * poly;
  return x >= 0 ? 1 - tail : tail;
}

/** P(resample mean <= x) under the Cornish-Fisher law: invert the (monotone) expansion by bisection. */
function cfCdf(t: number, skew: number, kurt: number, expansion: typeof cornishFisher): number {
  let lo = -8;
  let hi = 8;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (expansion(mid, skew, kurt) < t) lo = mid;
    else hi = mid;
  }
  return normalCdf((lo + hi) / 2);
}

/** The exact bootstrap law of 0/1 data: n times the resample mean is Binomial(n, p). CDF at every k. */
function binomialCdf(n: number, p: number): Float64Array {
  const cdf = new Float64Array(n + 1);
  let logPmf = n * Math.log1p(-p);
  let acc = 0;
  for (let k = 0; k <= n; k++) {
    acc += Math.exp(logPmf);
    cdf[k] = acc;
    logPmf += Math.log((n - k) / (k + 1)) + Math.log(p / (1 - p));
  }
  return cdf;
}

describe('bootstrapMeanCi above MEAN_EXACT_MAX_N', () => {
  // 0/1 data, from mildly to strongly skewed (skew of the resample mean up to the 0.1 guard).
  for (const [n, ones] of [
    [2_500, 500],
    [30_000, 9_000],
    [100_000, 1_000],
    [1_000_000, 100],
  ] as const) {
    it(`matches the exact Binomial bootstrap law of ${ones} ones in ${n} values far within the Monte Carlo error`, () => {
      const data = new Float64Array(n);
      for (let i = 0; i < ones; i++) data[i] = 1;
      const c = resampleMeanCumulants(data);
      const p = ones / n;
      expect(c.se).toBeCloseTo(Math.sqrt((p * (1 - p)) / n), 12);
      const exact = binomialCdf(n, p);
      const plainNormal = (z: number): number => z;
      let worstCf = 0;
      let worstNormal = 0;
      for (const q of [ALPHA, 1 - ALPHA]) {
        let k = 0;
        while (exact[k]! < q) k++;
        // Midpoints between lattice values, where the lattice terms of the expansion vanish.
        for (let d = -3; d <= 3; d++) {
          const kk = k + d;
          const t = ((kk + 0.5) / n - c.mean) / c.se;
          worstCf = Math.max(worstCf, Math.abs(cfCdf(t, c.skew, c.kurt, cornishFisher) - exact[kk]!));
          worstNormal = Math.max(worstNormal, Math.abs(cfCdf(t, 0, 0, plainNormal) - exact[kk]!));
        }
      }
      // The expansion's error is under a tenth of the 1000-resample bootstrap's own Monte Carlo error.
      expect(worstCf).toBeLessThan(0.1 * MC_SD_PROB);
      // And the skewness terms matter: a plain normal law is worse wherever the data are skewed.
      if (c.skew > 0.05) expect(worstNormal).toBeGreaterThan(worstCf * 5);
    });
  }

  it('agrees with exact resampling on log-normal data to within the Monte Carlo error', () => {
    const rng = createRng(3);
    const n = 20_000;
    const data = Float64Array.from({ length: n }, () => Math.exp(Math.log(10) + 0.8 * rng.normal()));
    const fast = bootstrapMeanCi(data, { rng: createRng(5) });
    const exact = bootstrapCi(data, mean, { rng: createRng(6) });
    const se = resampleMeanCumulants(data).se;
    expect(fast.estimate).toBe(exact.estimate);
    // Each bound carries ~0.085 se of Monte Carlo error, so their difference ~0.12 se: allow 4 sd.
    expect(Math.abs(fast.lower - exact.lower)).toBeLessThan(0.5 * se);
    expect(Math.abs(fast.upper - exact.upper)).toBeLessThan(0.5 * se);
    expect(fast.resamples).toBe(1000);
  });

  it('keeps the Monte Carlo spread of a 1000-resample bootstrap, seeded and deterministic', () => {
    const rng = createRng(4);
    const data = Float64Array.from({ length: 200_000 }, () => rng.exponential(1 / 10));
    const c = resampleMeanCumulants(data);
    const a = bootstrapMeanCi(data, { rng: createRng(9) });
    const b = bootstrapMeanCi(data, { rng: createRng(9) });
    expect(b).toEqual(a);
    // Across seeds the lower bound moves by the 1000-resample Monte Carlo sd, ~0.085 se (1/φ(1.96)·√(a(1-a)/B)).
    const lows = Array.from(
      { length: 300 },
      (_, s) => bootstrapMeanCi(data, { rng: createRng(100 + s) }).lower,
    );
    const m = mean(lows);
    const sd = Math.sqrt(lows.reduce((acc, x) => acc + (x - m) ** 2, 0) / (lows.length - 1)) / c.se;
    expect(sd).toBeGreaterThan(0.06);
    expect(sd).toBeLessThan(0.11);
  });

  it('resamples exactly at or below MEAN_EXACT_MAX_N', () => {
    const rng = createRng(8);
    const small = Float64Array.from({ length: MEAN_EXACT_MAX_N }, () => rng.exponential(1));
    expect(meanBootstrapMethod(small)).toBe('exact');
    expect(bootstrapMeanCi(small, { rng: createRng(1), resamples: 100 })).toEqual(
      bootstrapCi(small, mean, { rng: createRng(1), resamples: 100 }),
    );
  });

  it('splits off the extreme values of data a few outliers dominate, and agrees with exact resampling', () => {
    // Three 5 s stalls among 10,000 gaps of ~10 ms: the resample mean is a mixture over how many stalls
    // each resample drew (about Poisson(3)), not near normal, so the plain expansion is refused.
    const rng = createRng(12);
    const data = Float64Array.from({ length: 10_000 }, () => Math.exp(Math.log(10) + 0.3 * rng.normal()));
    data[100] = data[2000] = data[9000] = 5000;
    expect(Math.abs(resampleMeanCumulants(data).kurt)).toBeGreaterThan(0.05);
    expect(meanBootstrapMethod(data)).toBe('tail-split');
    const resampled: number[] = [];
    bootstrapCi(
      data,
      (sample) => {
        const m = mean(sample);
        resampled.push(m);
        return m;
      },
      { rng: createRng(4), resamples: 2000 },
    );
    const exact = sortedCopy(resampled.slice(1)); // the first call is the estimate on the data
    for (const confidence of [0.95, 0.5]) {
      const split = bootstrapMeanCi(data, { rng: createRng(3), resamples: 2000, confidence });
      const tail = ((1 - confidence) / 2) * 100;
      // Each stall drawn moves the mean by 0.5 ms; the Monte Carlo error of these bounds is 0.005-0.014 ms.
      expect(Math.abs(split.lower - percentileOfSorted(exact, tail))).toBeLessThan(0.1);
      expect(Math.abs(split.upper - percentileOfSorted(exact, 100 - tail))).toBeLessThan(0.1);
    }
  });

  it('uses the tail split for one stall among 1,000,000 gaps, and exact resampling when nothing helps', () => {
    const rng = createRng(13);
    const gaps = Float64Array.from({ length: 1_000_000 }, () => Math.exp(Math.log(10) + 0.3 * rng.normal()));
    gaps[500_000] = 10_000;
    expect(meanBootstrapMethod(gaps)).toBe('tail-split');
    const ci = bootstrapMeanCi(gaps, { rng: createRng(1) });
    expect(ci.lower).toBeLessThan(ci.estimate);
    expect(ci.upper).toBeGreaterThan(ci.estimate);
    // Half the values at 0 and a thousand spread over decades: no small set of extremes tames the rest.
    const wild = Float64Array.from({ length: MEAN_EXACT_MAX_N + 1000 }, (_, i) =>
      i % 2 === 0 ? 0 : 10 ** ((i % 24) / 2),
    );
    if (meanBootstrapMethod(wild) === 'exact')
      expect(bootstrapMeanCi(wild, { rng: createRng(2), resamples: 50 })).toEqual(
        bootstrapCi(wild, mean, { rng: createRng(2), resamples: 50 }),
      );
  });
});
