export { BenchError, EXIT_CODES, ERROR_CODES, isBenchError } from './errors.js';
export { createRng, fnv1a32 } from './rng.js';
export {
  hasSecrets,
  looksLikeSecret,
  maskSecrets,
  REDACTED,
  redactDeep,
  redactText,
  redactUrls,
  registerSecret,
} from './secrets.js';
export { definePlugin } from './plugin/types.js';
export {
  betaVariate,
  bootstrapCi,
  bootstrapMeanCi,
  bootstrapPercentileCi,
  coefficientOfVariation,
  gammaVariate,
  mean,
  percentile,
  percentileCi,
  percentileOfSorted,
  percentiles,
  sampleStdev,
  sortedCopy,
} from './stats/index.js';
export { isProcessAlive, openStore, SqlRunStore, validateRequestColumns } from './store/run-store.js';
export { isPostgresUrl, redactStoreLocation, resolveStorePath } from './store/paths.js';
export { monotonicUlid, ulid, ulidTimeMs } from './store/ulid.js';
export { BUILTIN_PLUGINS, listPlugins, loadPlugin } from './plugin/loader.js';
export { createProgress } from './cli/progress.js';
export { captureEnvironment } from './environment.js';
export { toolVersion } from './version.js';
export { escapeHtml, jsonForScript, renderReportHtml } from './report/html.js';
export { cdfPoints, evenSample, meanOccupancy, minMaxDownsample } from './report/downsample.js';
export type {
  AxisSpec,
  ChartSeries,
  ChartSpec,
  ReportBlock,
  ReportCell,
  ReportListItem,
  ReportPage,
  ReportSection,
} from './report/types.js';
export type { XY } from './report/downsample.js';

export type { ErrorCode, ExitCode } from './errors.js';
export type { Rng } from './rng.js';
export type {
  BarrierResult,
  KubernetesPods,
  CommandDecl,
  CommandIo,
  LaunchSet,
  LaunchSpec,
  LiveStatus,
  Logger,
  OptionDecl,
  Plugin,
  Progress,
  ReportSource,
  RequestRecordInput,
  RunContext,
  RunDocument,
  RunOutcome,
  RunStatus,
  RunWriter,
  SampleInput,
  StoredRequest,
  StoredSample,
} from './plugin/types.js';
export type { BootstrapOptions, ConfidenceInterval, NumericArray, PercentileOptions } from './stats/index.js';
export type {
  NewRun,
  RequestColumn,
  RequestColumnType,
  RunBundle,
  RunListItem,
  RunStore,
  StoreRunWriter,
} from './store/types.js';
export type { OpenStoreOptions } from './store/run-store.js';
export type { UlidFactory } from './store/ulid.js';
export type { PluginListing, PluginSearch } from './plugin/loader.js';
export type { ProgressOptions } from './cli/progress.js';
export {
  checkHardware,
  detectHardware,
  gpuModelName,
  hardwareLabel,
  NVIDIA_SMI_QUERY,
  parseNvidiaSmiGpus,
  pciDeviceId,
} from './telemetry/hardware.js';
export type { GpuInfo, HardwareInfo } from './telemetry/hardware.js';
export { checkPowerSource, createNoneMeter, createPowerMeter, measureIdlePower } from './telemetry/power.js';
export { computeEnergyWindow, MAX_GAP_MS } from './telemetry/power-window.js';
export { parseDcgmMetrics } from './telemetry/dcgm.js';
export { cudaVisibleIndices } from './telemetry/gpu-select.js';
export type { IdlePower } from './telemetry/power.js';
export type { CounterReading } from './telemetry/power-window.js';
export type { EnergyWindow, PowerMeter, PowerMeterOptions, PowerSample } from './telemetry/types.js';
