import type { NumericArray } from './descriptive.js';

export interface PercentileOptions {
  /** The values are already sorted ascending: skip the copy and the sort. */
  sorted?: boolean;
}

/** A sorted Float64Array copy of the values (numeric order, NaN last). */
export function sortedCopy(values: NumericArray): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  out.sort();
  return out;
}

/**
 * The p-th percentile (p in 0..100) of sorted values by linear interpolation between order statistics,
 * numpy's default method ("linear"): h = (n-1)·p/100, result = x[floor(h)] + (h - floor(h))·(x[floor(h)+1] - x[floor(h)]).
 */
export function percentileOfSorted(sorted: NumericArray, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = sorted[lo]!;
  // At p = 100 (or h an integer) there is no upper neighbour to interpolate with.
  if (frac === 0 || lo + 1 >= n) return a;
  return a + frac * (sorted[lo + 1]! - a);
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile p must be in 0..100, got ${p}`);
}

/** The p-th percentile (0..100) with numpy's default linear interpolation; NaN for an empty array. */
export function percentile(values: NumericArray, p: number, options: PercentileOptions = {}): number {
  checkP(p);
  return percentileOfSorted(options.sorted ? values : sortedCopy(values), p);
}

/** Several percentiles at once with a single sort; results in the order of `ps`. */
export function percentiles(
  values: NumericArray,
  ps: readonly number[],
  options: PercentileOptions = {},
): number[] {
  for (const p of ps) checkP(p);
  const sorted = options.sorted ? values : sortedCopy(values);
  return ps.map((p) => percentileOfSorted(sorted, p));
}
