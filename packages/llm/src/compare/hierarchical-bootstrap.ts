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
 * arrival process of the default open-loop load, and scales the rate with it.
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
 * replacement, and averages the launch statistics; the ratio's CI comes from the same paired draws.
 * 95% intervals from `resamples` draws of the seeded generator.
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
  const sa = estimate(a, drawsA);
  const sb = estimate(b, drawsB);
  const ratioSorted = Float64Array.from(ratios).sort();
  return {
    sides: [sa, sb],
    ratio: {
      value: sa.mean === 0 ? null : sb.mean / sa.mean,
      ci95: ratioSorted.length > 0 ? interval(ratioSorted) : null,
    },
  };
}

/**
 * One resampled side mean. Deviations from the side's mean are scaled by sqrt(k/(k-1)): resampling k
 * launches shrinks their variance by (k-1)/k, which at k = 3 would narrow the interval by a fifth.
 */
function sideDraw(launches: LaunchStatistic[], center: number, rng: Rng): number {
  const k = launches.length;
  const inflate = k > 1 ? Math.sqrt(k / (k - 1)) : 1;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += center + inflate * (launches[rng.int(k)]!.resample(rng) - center);
  return sum / k;
}

function estimate(launches: LaunchStatistic[], draws: Float64Array): SideEstimate {
  const values = launches.map((l) => l.value);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const stdev = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : null;
  return {
    mean,
    ci95: interval(draws.sort()),
    launches: values,
    stdev,
    cov: stdev !== null && mean !== 0 ? stdev / Math.abs(mean) : null,
  };
}

function interval(sorted: Float64Array): [number, number] {
  return [percentileSorted(sorted, 2.5), percentileSorted(sorted, 97.5)];
}
