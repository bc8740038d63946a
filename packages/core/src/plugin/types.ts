import type { ZodType } from 'zod';
import type { Rng } from '../rng.js';
import type { RequestColumn } from '../store/types.js';

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
  /** Which part of the level it belonged to (e.g. `warmup`, `measured`); a column of its own. */
  phase?: string;
  /**
   * Values of the plugin's declared `requestColumns`, stored at full precision; a field that is not
   * declared (or does not fit its column's type) goes into `data` instead.
   */
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
 * What a plugin writes through. Requests and samples are buffered (`request`/`sample` return at once) and
 * written at most one second apart (and on flush/close), so a crash loses at most the last second. The
 * other writes are async (the store may be a PostgreSQL server): `await` them; they apply in call order.
 */
export interface RunWriter {
  readonly runId: string;
  /** Directory for this run's files (engine logs...), created on first call. */
  runDir(): string;
  /** Merge keys into the stored environment (engine version, GPUs...). */
  mergeEnvironment(patch: Record<string, unknown>): Promise<void>;
  /** Merge keys into the stored plan (values resolved during the run, e.g. the effective engine command). */
  mergePlan(patch: Record<string, unknown>): Promise<void>;
  /** Insert or replace the level with this index; `data` is the level's JSON document (SPEC §12). */
  level(index: number, data: unknown): Promise<void>;
  request(record: RequestRecordInput): void;
  sample(sample: SampleInput): void;
  /** Replace the run's summary JSON. */
  setSummary(summary: unknown): Promise<void>;
  /** Write what is buffered; rejects if an earlier batch could not be written. */
  flush(): Promise<void>;
  /**
   * Wait at barrier `name` until `parties` runs (this one included) have arrived, through the store (so
   * across machines). Resolves with a common start, 1 s after the last arrival (epoch ms, writers' clocks),
   * and the ids of the runs that arrived, sorted.
   */
  barrier(
    name: string,
    parties: number,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<BarrierResult>;
  /** Another run's stored levels and request records (shards of one level read each other's). */
  peerRun(runId: string): Promise<{ levels: unknown[]; requests: StoredRequest[] }>;
}

export interface KubernetesPods {
  pods: number;
  gpus: number;
  /** Keys set (or, with undefined, removed) in every pod's plan. */
  plan?: Record<string, unknown>;
}

export interface BarrierResult {
  startMs: number;
  runIds: string[];
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

/**
 * A request record as stored: level, seq, status, phase, then the run's declared columns by name (null
 * when the record had no value), then the plugin's `data` JSON.
 */
export interface StoredRequest {
  level: number;
  seq: number;
  status: string;
  phase: string | null;
  data: unknown;
  [column: string]: unknown;
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
  /** Which check failed, in words (`SLO llm.standard missed at every level`), printed instead of "a gate failed". */
  gateReason?: string;
  /** Error text stored with a `failed` run. */
  error?: string;
}

export interface Plugin<Plan = Record<string, unknown>> {
  id: string;
  description: string;
  options: OptionDecl[];
  /**
   * Per-request fields the store keeps as columns of their own (queryable, full precision), declared by
   * the plugin: the core knows no plugin field names. Undeclared fields go into the record's `data`.
   */
  requestColumns?: RequestColumn[];
  /**
   * How `bench run ... --kubernetes` runs this plan: pods of the Indexed Job (each sees its index in
   * $JOB_COMPLETION_INDEX), GPUs per pod, and plan keys to set in the pods' config. One pod, no GPU when absent.
   */
  kubernetes?(plan: Plan, job: { name: string }): KubernetesPods;
  /**
   * Cross-option checks after each option's schema passed; throw BenchError('BENCH_ERR_BAD_OPTION').
   * Runs before the store is opened and before `run`: everything a typo can break belongs here (it may
   * read files, never start processes or send requests). `context.rendering` is set when the plan is rendered for pods (`--kubernetes`) rather than run here.
   */
  validate?(plan: Plan, context?: { rendering?: 'kubernetes' }): Plan | undefined | Promise<Plan | undefined>;
  run(ctx: RunContext<Plan>): Promise<RunOutcome>;
  /** Render a stored run as the terminal table (used after a run and by `bench runs show`). */
  render?(doc: RunDocument): string;
  /**
   * Split a validated plan into a launch set (SPEC §10: several engines or configs, or repeated launches),
   * or return null for one ordinary run. Throws BenchError for a set that cannot make a valid comparison.
   */
  launchSet?(plan: Plan, seed: number): LaunchSet<Plan> | null;
  /** One self-contained HTML report of stored runs of this plugin (`bench run --report`, `bench report`). */
  report?(source: ReportSource, runIds: string[]): Promise<string>;
  /**
   * The run's results recomputed from what the store holds (`doc.requests` and `doc.samples` loaded):
   * `bench runs show` prints this, so a stored run reads the same in any later process.
   */
  rebuild?(doc: RunDocument): RunDocument | Promise<RunDocument>;
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
  /** The group id, when it is fixed beforehand (the pods of one Indexed Job share the Job's name). */
  groupId?: string;
  /** Run only this launch (0-based, in launch order): one pod of an Indexed Job, `$JOB_COMPLETION_INDEX`. */
  only?: number;
}

/** What a report reads from the run store (the SQLite store and the async one both fit). */
export interface ReportSource {
  getRunDocument(id: string): RunDocument | Promise<RunDocument>;
  requests(runId: string): StoredRequest[] | Promise<StoredRequest[]>;
  samples(runId: string): StoredSample[] | Promise<StoredSample[]>;
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
