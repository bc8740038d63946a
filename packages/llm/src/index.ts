import type { CommandDecl } from 'inferencebench';
import { compareCommands } from './compare/command.js';
import { datasetCommands } from './datasets/index.js';
import { engineCommands } from './engines/index.js';
import { llmInference } from './plugin.js';
import { reportCommand } from './report/command.js';
import { sloCommands } from './slo/commands.js';

/** Plugins this package contributes (the core registers them by id). */
export const plugins = [llmInference];

/** Extra `bench` commands this package contributes (datasets and engines add theirs here). */
export const commands: CommandDecl[] = [
  ...sloCommands,
  ...datasetCommands,
  ...engineCommands,
  ...compareCommands,
  reportCommand,
];

export { createLlmInferencePlugin, llmInference, validatePlan, buildSummary } from './plugin.js';
export { llmOptions, ENGINE_NAMES } from './options.js';
export { runLevel, FAIL_FAST_REQUESTS } from './load/level-runner.js';
export { toStoreRecord, asStored, fromStoredRow, readStoredRequest } from './metrics/stored-request.js';
export { phaseOf, windowTotals, chunkTimesOf } from './load/window-accounting.js';
export { AutoRate } from './load/auto-rate.js';
export { InFlightMeter } from './load/in-flight-meter.js';
export { poissonGapsMs, poissonSchedule, scheduleStreams, CLOSED_LOOP } from './load/poisson-schedule.js';
export { searchGoodputRate } from './load/goodput-search.js';
export {
  levelDocument,
  computeLevelDocument,
  levelInputsOf,
  describeMs,
  p99WithMisses,
  THIN_TAIL_MIN,
  CLIENT_LIMITED_LAG_MS,
  MAX_ERROR_RATE,
} from './metrics/level-metrics.js';
export {
  DISTRIBUTIONS,
  SCALARS,
  COST_METRICS,
  STATS,
  metricCatalog,
  metricKey,
  metricTableMarkdown,
} from './metrics/registry.js';
export { rebuildRunDocument, levelContextFrom } from './metrics/run-results.js';
export {
  buildRecord,
  chunkGapsMs,
  perTokenGapsMs,
  tokensInWindow,
  tokensPerChunk,
  tpotMs,
  wordCounter,
} from './metrics/request-metrics.js';
export { SLO_TEMPLATES, resolveSlo, sloJson } from './slo/templates.js';
export { goodput, goodputAtSlo, levelHoldsSlo, requestMeetsSlo } from './slo/goodput.js';
export { sloCommands } from './slo/commands.js';
export { renderRun, renderLevelTable, STATISTICS_NOTE } from './output/render.js';
export { buildLlmReport } from './report/build.js';
export { loadReportRuns, reportCommand, reportHtml, resolveReportRuns } from './report/command.js';
export type { ReportOptions, ReportRun } from './report/build.js';
export type { ReportStore } from './report/command.js';

export type * from './types.js';
export type { LlmPlan } from './options.js';
export type { ClientFactory, LlmPluginDeps, PowerMeter } from './plugin.js';
export type { LevelRunOptions, LevelRunResult, GateRecord } from './load/level-runner.js';
export type { GoodputSearchResult, ProbeOutcome } from './load/goodput-search.js';
export type {
  LevelContext,
  LevelDocument,
  LevelInputs,
  LevelPower,
  MetricValue,
} from './metrics/level-metrics.js';
export type { Better, DistributionName, MetricInfo, MetricKey, Stat } from './metrics/registry.js';
export type { StoredRequestView } from './metrics/stored-request.js';
export type { AutoRateRecord, AutoRateStep } from './load/auto-rate.js';
export type { Phase, RequestRecord, TokenCounter, TokenCountSource } from './metrics/request-metrics.js';
export type { Slo } from './slo/templates.js';
export type { GoodputAtSlo, GoodputFigures } from './slo/goodput.js';
export type { LlmSummary } from './output/render.js';

export {
  DATASET_IDS,
  datasetCommands,
  datasetTokenCounter,
  loadDataset,
  shareGptSubset,
} from './datasets/index.js';
export {
  countWords,
  createTokenCounter,
  loadHubTokenizer,
  tokenizerHubId,
  WORDS_TOKENIZER,
  wordsCounter,
} from './tokenizers/index.js';
export { hubDownload, hubFileUrl } from './hub/download.js';
export { benchHome } from './hub/cache-home.js';
export type { DatasetContext, DatasetOptions } from './datasets/index.js';
export type { TokenCounter as DatasetTokenCounter, TokenCounterOptions } from './tokenizers/index.js';
export {
  acquireEngine,
  engineCommands,
  engineRows,
  findTunedConfig,
  listTunedConfigs,
  METRIC_MAP,
  parsePrometheusText,
  selectSeries,
  startScraper,
} from './engines/index.js';
export type {
  EngineContext,
  EngineSample,
  EngineSeries,
  ScraperOptions,
  TunedConfig,
} from './engines/index.js';
export {
  gpuHourTable,
  hostedCost,
  hostedPricing,
  providerFromHost,
  selfHostedCost,
  usdPerMillionOutputTokens,
} from './cost/index.js';
export type { HostedCost, HostedCostInput, SelfHostedCost, SelfHostedCostInput } from './cost/index.js';
export { createStreamingClient } from './client/streaming-client.js';
export type { StreamingClientOptions } from './client/streaming-client.js';
export { buildRequestBody, requestPath } from './client/request-body.js';
export { SSE_DATA, SSE_ERROR, SseParser } from './client/sse-parser.js';
export { interpretEvent, interpretEventFull, StreamAccumulator } from './client/chunk-interpreter.js';
