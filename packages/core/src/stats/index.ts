export { coefficientOfVariation, mean, sampleStdev } from './descriptive.js';
export { percentile, percentileOfSorted, percentiles, sortedCopy } from './percentile.js';
export {
  betaVariate,
  bootstrapCi,
  bootstrapMeanCi,
  bootstrapPercentileCi,
  gammaVariate,
  percentileCi,
} from './bootstrap.js';
export type { NumericArray } from './descriptive.js';
export type { PercentileOptions } from './percentile.js';
export type { BootstrapOptions, ConfidenceInterval } from './bootstrap.js';
