import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';

/**
 * A real PostgreSQL server for the store tests: `$INFERENCEBENCH_TEST_PG_URL` (what `.ci/run` starts),
 * else one started here from Debian's binaries by `.ci/start-postgres` (stopped when the test process
 * ends). Each test gets a database of its own. No server and no binaries is a failure, not a skip.
 */
let server: Promise<string> | null = null;
let stopServer: (() => void) | null = null;

// A server this file started is stopped after its tests (the CI one is stopped by .ci/run).
afterAll(() => {
  stopServer?.();
  stopServer = null;
  server = null;
});

function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : null;
}

/** Start a PostgreSQL server of one's own (stop() ends it and removes its data directory). */
export function startPgServer(): { url: string; stop: () => void } {
  const bin = pgBinDir();
  if (!bin)
    throw new Error(
      'PostgreSQL is needed by the store tests: set INFERENCEBENCH_TEST_PG_URL, or install it (apt-get install -y postgresql)',
    );
  const script = resolve(import.meta.dirname, '../../../../.ci/start-postgres');
  const out = execFileSync(script, { encoding: 'utf8' });
  const url = /INFERENCEBENCH_TEST_PG_URL=(\S+)/.exec(out)?.[1];
  const dir = /INFERENCEBENCH_TEST_PG_DIR=(\S+)/.exec(out)?.[1];
  if (!url || !dir) throw new Error(`could not start PostgreSQL: ${out}`);
  const stop = (): void => {
    const pgCtl = [join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', 'stop'];
    const argv = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...pgCtl] : pgCtl;
    try {
      execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop };
}

function startServer(): string {
  const own = startPgServer();
  stopServer = own.stop;
  return own.url;
}

/** The server's admin URL (a superuser without password on 127.0.0.1). */
export function pgServerUrl(): Promise<string> {
  server ??= Promise.resolve().then(() => process.env.INFERENCEBENCH_TEST_PG_URL || startServer());
  return server;
}

/** A new, empty database on the test server; its URL. */
export async function freshPgDatabase(prefix = 'ib_test'): Promise<string> {
  const admin = await pgServerUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Run SQL as the admin role on a database of the test server. */
export async function pgAdmin<T = unknown>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
