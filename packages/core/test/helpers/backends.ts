import { join } from 'node:path';
import { freshPgDatabase } from './pg.js';

/** One store back end for `describe.each`: `location()` gives a new, empty store of that kind. */
export interface StoreBackend {
  kind: 'sqlite' | 'postgres';
  location(dir: string): Promise<string>;
}

let n = 0;

/** SQLite (a file in the test's temp dir) and PostgreSQL (a fresh database on the test server). */
export const STORE_BACKENDS: StoreBackend[] = [
  { kind: 'sqlite', location: async (dir) => join(dir, `store-${n++}.sqlite`) },
  { kind: 'postgres', location: () => freshPgDatabase() },
];
