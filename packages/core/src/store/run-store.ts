import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { BenchError } from '../errors.js';
import type {
  BarrierResult,
  RequestRecordInput,
  RunDocument,
  RunStatus,
  SampleInput,
  StoredRequest,
  StoredSample,
} from '../plugin/types.js';
import { isPostgresUrl, localDataDir, redactStoreLocation } from './paths.js';
import type { SqlDb, SqlType } from './sql-db.js';
import { quoteIdent } from './sql-db.js';
import type {
  NewRun,
  RequestColumn,
  RunBundle,
  RunListItem,
  RunStore,
  StoreRunWriter,
  WriterOptions,
} from './types.js';
import { ulid } from './ulid.js';

export type {
  NewRun,
  RequestColumn,
  RunBundle,
  RunListItem,
  RunStore,
  StoreRunWriter,
  WriterOptions,
} from './types.js';

/** Flush requests/samples at most this long after they were written. */
const FLUSH_INTERVAL_MS = 1000;
/** ...or as soon as this many are buffered, to bound memory. */
const FLUSH_MAX_BUFFERED = 5000;
/** A running run whose writer has not beaten for this long is aborted ($INFERENCEBENCH_STALE_AFTER_S). */
const DEFAULT_STALE_AFTER_MS = 30_000;

/** The store's own request columns; a plugin's declared columns come after them. */
const OWN_REQUEST_COLUMNS = new Set(['id', 'run_id', 'level', 'seq', 'status', 'phase', 'data']);
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const COLUMN_SQL_TYPE: Record<RequestColumn['type'], SqlType> = {
  real: 'real',
  integer: 'int',
  text: 'text',
};

export interface OpenStoreOptions {
  /** Aborted-run threshold: a heartbeat older than this marks a running run aborted. */
  staleAfterMs?: number;
  /** Local directory for runs' files with a PostgreSQL store (default: $INFERENCEBENCH_HOME or data dir). */
  localDir?: string;
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

/** Checks a plugin's column declarations: lower snake case, not the store's own names, no duplicates. */
export function validateRequestColumns(columns: RequestColumn[]): RequestColumn[] {
  const seen = new Set<string>();
  for (const c of columns) {
    if (!COLUMN_NAME.test(c.name) || OWN_REQUEST_COLUMNS.has(c.name) || seen.has(c.name))
      throw new BenchError(
        'BENCH_ERR_INTERNAL',
        `invalid request column '${c.name}' declared by the plugin`,
        {
          hint: 'request columns are unique lower snake case names other than run_id, level, seq, status, phase, data',
        },
      );
    if (!(c.type in COLUMN_SQL_TYPE))
      throw new BenchError('BENCH_ERR_INTERNAL', `request column '${c.name}' has unknown type '${c.type}'`, {
        hint: 'real, integer or text',
      });
    seen.add(c.name);
  }
  return columns.map((c) => ({ name: c.name, type: c.type }));
}

/** Whether a value goes into a column of this type as it is (others stay in `data`, nothing is lost). */
function fitsColumn(type: RequestColumn['type'], v: unknown): boolean {
  if (type === 'real') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'integer') return typeof v === 'number' && Number.isSafeInteger(v);
  return typeof v === 'string';
}

interface RunRow {
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
  request_columns: string | null;
}

/** The run store over either database; see RunStore for the contract of each method. */
export class SqlRunStore implements RunStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly location: string;
  readonly dir: string;
  readonly db: SqlDb;
  readonly staleAfterMs: number;

  constructor(db: SqlDb, location: string, dir: string, staleAfterMs: number) {
    this.db = db;
    this.kind = db.kind;
    this.location = location;
    this.dir = dir;
    this.staleAfterMs = staleAfterMs;
  }

  /** Kept for callers of the SQLite-only store: the same as `location`. */
  get path(): string {
    return this.location;
  }

  private notFound(id: string, hint = 'list the runs with `bench runs list` (or pass --store)'): BenchError {
    return new BenchError('BENCH_ERR_NOT_FOUND', `no run with id ${id} in ${this.location}`, { hint });
  }

  async createRun(run: NewRun): Promise<string> {
    const columns = validateRequestColumns(run.requestColumns ?? []);
    await this.ensureRequestColumns(columns);
    const id = ulid();
    await this.db.run(
      `INSERT INTO runs (id, plugin, status, created_at, pid, host, plan, environment, request_columns, heartbeat_at)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ${this.db.nowSql})`,
      [
        id,
        run.plugin,
        new Date().toISOString(),
        run.pid ?? process.pid,
        run.host ?? hostname(),
        JSON.stringify(run.plan),
        JSON.stringify(run.environment),
        JSON.stringify(columns),
      ],
    );
    return id;
  }

  private async ensureRequestColumns(columns: RequestColumn[]): Promise<void> {
    if (columns.length > 0)
      await this.db.ensureColumns(
        'requests',
        columns.map((c) => ({ name: c.name, type: COLUMN_SQL_TYPE[c.type] })),
      );
  }

  async finishRun(
    id: string,
    status: RunStatus,
    extra: { summary?: unknown; error?: string | null } = {},
  ): Promise<void> {
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
    await this.db.run(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`, [...values, id]);
  }

  async reapStaleRuns(
    host: string = hostname(),
    alive: (pid: number) => boolean = isProcessAlive,
  ): Promise<string[]> {
    const marked: string[] = [];
    const now = new Date().toISOString();
    // SQLite: a dead pid on this host is certain at once (PostgreSQL writers may share a host name).
    if (this.kind === 'sqlite') {
      const rows = await this.db.all<{ id: string; pid: number | null }>(
        `SELECT id, pid FROM runs WHERE status = 'running' AND host = ?`,
        [host],
      );
      for (const r of rows.filter((x) => x.pid !== process.pid && (x.pid === null || !alive(x.pid)))) {
        const n = await this.db.run(
          `UPDATE runs SET status = 'aborted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'`,
          [now, `process ${r.pid} ended without finishing the run`, r.id],
        );
        if (n > 0) marked.push(r.id);
      }
    }
    // Both: the writer's heartbeat stopped (killed, machine gone, network cut) for longer than the threshold.
    const staleS = this.staleAfterMs / 1000;
    const stale = await this.db.all<{ id: string; pid: number | null; host: string | null }>(
      `UPDATE runs SET status = 'aborted', finished_at = ?,
         error = 'no heartbeat from its writer (pid ' || COALESCE(CAST(pid AS TEXT), 'unknown') || ' on ' ||
                 COALESCE(host, 'unknown') || ') for over ' || CAST(? AS TEXT) || ' s'
       WHERE status = 'running' AND heartbeat_at IS NOT NULL AND heartbeat_at < ${this.db.agoSql}
       RETURNING id, pid, host`,
      [now, String(staleS), staleS],
    );
    for (const r of stale) marked.push(r.id);
    return marked;
  }

  async resolveRunId(prefix: string): Promise<string> {
    const p = prefix.trim().toUpperCase();
    if (p.length === 0)
      throw new BenchError('BENCH_ERR_NOT_FOUND', 'empty run id', { hint: 'bench runs list' });
    // Ids are Crockford base32; anything else cannot match (and cannot reach LIKE as a wildcard).
    const rows = /^[0-9A-Z]+$/.test(p)
      ? await this.db.all<{ id: string }>(`SELECT id FROM runs WHERE id LIKE ? ORDER BY id LIMIT 3`, [
          `${p}%`,
        ])
      : [];
    if (rows.length === 0) throw this.notFound(prefix);
    if (rows.length > 1)
      throw new BenchError('BENCH_ERR_NOT_FOUND', `run id prefix ${prefix} is ambiguous`, {
        hint: `it matches ${rows.map((r) => r.id).join(', ')}${rows.length > 2 ? ', ...' : ''}: give more characters`,
      });
    return rows[0]!.id;
  }

  async listRuns(limit = 50): Promise<RunListItem[]> {
    const rows = await this.db.all<{
      id: string;
      plugin: string;
      status: RunStatus;
      created_at: string;
      finished_at: string | null;
      plan: string;
      n: number;
    }>(
      `SELECT r.id, r.plugin, r.status, r.created_at, r.finished_at, r.plan,
              (SELECT COUNT(*) FROM requests q WHERE q.run_id = r.id) AS n
       FROM runs r ORDER BY r.id DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      run_id: r.id,
      plugin: r.plugin,
      status: r.status,
      created_at: r.created_at,
      finished_at: r.finished_at,
      requests: Number(r.n),
      plan: parseJson(r.plan) as Record<string, unknown>,
    }));
  }

  private async runRow(id: string): Promise<RunRow> {
    const [row] = await this.db.all<RunRow>(
      `SELECT id, plugin, status, created_at, finished_at, pid, host, plan, environment, summary, error,
              request_columns FROM runs WHERE id = ?`,
      [id],
    );
    if (!row) throw this.notFound(id);
    return row;
  }

  async getRunDocument(id: string, options: { records?: boolean } = {}): Promise<RunDocument> {
    const row = await this.runRow(id);
    const levels = (
      await this.db.all<{ data: string }>(`SELECT data FROM levels WHERE run_id = ? ORDER BY idx`, [id])
    ).map((l) => parseJson(l.data));
    const [counts] = await this.db.all<{ requests: number; samples: number }>(
      `SELECT (SELECT COUNT(*) FROM requests WHERE run_id = ?) AS requests,
              (SELECT COUNT(*) FROM samples WHERE run_id = ?) AS samples`,
      [id, id],
    );
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
      records: { requests: Number(counts?.requests ?? 0), samples: Number(counts?.samples ?? 0) },
    };
    if (options.records) {
      doc.requests = await this.requestsOf(id, runColumns(row));
      doc.samples = await this.samples(id);
    }
    return doc;
  }

  async requests(runId: string): Promise<StoredRequest[]> {
    return this.requestsOf(runId, runColumns(await this.runRow(runId)));
  }

  private async requestsOf(runId: string, columns: RequestColumn[]): Promise<StoredRequest[]> {
    const own = columns.map((c) => quoteIdent(c.name)).join(', ');
    const rows = await this.db.all<Record<string, unknown> & { data: string | null }>(
      `SELECT level, seq, status, phase, ${own ? `${own}, ` : ''}data FROM requests
       WHERE run_id = ? ORDER BY ${this.db.orderColumn}`,
      [runId],
    );
    return rows.map((r) => ({ ...r, data: parseJson(r.data) }) as StoredRequest);
  }

  async samples(runId: string): Promise<StoredSample[]> {
    const rows = await this.db.all<{ series: string; t_ms: number; value: number; labels: string | null }>(
      `SELECT series, t_ms, value, labels FROM samples WHERE run_id = ? ORDER BY ${this.db.orderColumn}`,
      [runId],
    );
    return rows.map((r) => ({
      series: r.series,
      t_ms: r.t_ms,
      value: r.value,
      labels: parseJson(r.labels) as Record<string, string> | null,
    }));
  }

  runDir(id: string): string {
    const dir = join(this.dir, 'runs', id);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async writer(runId: string, options: WriterOptions = {}): Promise<StoreRunWriter> {
    const [current] = await this.db.all<{
      plan: string;
      environment: string;
      request_columns: string | null;
    }>(`SELECT plan, environment, request_columns FROM runs WHERE id = ?`, [runId]);
    if (!current) throw new BenchError('BENCH_ERR_STORE', `run ${runId} is not in the store`);
    return new BufferedRunWriter(this, runId, {
      plan: parseJson(current.plan) as Record<string, unknown>,
      environment: parseJson(current.environment) as Record<string, unknown>,
      columns: runColumns(current),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  async exportRun(id: string): Promise<RunBundle> {
    const row = await this.runRow(id);
    const levels = (
      await this.db.all<{ idx: number; data: string }>(
        `SELECT idx, data FROM levels WHERE run_id = ? ORDER BY idx`,
        [id],
      )
    ).map((l) => ({ idx: l.idx, data: parseJson(l.data) }));
    const columns = runColumns(row);
    return {
      run: {
        id: row.id,
        plugin: row.plugin,
        status: row.status,
        created_at: row.created_at,
        finished_at: row.finished_at,
        pid: row.pid,
        host: row.host,
        plan: parseJson(row.plan) as Record<string, unknown>,
        environment: parseJson(row.environment) as Record<string, unknown>,
        summary: parseJson(row.summary),
        error: row.error,
        request_columns: columns,
      },
      levels,
      requests: await this.requestsOf(id, columns),
      samples: await this.samples(id),
    };
  }

  async importRun(bundle: RunBundle): Promise<boolean> {
    const r = bundle.run;
    const columns = validateRequestColumns(r.request_columns);
    await this.ensureRequestColumns(columns);
    // All or nothing: a copy cut short leaves no half run behind (which a second copy would skip).
    let inserted = false;
    await this.db.transaction(async () => {
      inserted = await this.insertBundle(bundle, columns);
    });
    return inserted;
  }

  private async insertBundle(bundle: RunBundle, columns: RequestColumn[]): Promise<boolean> {
    const r = bundle.run;
    const inserted = await this.db.run(
      `INSERT INTO runs (id, plugin, status, created_at, finished_at, pid, host, plan, environment, summary,
                         error, request_columns)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [
        r.id,
        r.plugin,
        r.status,
        r.created_at,
        r.finished_at,
        r.pid,
        r.host,
        JSON.stringify(r.plan),
        JSON.stringify(r.environment),
        r.summary === null || r.summary === undefined ? null : JSON.stringify(r.summary),
        r.error,
        JSON.stringify(columns),
      ],
    );
    if (inserted === 0) return false;
    for (const l of bundle.levels)
      await this.db.run(`INSERT INTO levels (run_id, idx, data) VALUES (?, ?, ?)`, [
        r.id,
        l.idx,
        JSON.stringify(l.data ?? null),
      ]);
    const req = requestTable(columns);
    const rows = bundle.requests.map((q) => [
      r.id,
      q.level,
      q.seq,
      q.status,
      q.phase ?? null,
      ...columns.map((c) => q[c.name] ?? null),
      q.data === null || q.data === undefined ? null : JSON.stringify(q.data),
    ]);
    for (let i = 0; i < rows.length; i += FLUSH_MAX_BUFFERED)
      await this.db.insertMany('requests', req.names, req.types, rows.slice(i, i + FLUSH_MAX_BUFFERED));
    const sampleRows = bundle.samples.map((s) => [
      r.id,
      s.series,
      s.t_ms,
      s.value,
      s.labels ? JSON.stringify(s.labels) : null,
    ]);
    for (let i = 0; i < sampleRows.length; i += FLUSH_MAX_BUFFERED)
      await this.db.insertMany(
        'samples',
        SAMPLE_COLUMNS,
        SAMPLE_TYPES,
        sampleRows.slice(i, i + FLUSH_MAX_BUFFERED),
      );
    return true;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

const SAMPLE_COLUMNS = ['run_id', 'series', 't_ms', 'value', 'labels'];
const SAMPLE_TYPES: SqlType[] = ['text', 'text', 'real', 'real', 'text'];

function runColumns(row: { request_columns: string | null }): RequestColumn[] {
  return row.request_columns ? (parseJson(row.request_columns) as RequestColumn[]) : [];
}

function requestTable(columns: RequestColumn[]): { names: string[]; types: SqlType[] } {
  return {
    names: ['run_id', 'level', 'seq', 'status', 'phase', ...columns.map((c) => c.name), 'data'],
    types: ['text', 'int', 'int', 'text', 'text', ...columns.map((c) => COLUMN_SQL_TYPE[c.type]), 'text'],
  };
}

/** Declared fields go to their columns at full precision; the other fields join `data` so nothing is lost. */
export function requestRow(runId: string, record: RequestRecordInput, columns: RequestColumn[]): unknown[] {
  const fields: Record<string, unknown> = { ...(record.fields ?? {}) };
  const cells = columns.map((c) => {
    const v = fields[c.name];
    if (fitsColumn(c.type, v)) {
      delete fields[c.name];
      return v;
    }
    // null, undefined and non-finite numbers are "no value"; anything else that does not fit stays in data.
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)))
      delete fields[c.name];
    return null;
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
    record.phase ?? null,
    ...cells,
    data === undefined ? null : JSON.stringify(data),
  ];
}

/**
 * A run's writer: requests and samples buffered, written in one batch at most FLUSH_INTERVAL_MS after the
 * first of them, and a heartbeat (`runs.heartbeat_at`) beaten while it is open. Batches are written one
 * after another; a failed write is reported by the next flush(), level() or close().
 */
class BufferedRunWriter implements StoreRunWriter {
  readonly runId: string;
  private readonly store: SqlRunStore;
  private readonly plan: Record<string, unknown>;
  private readonly environment: Record<string, unknown>;
  private readonly columns: RequestColumn[];
  private readonly table: { names: string[]; types: SqlType[] };
  private requestsBuf: unknown[][] = [];
  private samplesBuf: unknown[][] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private closed = false;
  /** Set by the writer's options: failures go there (once) instead of to the next awaiting caller. */
  private readonly onError: ((err: unknown) => void) | null;
  private failed = false;

  constructor(
    store: SqlRunStore,
    runId: string,
    current: {
      plan: Record<string, unknown>;
      environment: Record<string, unknown>;
      columns: RequestColumn[];
      onError?: (err: unknown) => void;
    },
  ) {
    this.onError = current.onError ?? null;
    this.store = store;
    this.runId = runId;
    this.plan = current.plan;
    this.environment = current.environment;
    this.columns = current.columns;
    this.table = requestTable(this.columns);
    // Several beats per threshold, so one late beat (a busy event loop) does not abort a live run.
    const beatMs = Math.max(100, Math.min(5000, store.staleAfterMs / 4));
    this.heartbeatTimer = setInterval(() => {
      this.enqueue(async () => {
        await store.db.run(`UPDATE runs SET heartbeat_at = ${store.db.nowSql} WHERE id = ?`, [runId]);
      });
    }, beatMs);
    this.heartbeatTimer.unref();
  }

  runDir(): string {
    return this.store.runDir(this.runId);
  }

  /**
   * Run `fn` after every write queued before it; remember the first failure, or with `onError` report it
   * once, drop the buffers and (for `retry` writes: levels, summary, plan, environment) try once more.
   */
  private enqueue(fn: () => Promise<void>, retry = false): Promise<void> {
    const guarded = async (): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        if (!this.onError) throw err;
        if (!this.failed) {
          this.failed = true;
          this.requestsBuf = [];
          this.samplesBuf = [];
          this.onError(err);
        }
        if (retry) await fn().catch(() => {});
      }
    };
    const next = this.chain.then(guarded);
    this.chain = next.catch((err: unknown) => {
      this.failure ??= err;
    });
    return next;
  }

  private checkOpen(): void {
    if (this.closed) throw new BenchError('BENCH_ERR_STORE', `the writer of run ${this.runId} is closed`);
  }

  private async settled(): Promise<void> {
    await this.chain;
    if (this.failure !== null) {
      const err = this.failure;
      this.failure = null;
      throw err;
    }
  }

  async mergeEnvironment(patch: Record<string, unknown>): Promise<void> {
    Object.assign(this.environment, patch);
    const text = JSON.stringify(this.environment);
    await this.enqueue(async () => {
      await this.store.db.run(`UPDATE runs SET environment = ? WHERE id = ?`, [text, this.runId]);
    }, true);
  }

  async mergePlan(patch: Record<string, unknown>): Promise<void> {
    Object.assign(this.plan, patch);
    const text = JSON.stringify(this.plan);
    await this.enqueue(async () => {
      await this.store.db.run(`UPDATE runs SET plan = ? WHERE id = ?`, [text, this.runId]);
    }, true);
  }

  async level(index: number, data: unknown): Promise<void> {
    this.checkOpen();
    const text = JSON.stringify(data ?? null);
    await this.enqueue(async () => {
      await this.store.db.run(
        `INSERT INTO levels (run_id, idx, data) VALUES (?, ?, ?)
         ON CONFLICT (run_id, idx) DO UPDATE SET data = excluded.data`,
        [this.runId, index, text],
      );
    }, true);
    await this.settled();
  }

  request(record: RequestRecordInput): void {
    this.checkOpen();
    if (this.failed) return;
    this.requestsBuf.push(requestRow(this.runId, record, this.columns));
    this.scheduled();
  }

  sample(sample: SampleInput): void {
    this.checkOpen();
    if (this.failed) return;
    this.samplesBuf.push([
      this.runId,
      sample.series,
      sample.tMs,
      sample.value,
      sample.labels ? JSON.stringify(sample.labels) : null,
    ]);
    this.scheduled();
  }

  async setSummary(summary: unknown): Promise<void> {
    const text = JSON.stringify(summary ?? null);
    await this.enqueue(async () => {
      await this.store.db.run(`UPDATE runs SET summary = ? WHERE id = ?`, [text, this.runId]);
    }, true);
  }

  private scheduled(): void {
    if (this.requestsBuf.length + this.samplesBuf.length >= FLUSH_MAX_BUFFERED) void this.write();
    else if (!this.timer) {
      // Unref'd: a pending flush must not keep the process alive; exit paths flush explicitly.
      this.timer = setTimeout(() => void this.write(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Hand the buffers to the write queue (returns when they are written; failures are kept for later). */
  private write(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.requestsBuf.length === 0 && this.samplesBuf.length === 0) return this.chain;
    const requests = this.requestsBuf;
    const samples = this.samplesBuf;
    this.requestsBuf = [];
    this.samplesBuf = [];
    const db = this.store.db;
    return this.enqueue(async () => {
      await db.insertMany('requests', this.table.names, this.table.types, requests);
      await db.insertMany('samples', SAMPLE_COLUMNS, SAMPLE_TYPES, samples);
    }).catch(() => {});
  }

  async flush(): Promise<void> {
    await this.write();
    await this.settled();
  }

  async barrier(
    name: string,
    parties: number,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<BarrierResult> {
    const db = this.store.db;
    await this.settled();
    await db.run(`INSERT INTO barriers (name, party, arrived_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, [
      name,
      this.runId,
      Date.now(),
    ]);
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const rows = await db.all<{ party: string; arrived_ms: number }>(
        `SELECT party, arrived_ms FROM barriers WHERE name = ? ORDER BY party`,
        [name],
      );
      if (rows.length >= parties)
        return {
          startMs: Math.max(...rows.map((r) => r.arrived_ms)) + 1000,
          runIds: rows.map((r) => r.party),
        };
      if (options.signal?.aborted) throw new BenchError('BENCH_ERR_ABORTED', `aborted waiting at ${name}`);
      if (Date.now() > deadline)
        throw new BenchError('BENCH_ERR_STORE', `only ${rows.length} of ${parties} shards reached ${name}`, {
          hint: 'start every shard (JOB_COMPLETION_INDEX 0..N-1) with the same --shard-group and store',
        });
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async peerRun(runId: string): Promise<{ levels: unknown[]; requests: StoredRequest[] }> {
    const doc = await this.store.getRunDocument(runId);
    return { levels: doc.levels, requests: await this.store.requests(runId) };
  }

  async close(): Promise<void> {
    if (this.closed) return this.settled();
    clearInterval(this.heartbeatTimer);
    const done = this.flush();
    this.closed = true;
    await done;
  }
}

/**
 * Open (creating and migrating if needed) the store at `location`: a SQLite file path, or a
 * `postgres://user@host:port/db` URL. Drivers load here, so commands that need no store stay fast.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<RunStore> {
  const envStale = Number(process.env.INFERENCEBENCH_STALE_AFTER_S);
  const staleAfterMs = options.staleAfterMs ?? (envStale > 0 ? envStale * 1000 : DEFAULT_STALE_AFTER_MS);
  if (isPostgresUrl(location)) {
    const { openPostgresDb } = await import('./postgres-db.js');
    const db = await openPostgresDb(location);
    const dir = options.localDir ?? (await localDataDir());
    return new SqlRunStore(db, redactStoreLocation(location), dir, staleAfterMs);
  }
  const { openSqliteDb } = await import('./sqlite-db.js');
  return new SqlRunStore(openSqliteDb(location), location, dirname(location), staleAfterMs);
}
