/** Numbers the statistics functions accept: plain arrays or typed arrays. */
export type NumericArray = ArrayLike<number>;

/** Arithmetic mean; NaN for an empty array. */
export function mean(values: NumericArray): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  return sum / n;
}

/**
 * Sample standard deviation (Bessel's n-1 denominator); NaN with fewer than two values.
 * Two passes (mean first, then squared deviations) rather than the one-pass sum of squares, which loses
 * precision when the mean is large compared to the spread (latencies around 1e3 ms with 0.1 ms spread).
 */
export function sampleStdev(values: NumericArray): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Coefficient of variation = sample stdev / mean (the convergence gate's measure); NaN when undefined. */
export function coefficientOfVariation(values: NumericArray): number {
  const m = mean(values);
  if (!(m !== 0)) return Number.NaN;
  return sampleStdev(values) / m;
}
