/**
 * One error class for everything the user can cause or meet. The top-level handler in the CLI turns it
 * into one line (`error: <message>` then `hint: <hint>`) and exits with the code from EXIT_CODES.
 */
export const EXIT_CODES = {
  ok: 0,
  gateFailed: 1,
  badInput: 2,
  engine: 3,
  aborted: 4,
  internal: 5,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Stable error codes; the exit code follows from the code. */
export const ERROR_CODES = {
  BENCH_ERR_USAGE: EXIT_CODES.badInput,
  BENCH_ERR_CONFIG: EXIT_CODES.badInput,
  BENCH_ERR_UNKNOWN_PLUGIN: EXIT_CODES.badInput,
  BENCH_ERR_BAD_OPTION: EXIT_CODES.badInput,
  BENCH_ERR_NOT_FOUND: EXIT_CODES.badInput,
  BENCH_ERR_DATASET: EXIT_CODES.badInput,
  BENCH_ERR_TOKENIZER: EXIT_CODES.badInput,
  BENCH_ERR_ENDPOINT: EXIT_CODES.engine,
  BENCH_ERR_ENGINE_START: EXIT_CODES.engine,
  BENCH_ERR_ENGINE_DIED: EXIT_CODES.engine,
  /** The server answered, but the requests failed (probe, a level's first requests, or every request). */
  BENCH_ERR_REQUESTS_FAILED: EXIT_CODES.engine,
  BENCH_ERR_GATE: EXIT_CODES.gateFailed,
  BENCH_ERR_ABORTED: EXIT_CODES.aborted,
  BENCH_ERR_NOT_IMPLEMENTED: EXIT_CODES.internal,
  BENCH_ERR_STORE: EXIT_CODES.internal,
  /** A --store or --output path that cannot be written: bad input, found before anything starts. */
  BENCH_ERR_STORE_PATH: EXIT_CODES.badInput,
  BENCH_ERR_POWER: EXIT_CODES.badInput,
  BENCH_ERR_INTERNAL: EXIT_CODES.internal,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BenchError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'BenchError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = ERROR_CODES[code];
  }
}

export function isBenchError(err: unknown): err is BenchError {
  return (
    err instanceof BenchError || (err instanceof Error && (err as { name?: string }).name === 'BenchError')
  );
}
