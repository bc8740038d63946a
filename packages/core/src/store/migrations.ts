/** The columns every run had in version 1 (they stay in the table; runs since declare their own). */
const V1_COLUMNS = JSON.stringify([
  { name: 'ttft_ms', type: 'real' },
  { name: 'tpot_ms', type: 'real' },
  { name: 'e2e_ms', type: 'real' },
  { name: 'n_in', type: 'integer' },
  { name: 'n_out', type: 'integer' },
]);

/**
 * Versioned schema migrations, one list for both back ends: each version has its SQLite and its PostgreSQL
 * text, the same tables and columns (REAL is a double in both). Applied in order inside one transaction.
 * Append new entries; never edit a released one (stores on users' machines already ran it).
 */
export const MIGRATIONS: { version: number; sqlite: string; postgres: string }[] = [
  {
    version: 1,
    sqlite: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        plugin TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        pid INTEGER,
        host TEXT,
        plan TEXT NOT NULL,
        environment TEXT NOT NULL,
        summary TEXT,
        error TEXT
      );
      CREATE INDEX runs_status ON runs(status);
      CREATE TABLE levels (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, idx)
      );
      CREATE TABLE requests (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        level INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        ttft_ms REAL,
        tpot_ms REAL,
        e2e_ms REAL,
        n_in INTEGER,
        n_out INTEGER,
        data TEXT
      );
      CREATE INDEX requests_run ON requests(run_id, level, seq);
      CREATE TABLE samples (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        series TEXT NOT NULL,
        t_ms REAL NOT NULL,
        value REAL NOT NULL,
        labels TEXT
      );
      CREATE INDEX samples_run ON samples(run_id, series, t_ms);
    `,

    postgres: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        plugin TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        pid INTEGER,
        host TEXT,
        plan TEXT NOT NULL,
        environment TEXT NOT NULL,
        summary TEXT,
        error TEXT
      );
      CREATE INDEX runs_status ON runs(status);
      CREATE TABLE levels (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, idx)
      );
      CREATE TABLE requests (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        level INTEGER NOT NULL,
        seq BIGINT NOT NULL,
        status TEXT NOT NULL,
        ttft_ms DOUBLE PRECISION,
        tpot_ms DOUBLE PRECISION,
        e2e_ms DOUBLE PRECISION,
        n_in BIGINT,
        n_out BIGINT,
        data TEXT
      );
      CREATE INDEX requests_run ON requests(run_id, level, seq);
      CREATE TABLE samples (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        series TEXT NOT NULL,
        t_ms DOUBLE PRECISION NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        labels TEXT
      );
      CREATE INDEX samples_run ON samples(run_id, series, t_ms);
    `,
  },
  {
    // Writers' heartbeats (aborted-run detection across machines), per-run declared request columns, and
    // the request phase as a column. Version 1 had five fixed columns and the phase inside `data`.
    version: 2,
    sqlite: `
      ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
      ALTER TABLE runs ADD COLUMN request_columns TEXT;
      ALTER TABLE requests ADD COLUMN phase TEXT;
      UPDATE requests SET phase = json_extract(data, '$.phase'), data = json_remove(data, '$.phase')
        WHERE json_valid(data) AND json_type(data) = 'object' AND json_type(data, '$.phase') = 'text';
      UPDATE runs SET request_columns = '${V1_COLUMNS}';
    `,
    postgres: `
      ALTER TABLE runs ADD COLUMN heartbeat_at TIMESTAMPTZ;
      ALTER TABLE runs ADD COLUMN request_columns TEXT;
      ALTER TABLE requests ADD COLUMN phase TEXT;
      UPDATE runs SET request_columns = '${V1_COLUMNS}';
    `,
  },
  {
    // Barriers of load shards: every shard of a level writes its arrival; the common start follows.
    version: 3,
    sqlite: `
      CREATE TABLE barriers (name TEXT NOT NULL, party TEXT NOT NULL, arrived_ms REAL NOT NULL,
                             PRIMARY KEY (name, party));
    `,
    postgres: `
      CREATE TABLE barriers (name TEXT NOT NULL, party TEXT NOT NULL, arrived_ms DOUBLE PRECISION NOT NULL,
                             PRIMARY KEY (name, party));
    `,
  },
];
