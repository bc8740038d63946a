import { betaVariate, type Rng } from 'inferencebench';
import { percentileSorted } from '../metrics/stats.js';

/**
 * One launch's statistic: its value on the launch's own data, and a draw of the same statistic on a
 * bootstrap resample of the launch's requests.
 */
export interface LaunchStatistic {
  value: number;
  resample(rng: Rng): number;
}

/** A percentile (0..100) of one launch's sorted values, resampled in O(1) (see bootstrapPercentileCi). */
export function percentileStatistic(sorted: Float64Array, p: number): LaunchStatistic | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = ((n - 1) * p) / 100;
  const k = Math.floor(h);
  const frac = h - k;
  const j = k + 1;
  const pick = (u: number): number => sorted[Math.min(n - 1, Math.floor(n * u))]!;
  return {
    value: percentileSorted(sorted, p),
    // The resample's j-th order statistic is x[floor(n·U_(j))], U_(j) ~ Beta(j, n-j+1); the next one
    // follows from the n-j uniforms above it (the core's exact percentile bootstrap, one draw at a time).
    resample(rng) {
      const u = betaVariate(rng, j, n - j + 1);
      const lo = pick(u);
      if (!(frac > 0 && j < n)) return lo;
      const uNext = u + (1 - u) * (1 - (1 - rng.next()) ** (1 / (n - j)));
      return lo + frac * (pick(uNext) - lo);
    },
  };
}

/**
 * A window rate resting on `count` requests (throughput): the resample redraws the count as Poisson, the
 * arrival process of the default open-loop load, and scales the rate with it. `count` 0: a fixed value.
 */
export function rateStatistic(value: number, count: number): LaunchStatistic {
  if (count <= 0) return { value, resample: () => value };
  return { value, resample: (rng) => (value * poissonVariate(rng, count)) / count };
}

/** Poisson(mean) variate: Knuth's product of uniforms for small means, a rounded normal above 30. */
export function poissonVariate(rng: Rng, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

export interface SideEstimate {
  /** Mean over the side's launches. */
  mean: number;
  ci95: [number, number];
  /** The launches' own values, and their spread (sample stdev; coefficient of variation). */
  launches: number[];
  stdev: number | null;
  cov: number | null;
}

export interface Comparison {
  sides: [SideEstimate, SideEstimate];
  /** Second side's mean over the first's; null when the first is 0. */
  ratio: { value: number | null; ci95: [number, number] | null };
}

/**
 * Compare two sides, each a list of launches, with a two-stage (hierarchical) percentile bootstrap:
 * each resample draws the side's launches with replacement, then each drawn launch's requests with
 * replacement, and averages the launch statistics; the ratio's CI comes from the same draws. 95%
 * intervals from `resamples` draws of the seeded generator, expanded for few launches (tailShare).
 */
export function compareSides(
  a: LaunchStatistic[],
  b: LaunchStatistic[],
  rng: Rng,
  resamples = 1000,
): Comparison {
  const drawsA = new Float64Array(resamples);
  const drawsB = new Float64Array(resamples);
  const ratios: number[] = [];
  const rngA = rng.fork('side-1');
  const rngB = rng.fork('side-2');
  const meanOf = (xs: LaunchStatistic[]): number => xs.reduce((s, x) => s + x.value, 0) / xs.length;
  const [centerA, centerB] = [meanOf(a), meanOf(b)];
  for (let r = 0; r < resamples; r++) {
    drawsA[r] = sideDraw(a, centerA, rngA);
    drawsB[r] = sideDraw(b, centerB, rngB);
    if (drawsA[r] !== 0) ratios.push(drawsB[r]! / drawsA[r]!);
  }
  const sa = estimate(a, drawsA, tailShare(a.length));
  const sb = estimate(b, drawsB, tailShare(b.length));
  const ratioSorted = Float64Array.from(ratios).sort();
  // The ratio's launch uncertainty rests on the side with the fewest launches (that has several).
  const several = [a.length, b.length].filter((k) => k > 1);
  const ratioTail = tailShare(several.length > 0 ? Math.min(...several) : 1);
  return {
    sides: [sa, sb],
    ratio: {
      value: sa.mean === 0 ? null : sb.mean / sa.mean,
      ci95: ratioSorted.length > 0 ? interval(ratioSorted, ratioTail) : null,
    },
  };
}

/** Student's t 0.975 quantiles for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * Share of the bootstrap distribution left out in each tail of a 95% interval over k launches: the
 * expanded percentile interval (Hesterberg 2015, "What teachers should know about the bootstrap"),
 * alpha'/2 = Phi(-t(0.975, k-1)), so that a handful of launches gets Student's tails, not the normal's
 * (3 launches: the extremes of the draws; 10: the 1.2% and 98.8% points; many: 2.5% and 97.5%). The
 * launch deviations are already scaled by sqrt(k/(k-1)) in the draws. One launch: no launch stage, 2.5%.
 */
export function tailShare(k: number): number {
  if (k <= 1) return 0.025;
  const df = k - 1;
  const t = df <= T975.length ? T975[df - 1]! : 1.96 + 2.4 / df;
  return normalCdf(-t);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * One resampled side mean. Deviations from the side's mean are scaled by sqrt(k/(k-1)): resampling k
 * launches shrinks their variance by (k-1)/k, which at k = 3 would narrow the interval by a fifth. For
 * positive figures (latencies, rates) the scaling is of log deviations, so a draw stays positive.
 */
function sideDraw(launches: LaunchStatistic[], center: number, rng: Rng): number {
  const k = launches.length;
  const inflate = k > 1 ? Math.sqrt(k / (k - 1)) : 1;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const x = launches[rng.int(k)]!.resample(rng);
    sum += center > 0 && x > 0 ? center * (x / center) ** inflate : center + inflate * (x - center);
  }
  return sum / k;
}

function estimate(launches: LaunchStatistic[], draws: Float64Array, tail: number): SideEstimate {
  const values = launches.map((l) => l.value);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const stdev = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : null;
  return {
    mean,
    ci95: interval(draws.sort(), tail),
    launches: values,
    stdev,
    cov: stdev !== null && mean !== 0 ? stdev / Math.abs(mean) : null,
  };
}

function interval(sorted: Float64Array, tail: number): [number, number] {
  return [percentileSorted(sorted, tail * 100), percentileSorted(sorted, 100 - tail * 100)];
}
