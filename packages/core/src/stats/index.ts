export { coefficientOfVariation, mean, sampleStdev } from './descriptive.js';
export {
  percentile,
  percentileOfSorted,
  percentiles,
  RADIX_SORT_MIN_N,
  radixSortedCopy,
  sortedCopy,
} from './percentile.js';
export {
  betaVariate,
  bootstrapCi,
  bootstrapMeanCi,
  cornishFisher,
  MEAN_CF_MAX_KURT,
  MEAN_CF_MAX_SKEW,
  MEAN_EXACT_MAX_N,
  meanBootstrapMethod,
  resampleMeanCumulants,
  bootstrapPercentileCi,
  gammaVariate,
  percentileCi,
} from './bootstrap.js';
export type { NumericArray } from './descriptive.js';
export type { PercentileOptions } from './percentile.js';
export type { BootstrapOptions, ConfidenceInterval, MeanBootstrapMethod } from './bootstrap.js';
