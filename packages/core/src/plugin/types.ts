import type { ZodType } from 'zod';
import type { Rng } from '../rng.js';

/**
 * One option of a plugin (or of the core), declared once as data. The CLI flag, the help text, the YAML
 * config key and the docs are all generated from it, so they cannot drift.
 */
export interface OptionDecl {
  /** Key in the resolved plan and in the YAML config (camelCase), e.g. `inputLen`. */
  key: string;
  /** Commander flag spec, e.g. `--input-len <n>` or `--quiet`. */
  flag: string;
  description: string;
  /**
   * Validates and converts the raw value (a string from the command line, or whatever YAML gave) into
   * the typed value stored in the plan. Use z.preprocess / z.coerce for strings such as `1,4,16`.
   */
  schema: ZodType;
  /** Default shown in help and used when neither flag nor config sets the option. */
  default?: unknown;
  /** Group title in help (e.g. `Load`, `Engine`). */
  group?: string;
  /** The value is a secret: redacted in the printed and stored plan. */
  secret?: boolean;
}

/** Progress reporting: a bar with ETA on a TTY (stderr), plain periodic lines otherwise, silent with --quiet. */
export interface Progress {
  /** Start (or restart) a phase with an optional total for the bar; `label` like `level 2/4 c=16 warm-up`. */
  phase(label: string, total?: number): void;
  /** Advance the current phase by n units (requests, bytes...). */
  tick(n?: number): void;
  /** Set the absolute progress of the current phase. */
  update(done: number, total?: number): void;
  /** A one-line note to stderr that does not break the bar (info level). */
  note(message: string): void;
  /** A warning line to stderr (always shown, even with --quiet). */
  warn(message: string): void;
  /** Finish and clear the bar. */
  done(): void;
  /** Live figures of the run, shown under the bar on a TTY and in the plain lines otherwise. */
  status?(status: LiveStatus): void;
}

/** What the live status block shows besides the phase (SPEC §12, terminal output). */
export interface LiveStatus {
  /** e.g. `level 2/4 c=16`. */
  level: string;
  /** Requests of the current level that finished ok, and that failed. */
  completed: number;
  failed: number;
  /** p50 over the level's recent requests; null before any. */
  ttftP50Ms: number | null;
  tpotP50Ms: number | null;
  /** Output tokens per second over the last few seconds. */
  tokS: number | null;
  /** Estimated seconds until the whole run ends; null when unknown (a search). */
  runEtaS: number | null;
}

export type RunStatus = 'running' | 'complete' | 'aborted' | 'failed';

/** A per-request record as the plugin hands it to the store (values in ms; extra fields go in `data`). */
export interface RequestRecordInput {
  level: number;
  seq: number;
  status: string;
  /** Any named numeric columns the plugin wants queryable (ttft_ms, tpot_ms, e2e_ms, n_in, n_out...). */
  fields?: Record<string, number | string | null | undefined>;
  /** Everything else, stored as JSON. */
  data?: unknown;
}

/** A time-series sample: series name, wall-clock epoch ms, value, optional labels. */
export interface SampleInput {
  series: string;
  tMs: number;
  value: number;
  labels?: Record<string, string>;
}

/**
 * What a plugin writes through. Requests and samples are buffered and flushed at most one second apart
 * (and on flush/close), so a crash loses at most the last second.
 */
export interface RunWriter {
  readonly runId: string;
  /** Directory for this run's files (engine logs...), created on first call. */
  runDir(): string;
  /** Merge keys into the stored environment (engine version, GPUs...). */
  mergeEnvironment(patch: Record<string, unknown>): void;
  /** Merge keys into the stored plan (values resolved during the run, e.g. the effective engine command). */
  mergePlan(patch: Record<string, unknown>): void;
  /** Insert or replace the level with this index; `data` is the level's JSON document (SPEC §12). */
  level(index: number, data: unknown): void;
  request(record: RequestRecordInput): void;
  sample(sample: SampleInput): void;
  /** Replace the run's summary JSON. */
  setSummary(summary: unknown): void;
  flush(): void;
}

/** What the run store gives back for one run: the JSON document of SPEC §12 plus bookkeeping. */
export interface RunDocument {
  run_id: string;
  status: RunStatus;
  plugin: string;
  created_at: string;
  finished_at: string | null;
  plan: Record<string, unknown>;
  environment: Record<string, unknown>;
  levels: unknown[];
  summary: unknown;
  error: string | null;
  /** How many request records and samples the store holds for the run. */
  records?: { requests: number; samples: number };
  /** The request records (in `bench runs show --format json` and exports). */
  requests?: StoredRequest[];
  /** The time-series samples (in `bench runs show --format json` and exports). */
  samples?: StoredSample[];
}

/** A request record as stored: the known columns plus the plugin's `data` JSON. */
export interface StoredRequest {
  level: number;
  seq: number;
  status: string;
  ttft_ms: number | null;
  tpot_ms: number | null;
  e2e_ms: number | null;
  n_in: number | null;
  n_out: number | null;
  data: unknown;
}

/** A time-series sample as stored. */
export interface StoredSample {
  series: string;
  t_ms: number;
  value: number;
  labels: Record<string, string> | null;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface RunContext<Plan = Record<string, unknown>> {
  runId: string;
  /** Every option resolved (defaults, config file, flags), also stored and printed before the run. */
  plan: Plan;
  /** The run's seed (`--seed`), and the generator built from it; use `rng.fork(name)` per purpose. */
  seed: number;
  rng: Rng;
  progress: Progress;
  writer: RunWriter;
  /** Aborted on the first Ctrl-C (SIGINT/SIGTERM): stop cleanly and return what was measured. */
  signal: AbortSignal;
  log: Logger;
  /** Environment captured by the core (tool version, Node, OS, CPU, memory, host, git commit). */
  environment: Record<string, unknown>;
  /** `--debug` was given. */
  debug: boolean;
}

/** What a plugin's run returns; the core stores it, marks the run complete and prints it. */
export interface RunOutcome {
  /** Overall status; defaults to `complete` (or `aborted` if the signal fired). */
  status?: RunStatus;
  summary?: unknown;
  /** A gate failed (SLO not met, not converged): exit 1 under --strict. */
  gateFailed?: boolean;
  /** Error text stored with a `failed` run. */
  error?: string;
}

/** One run of a launch set: its own plan and seed, hence its own fresh engine process. */
export interface LaunchSpec<Plan = Record<string, unknown>> {
  /** Which side of the comparison it belongs to (`vllm`, `quant=fp8`). */
  side: string;
  /** 1-based launch number within its side. */
  launch: number;
  seed: number;
  plan: Plan;
}

/** Runs grouped under one comparison id, in the order they are launched (interleaved A B A B ...). */
export interface LaunchSet<Plan = Record<string, unknown>> {
  sides: string[];
  launches: LaunchSpec<Plan>[];
}

export interface Plugin<Plan = Record<string, unknown>> {
  id: string;
  description: string;
  options: OptionDecl[];
  /** Cross-option checks after each option's schema passed; throw BenchError('BENCH_ERR_BAD_OPTION'). */
  validate?(plan: Plan): Plan | undefined;
  /**
   * Split a validated plan into a launch set (SPEC §10: several engines or configs, or repeated launches),
   * or return null for one ordinary run. Throws BenchError for a set that cannot make a valid comparison.
   */
  launchSet?(plan: Plan, seed: number): LaunchSet<Plan> | null;
  run(ctx: RunContext<Plan>): Promise<RunOutcome>;
  /** Render a stored run as the terminal table (used after a run and by `bench runs show`). */
  render?(doc: RunDocument): string;
}

/** Identity function that exists for types. */
export function definePlugin<Plan = Record<string, unknown>>(plugin: Plugin<Plan>): Plugin<Plan> {
  return plugin;
}

/** Where a command's output goes; tests pass their own. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * An extra top-level command contributed by a package (e.g. `bench sim serve`, `bench datasets`).
 * The core knows the names statically (so `bench --help` loads nothing) and imports the package only
 * when the command runs.
 */
export interface CommandDecl {
  /** Words of the command, e.g. `sim serve`, `datasets`, `datasets show`. */
  name: string;
  description: string;
  /** Positional arguments in commander syntax, e.g. `<id>` or `[ids...]`. */
  args?: string[];
  options: OptionDecl[];
  /** Returns the exit code (0 when undefined). Throws BenchError for bad input. */
  run(args: string[], options: Record<string, unknown>, io: CommandIo): Promise<number | undefined>;
}
