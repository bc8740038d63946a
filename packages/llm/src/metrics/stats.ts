import {
  bootstrapPercentileCi,
  bootstrapMeanCi as coreBootstrapMeanCi,
  percentileOfSorted,
  type Rng,
} from 'inferencebench';

/**
 * The statistics the metrics use, from the core (SPEC §7): percentiles by linear interpolation between
 * order statistics (numpy's default), percentile-bootstrap CIs with 1000 resamples at 95%, resampling
 * generator seeded from the run seed. This file only adapts the core's shapes to [lower, upper] pairs.
 */
export { coefficientOfVariation, mean, sampleStdev, sortedCopy } from 'inferencebench';

/** Percentile p (0..100) of an ascending-sorted array; NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  return percentileOfSorted(sorted as Float64Array, p);
}

export interface BootstrapOptions {
  rng: Rng;
  resamples?: number;
  confidence?: number;
}

/** 95% CIs of several percentiles of sorted data (the core's exact O(1)-per-resample bootstrap). */
export function bootstrapPercentilesCi(
  sorted: ArrayLike<number>,
  ps: number[],
  options: BootstrapOptions,
): [number, number][] {
  return ps.map((p) => {
    const ci = bootstrapPercentileCi(sorted as Float64Array, p, {
      rng: options.rng.fork(`p${p}`),
      resamples: options.resamples ?? 1000,
      confidence: options.confidence ?? 0.95,
    });
    return [ci.lower, ci.upper];
  });
}

/** 95% CI of the mean (the core resamples exactly up to 2,000 values, then draws resample means from their law). */
export function bootstrapMeanCi(values: ArrayLike<number>, options: BootstrapOptions): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const ci = coreBootstrapMeanCi(values as Float64Array, {
    rng: options.rng,
    resamples: options.resamples ?? 1000,
    confidence: options.confidence ?? 0.95,
  });
  return [ci.lower, ci.upper];
}
