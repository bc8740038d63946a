import type { RunDocument, RunStatus, RunWriter, StoredRequest, StoredSample } from '../plugin/types.js';

/** Value kinds of a plugin-declared per-request column (REAL is a double in both back ends). */
export type RequestColumnType = 'real' | 'integer' | 'text';

/**
 * A per-request column that a plugin declares (`Plugin.requestColumns`). The store creates the column on
 * first use; the core knows no field names of its own beyond level, seq, status and phase.
 */
export interface RequestColumn {
  /** Lower snake case, e.g. `ttft_ms`; not one of the store's own names (run_id, level, seq, status, phase, data). */
  name: string;
  type: RequestColumnType;
}

export interface NewRun {
  plugin: string;
  plan: Record<string, unknown>;
  environment: Record<string, unknown>;
  pid?: number;
  host?: string;
  /** The plugin's per-request columns; fields not declared here go into the record's `data` JSON. */
  requestColumns?: RequestColumn[];
}

/** One row of `bench runs list`. */
export interface RunListItem {
  run_id: string;
  plugin: string;
  status: RunStatus;
  created_at: string;
  finished_at: string | null;
  requests: number;
  plan: Record<string, unknown>;
}

/** A RunWriter that can also be closed (flushes, stops its timers). */
export interface StoreRunWriter extends RunWriter {
  close(): Promise<void>;
}

/** One run with everything stored for it, as `bench store copy` moves it between stores. */
export interface RunBundle {
  run: {
    id: string;
    plugin: string;
    status: RunStatus;
    created_at: string;
    finished_at: string | null;
    pid: number | null;
    host: string | null;
    plan: Record<string, unknown>;
    environment: Record<string, unknown>;
    summary: unknown;
    error: string | null;
    request_columns: RequestColumn[];
  };
  levels: { idx: number; data: unknown }[];
  requests: StoredRequest[];
  samples: StoredSample[];
}

/**
 * The run store, one interface over SQLite (a local file) and PostgreSQL (a team's shared server). Every
 * method is async; the writer buffers requests and samples and flushes them at most a second apart.
 */
export interface RunStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store is, safe to print: the file path, or the URL without its password. */
  readonly location: string;
  /** Local directory for runs' own files (`<dir>/runs/<id>/`): the store's directory, or the data dir. */
  readonly dir: string;
  /** Create a run with status `running`; returns its ULID. */
  createRun(run: NewRun): Promise<string>;
  /** Set the final status (and summary / error when given). */
  finishRun(
    id: string,
    status: RunStatus,
    extra?: { summary?: unknown; error?: string | null },
  ): Promise<void>;
  /**
   * Mark as `aborted` the runs left `running` by a writer that is gone: on SQLite a dead pid on this
   * host; on both, a heartbeat older than the store's threshold. Returns the ids marked.
   */
  reapStaleRuns(host?: string, alive?: (pid: number) => boolean): Promise<string[]>;
  /** Full id from a unique prefix (case-insensitive); BENCH_ERR_NOT_FOUND otherwise. */
  resolveRunId(prefix: string): Promise<string>;
  /** Most recent runs first. */
  listRuns(limit?: number): Promise<RunListItem[]>;
  /** The run's JSON document (SPEC §12): levels ordered by index; request rows too with `records`. */
  getRunDocument(id: string, options?: { records?: boolean }): Promise<RunDocument>;
  /** Request records in write order: level, seq, status, phase, the run's declared columns, `data`. */
  requests(runId: string): Promise<StoredRequest[]>;
  samples(runId: string): Promise<StoredSample[]>;
  /** `<dir>/runs/<id>/`, created. */
  runDir(id: string): string;
  /** A writer for one run: requests and samples batched, flushed at most 1 s apart and on flush(). */
  /**
   * A writer for one run. With `onError`, a failed write (a full disk) does not throw into whoever wrote:
   * `onError` hears of it once, later requests and samples are dropped, and level, summary, plan and
   * environment writes are tried once more after it (the caller may have freed space).
   */
  writer(runId: string, options?: WriterOptions): Promise<StoreRunWriter>;
  /** Everything stored for one run (for `bench store copy`). */
  exportRun(id: string): Promise<RunBundle>;
  /** Insert a run from another store under its own id; false (nothing written) when the id exists. */
  importRun(bundle: RunBundle): Promise<boolean>;
  close(): Promise<void>;
}

/** Options of `RunStore.writer`. */
export interface WriterOptions {
  onError?: (err: unknown) => void;
}
