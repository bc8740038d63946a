export { BenchError, EXIT_CODES, ERROR_CODES, isBenchError } from './errors.js';
export { createRng, fnv1a32 } from './rng.js';
export { definePlugin } from './plugin/types.js';

export type { ErrorCode, ExitCode } from './errors.js';
export type { Rng } from './rng.js';
export type {
  CommandDecl,
  CommandIo,
  Logger,
  OptionDecl,
  Plugin,
  Progress,
  RequestRecordInput,
  RunContext,
  RunDocument,
  RunOutcome,
  RunStatus,
  RunWriter,
  SampleInput,
} from './plugin/types.js';
