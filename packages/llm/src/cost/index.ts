export { hostedCost } from './hosted-cost.js';
export { findHostedPrice, gpuHourTable, hostedPricing, providerFromHost } from './pricing-data.js';
export { gpuKey, selfHostedCost, usdPerMillionOutputTokens } from './self-hosted-cost.js';

export type { HostedCost, HostedCostInput } from './hosted-cost.js';
export type { GpuHourFile, HostedPrice, HostedPricingFile } from './pricing-data.js';
export type { SelfHostedCost, SelfHostedCostInput } from './self-hosted-cost.js';
