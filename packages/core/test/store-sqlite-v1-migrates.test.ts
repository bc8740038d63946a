import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/migrations.js';
import { openStore } from '../src/store/run-store.js';
import { tempHome } from './helpers/cli.js';

const home = tempHome();
afterAll(home.cleanup);
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

it('a store written by version 1 (fixed columns, phase inside data) opens migrated, its records intact', async () => {
  const path = join(home.dir, 'v1.sqlite');
  const v1 = new Database(path);
  v1.exec(MIGRATIONS[0]!.sqlite);
  v1.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
           INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.000Z');
           INSERT INTO runs (id, plugin, status, created_at, plan, environment)
             VALUES ('01J00000000000000000000001', 'llm.inference', 'complete', '2026-01-01T00:00:00.000Z', '{}', '{}');
           INSERT INTO requests (run_id, level, seq, status, ttft_ms, n_out, data) VALUES
             ('01J00000000000000000000001', 0, 0, 'ok', 12.5, 7, '{"phase":"measured","itl_ms":[1.5]}'),
             ('01J00000000000000000000001', 0, 1, 'timeout', NULL, NULL, '{"itl_ms":[]}');`);
  v1.close();
  const store = await openStore(path);
  expect(await store.requests('01J00000000000000000000001')).toEqual([
    {
      level: 0,
      seq: 0,
      status: 'ok',
      phase: 'measured',
      ttft_ms: 12.5,
      tpot_ms: null,
      e2e_ms: null,
      n_in: null,
      n_out: 7,
      data: { itl_ms: [1.5] },
    },
    {
      level: 0,
      seq: 1,
      status: 'timeout',
      phase: null,
      ttft_ms: null,
      tpot_ms: null,
      e2e_ms: null,
      n_in: null,
      n_out: null,
      data: { itl_ms: [] },
    },
  ]);
  await store.close();
  // Migrated once: the version is recorded, and opening again changes nothing.
  const again = new Database(path);
  expect(again.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({
    v: MIGRATIONS.at(-1)!.version,
  });
  again.close();
  expect(await (await openStore(path)).requests('01J00000000000000000000001')).toHaveLength(2);
});
