import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { BenchError } from '../errors.js';
import type {
  RequestRecordInput,
  RunDocument,
  RunStatus,
  RunWriter,
  SampleInput,
  StoredRequest,
  StoredSample,
} from '../plugin/types.js';
import { MIGRATIONS } from './migrations.js';
import { ulid } from './ulid.js';

type Db = BetterSqlite3.Database;

/** Request fields that have their own column (queryable); everything else goes into `data`. */
export const REQUEST_COLUMNS = ['ttft_ms', 'tpot_ms', 'e2e_ms', 'n_in', 'n_out'] as const;

/** Flush requests/samples at most this long after they were written. */
const FLUSH_INTERVAL_MS = 1000;
/** ...or as soon as this many are buffered, to bound memory. */
const FLUSH_MAX_BUFFERED = 5000;

export interface NewRun {
  plugin: string;
  plan: Record<string, unknown>;
  environment: Record<string, unknown>;
  pid?: number;
  host?: string;
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

/** A RunWriter that can also be closed (flushes and stops its timer). */
export interface StoreRunWriter extends RunWriter {
  close(): void;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/** True when a process with this pid exists (EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The run store: SQLite in WAL mode, one file, runs' own files in `<dir>/runs/<id>/`. */
export class RunStore {
  readonly path: string;
  readonly dir: string;
  readonly db: Db;

  constructor(path: string, db: Db) {
    this.path = path;
    this.dir = dirname(path);
    this.db = db;
  }

  /** Create a run with status `running`; returns its ULID. */
  createRun(run: NewRun): string {
    const id = ulid();
    this.db
      .prepare(
        `INSERT INTO runs (id, plugin, status, created_at, pid, host, plan, environment)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        run.plugin,
        new Date().toISOString(),
        run.pid ?? process.pid,
        run.host ?? hostname(),
        JSON.stringify(run.plan),
        JSON.stringify(run.environment),
      );
    return id;
  }

  /** Set the final status (and summary / error when given). */
  finishRun(id: string, status: RunStatus, extra: { summary?: unknown; error?: string | null } = {}): void {
    const sets = ['status = ?', 'finished_at = ?'];
    const values: unknown[] = [status, new Date().toISOString()];
    if (extra.summary !== undefined) {
      sets.push('summary = ?');
      values.push(JSON.stringify(extra.summary));
    }
    if (extra.error !== undefined) {
      sets.push('error = ?');
      values.push(extra.error);
    }
    this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  /**
   * Runs left `running` by a process that no longer exists on this host (killed outright) are marked
   * `aborted`; their data stays. Returns the ids marked.
   */
  reapStaleRuns(host: string = hostname(), alive: (pid: number) => boolean = isProcessAlive): string[] {
    const rows = this.db
      .prepare(`SELECT id, pid FROM runs WHERE status = 'running' AND host = ?`)
      .all(host) as { id: string; pid: number | null }[];
    const stale = rows.filter((r) => r.pid !== process.pid && (r.pid === null || !alive(r.pid)));
    const mark = this.db.prepare(
      `UPDATE runs SET status = 'aborted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'`,
    );
    for (const r of stale)
      mark.run(new Date().toISOString(), `process ${r.pid} ended without finishing the run`, r.id);
    return stale.map((r) => r.id);
  }

  /** Full id from a unique prefix (case-insensitive); BENCH_ERR_NOT_FOUND otherwise. */
  resolveRunId(prefix: string): string {
    const p = prefix.trim().toUpperCase();
    if (p.length === 0)
      throw new BenchError('BENCH_ERR_NOT_FOUND', 'empty run id', { hint: 'bench runs list' });
    const rows = this.db
      .prepare(`SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 3`)
      .all(p, `${p}\uffff`) as { id: string }[];
    if (rows.length === 0)
      throw new BenchError('BENCH_ERR_NOT_FOUND', `no run with id ${prefix} in ${this.path}`, {
        hint: 'list the runs with `bench runs list` (or pass --store)',
      });
    if (rows.length > 1)
      throw new BenchError('BENCH_ERR_NOT_FOUND', `run id prefix ${prefix} is ambiguous`, {
        hint: `it matches ${rows.map((r) => r.id).join(', ')}${rows.length > 2 ? ', ...' : ''}: give more characters`,
      });
    return rows[0]!.id;
  }

  /** Most recent runs first. */
  listRuns(limit = 50): RunListItem[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.plugin, r.status, r.created_at, r.finished_at, r.plan,
                (SELECT COUNT(*) FROM requests q WHERE q.run_id = r.id) AS n
         FROM runs r ORDER BY r.id DESC LIMIT ?`,
      )
      .all(limit) as {
      id: string;
      plugin: string;
      status: RunStatus;
      created_at: string;
      finished_at: string | null;
      plan: string;
      n: number;
    }[];
    return rows.map((r) => ({
      run_id: r.id,
      plugin: r.plugin,
      status: r.status,
      created_at: r.created_at,
      finished_at: r.finished_at,
      requests: r.n,
      plan: parseJson(r.plan) as Record<string, unknown>,
    }));
  }

  /** The run's JSON document (SPEC §12): levels ordered by index; request rows too with `records`. */
  getRunDocument(id: string, options: { records?: boolean } = {}): RunDocument {
    const row = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as
      | {
          id: string;
          plugin: string;
          status: RunStatus;
          created_at: string;
          finished_at: string | null;
          pid: number | null;
          host: string | null;
          plan: string;
          environment: string;
          summary: string | null;
          error: string | null;
        }
      | undefined;
    if (!row)
      throw new BenchError('BENCH_ERR_NOT_FOUND', `no run with id ${id} in ${this.path}`, {
        hint: 'list the runs with `bench runs list`',
      });
    const levels = (
      this.db.prepare(`SELECT data FROM levels WHERE run_id = ? ORDER BY idx`).all(id) as { data: string }[]
    ).map((l) => parseJson(l.data));
    const counts = this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM requests WHERE run_id = ?) AS requests,
                (SELECT COUNT(*) FROM samples WHERE run_id = ?) AS samples`,
      )
      .get(id, id) as { requests: number; samples: number };
    const doc: RunDocument = {
      run_id: row.id,
      status: row.status,
      plugin: row.plugin,
      created_at: row.created_at,
      finished_at: row.finished_at,
      plan: parseJson(row.plan) as Record<string, unknown>,
      environment: parseJson(row.environment) as Record<string, unknown>,
      levels,
      summary: parseJson(row.summary),
      error: row.error,
      records: counts,
    };
    if (options.records) {
      doc.requests = this.requests(id);
      doc.samples = this.samples(id);
    }
    return doc;
  }

  /** Request records in write order, known columns plus the `data` JSON. */
  requests(runId: string): StoredRequest[] {
    const rows = this.db
      .prepare(
        `SELECT level, seq, status, ttft_ms, tpot_ms, e2e_ms, n_in, n_out, data FROM requests
         WHERE run_id = ? ORDER BY rowid`,
      )
      .all(runId) as (Omit<StoredRequest, 'data'> & { data: string | null })[];
    return rows.map((r) => ({ ...r, data: parseJson(r.data) }));
  }

  samples(runId: string): StoredSample[] {
    const rows = this.db
      .prepare(`SELECT series, t_ms, value, labels FROM samples WHERE run_id = ? ORDER BY rowid`)
      .all(runId) as { series: string; t_ms: number; value: number; labels: string | null }[];
    return rows.map((r) => ({
      series: r.series,
      t_ms: r.t_ms,
      value: r.value,
      labels: parseJson(r.labels) as Record<string, string> | null,
    }));
  }

  /** `<store dir>/runs/<id>/`, created. */
  runDir(id: string): string {
    const dir = join(this.dir, 'runs', id);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * A writer for one run: requests and samples batched, flushed at most 1 s apart and on flush(). With
   * `onError`, a failed write (a full disk) does not throw into whoever wrote: `onError` hears of it once,
   * later requests and samples are dropped, and level/summary writes are tried once more after it (the
   * caller may have freed space).
   */
  writer(runId: string, options: { onError?: (err: unknown) => void } = {}): StoreRunWriter {
    const db = this.db;
    const current = db.prepare(`SELECT plan, environment FROM runs WHERE id = ?`).get(runId) as
      | { plan: string; environment: string }
      | undefined;
    if (!current) throw new BenchError('BENCH_ERR_STORE', `run ${runId} is not in the store`);
    const plan = parseJson(current.plan) as Record<string, unknown>;
    const environment = parseJson(current.environment) as Record<string, unknown>;
    const insertRequest = db.prepare(
      `INSERT INTO requests (run_id, level, seq, status, ttft_ms, tpot_ms, e2e_ms, n_in, n_out, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertSample = db.prepare(
      `INSERT INTO samples (run_id, series, t_ms, value, labels) VALUES (?, ?, ?, ?, ?)`,
    );
    const requests: unknown[][] = [];
    const samples: unknown[][] = [];
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    let failed = false;
    const failWith = (err: unknown): void => {
      requests.length = 0;
      samples.length = 0;
      if (!options.onError) throw err;
      if (failed) return;
      failed = true;
      options.onError(err);
    };
    /** A direct write; after a failure it is tried once more (onError may have made room). */
    const attempt = (write: () => void): void => {
      try {
        write();
      } catch (err) {
        failWith(err);
        try {
          write();
        } catch {}
      }
    };
    const writeBatch = db.transaction(() => {
      for (const r of requests) insertRequest.run(...r);
      for (const s of samples) insertSample.run(...s);
    });
    const flush = (): void => {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (requests.length === 0 && samples.length === 0) return;
      if (failed) {
        requests.length = 0;
        samples.length = 0;
        return;
      }
      try {
        writeBatch();
      } catch (err) {
        failWith(err);
        return;
      }
      requests.length = 0;
      samples.length = 0;
    };
    const scheduled = (): void => {
      if (requests.length + samples.length >= FLUSH_MAX_BUFFERED) flush();
      else if (!timer) {
        // Unref'd: a pending flush must not keep the process alive; exit paths flush explicitly.
        timer = setTimeout(flush, FLUSH_INTERVAL_MS);
        timer.unref();
      }
    };
    const checkOpen = (): void => {
      if (closed) throw new BenchError('BENCH_ERR_STORE', `the writer of run ${runId} is closed`);
    };
    return {
      runId,
      runDir: () => this.runDir(runId),
      mergeEnvironment(patch) {
        Object.assign(environment, patch);
        attempt(() =>
          db.prepare(`UPDATE runs SET environment = ? WHERE id = ?`).run(JSON.stringify(environment), runId),
        );
      },
      mergePlan(patch) {
        Object.assign(plan, patch);
        attempt(() => db.prepare(`UPDATE runs SET plan = ? WHERE id = ?`).run(JSON.stringify(plan), runId));
      },
      level(index, data) {
        checkOpen();
        attempt(() =>
          db
            .prepare(`INSERT OR REPLACE INTO levels (run_id, idx, data) VALUES (?, ?, ?)`)
            .run(runId, index, JSON.stringify(data ?? null)),
        );
      },
      request(record: RequestRecordInput) {
        checkOpen();
        if (failed) return;
        requests.push(requestRow(runId, record));
        scheduled();
      },
      sample(sample: SampleInput) {
        checkOpen();
        if (failed) return;
        samples.push([
          runId,
          sample.series,
          sample.tMs,
          sample.value,
          sample.labels ? JSON.stringify(sample.labels) : null,
        ]);
        scheduled();
      },
      setSummary(summary) {
        attempt(() =>
          db.prepare(`UPDATE runs SET summary = ? WHERE id = ?`).run(JSON.stringify(summary ?? null), runId),
        );
      },
      flush,
      close() {
        if (closed) return;
        flush();
        closed = true;
      },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Known fields go to their columns; the other fields join `data` (an object) so nothing is lost. */
function requestRow(runId: string, record: RequestRecordInput): unknown[] {
  const fields = { ...(record.fields ?? {}) };
  const cols = REQUEST_COLUMNS.map((c) => {
    const v = fields[c];
    delete fields[c];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });
  const rest = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  let data: unknown = record.data;
  if (Object.keys(rest).length > 0) {
    data =
      data !== null && typeof data === 'object' && !Array.isArray(data)
        ? { ...rest, ...(data as object) }
        : data === undefined
          ? rest
          : { ...rest, data };
  }
  return [
    runId,
    record.level,
    record.seq,
    record.status,
    ...cols,
    data === undefined ? null : JSON.stringify(data),
  ];
}

/**
 * Open (creating if needed) the store at `path`: WAL journal, foreign keys, migrations applied.
 * better-sqlite3 is loaded here, not at import time, so commands that do not touch the store stay fast.
 */
export function openStore(path: string): RunStore {
  const require = createRequire(import.meta.url);
  let Database: typeof BetterSqlite3;
  try {
    Database = require('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    throw new BenchError('BENCH_ERR_STORE', 'cannot load better-sqlite3 (the SQLite driver)', {
      hint: 'reinstall with `npm ci` (it builds a native module: needs python3, make and g++)',
      cause: err,
    });
  }
  let db: Db;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // WAL + NORMAL is durable across process crashes (only an OS crash can lose the last commits).
    db.pragma('synchronous = NORMAL');
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_STORE',
      `cannot open the run store at ${path}: ${(err as Error).message}`,
      {
        hint: 'check the path and its permissions, or choose another with --store PATH',
        cause: err,
      },
    );
  }
  migrate(db);
  return new RunStore(path, db);
}

function migrate(db: Db): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
  );
  const apply = db.transaction(() => {
    const row = db.prepare(`SELECT MAX(version) AS v FROM schema_migrations`).get() as { v: number | null };
    const current = row.v ?? 0;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`).run(
        m.version,
        new Date().toISOString(),
      );
    }
  });
  // IMMEDIATE takes the write lock first, so two processes opening a new store do not both migrate.
  apply.immediate();
}
