import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { BenchError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import { quoteIdent, type SqlDb, type SqlType } from './sql-db.js';

type Db = BetterSqlite3.Database;

const SQLITE_TYPES: Record<SqlType, string> = { text: 'TEXT', int: 'INTEGER', real: 'REAL' };
const ISO_NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

/** better-sqlite3 behind the async SqlDb interface (every call is synchronous underneath). */
export class SqliteDb implements SqlDb {
  readonly kind = 'sqlite';
  readonly nowSql = ISO_NOW;
  readonly agoSql = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ? || ' seconds')`;
  readonly orderColumn = 'rowid';
  readonly db: Db;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: Db) {
    this.db = db;
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.prepare(sql).run(...params).changes;
  }

  /** Synchronous batch insert: the second Ctrl-C path and the flush timer rely on it finishing at once. */
  insertManySync(table: string, columns: string[], rows: unknown[][]): void {
    if (rows.length === 0) return;
    const stmt = this.prepare(
      `INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    this.db.transaction(() => {
      for (const r of rows) stmt.run(...r);
    })();
  }

  async insertMany(table: string, columns: string[], _types: SqlType[], rows: unknown[][]): Promise<void> {
    this.insertManySync(table, columns, rows);
  }

  async transaction(fn: () => Promise<void>): Promise<void> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      await fn();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async ensureColumns(table: string, columns: { name: string; type: SqlType }[]): Promise<void> {
    const add = this.db.transaction(() => {
      const have = new Set(
        (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map(
          (r) => r.name,
        ),
      );
      for (const c of columns)
        if (!have.has(c.name))
          this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(c.name)} ${SQLITE_TYPES[c.type]}`);
    });
    add.immediate();
    // Statements prepared before the change would not see the new columns.
    this.statements.clear();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * Open (creating if needed) the SQLite store at `path`: WAL journal, foreign keys, migrations applied.
 * better-sqlite3 is loaded here, not at import time, so commands that do not touch the store stay fast.
 */
export function openSqliteDb(path: string): SqliteDb {
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
  return new SqliteDb(db);
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
      db.exec(m.sqlite);
      db.prepare(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`).run(
        m.version,
        new Date().toISOString(),
      );
    }
  });
  // IMMEDIATE takes the write lock first, so two processes opening a new store do not both migrate.
  apply.immediate();
}
