/**
 * Versioned schema migrations, applied in order inside one transaction each. Append new entries; never
 * edit a released one (stores on users' machines already ran it).
 */
export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
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
  },
];
