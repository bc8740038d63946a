import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { echoPlugin, runCli, tempHome } from './helpers/cli.js';
import { freshPgDatabase, pgAdmin, pgServerUrl } from './helpers/pg.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

// A role that must log in with a password (the test server trusts only its admin role).
const role = `ib_alice_${randomBytes(4).toString('hex')}`;
const password = `pw-${randomBytes(8).toString('hex')}`;
let bare = ''; // postgres://role@host:port/db, no password
let withPassword = '';

beforeAll(async () => {
  const db = await freshPgDatabase();
  await pgAdmin(await pgServerUrl(), `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await pgAdmin(db, `GRANT ALL ON SCHEMA public TO ${role}`);
  const u = new URL(db);
  u.username = role;
  bare = u.toString();
  u.password = password;
  withPassword = u.toString();
});

// The children inherit this process's environment: no password may come from there.
delete process.env.PGPASSWORD;
delete process.env.PGPASSFILE;
const list = (store: string, env: Record<string, string> = {}) =>
  runCli(['runs', 'list', '--format', 'json', '--store', store], home.dir, env);

it('without a password the server refuses, and the message names the URL and how to give one', async () => {
  const r = await list(bare);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(
    /cannot connect to the run store at postgres:\/\/(ib_alice_\w+|<redacted>)@127\.0\.0\.1/,
  );
  expect(r.stderr).toMatch(/PGPASSWORD or ~\/\.pgpass/);
});

it('a password in the URL works and is never printed, stored or logged (not even with --debug)', async () => {
  const ok = await list(withPassword);
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.stdout)).toEqual([]);
  const run = await runCli(
    ['run', 'test.echo', '--plugin-module', plugin, '--store', withPassword, '--format', 'json', '--debug'],
    home.dir,
  );
  expect(run.code).toBe(0);
  expect(run.stdout + run.stderr).not.toContain(password);
  const stored = await pgAdmin<Record<string, unknown>>(
    withPassword.replace(`${role}:${password}`, 'bench'),
    'SELECT * FROM runs',
  );
  expect(stored).toHaveLength(1);
  expect(JSON.stringify(stored)).not.toContain(password);
  // A wrong password: the error shows the URL with *** and not the password tried.
  const wrong = withPassword.replace(password, 'not-the-password-42');
  const bad = await runCli(['--debug', 'runs', 'list', '--store', wrong], home.dir);
  expect(bad.code).not.toBe(0);
  // The error line's own redaction (secrets.ts) takes the whole userinfo; the store's own says user:***.
  expect(bad.stderr).toMatch(/postgres:\/\/(<redacted>|\w+:\*\*\*)@127\.0\.0\.1/);
  expect(bad.stderr).toMatch(/password authentication failed/);
  expect(bad.stderr).not.toContain('not-the-password-42');
});

it('$PGPASSWORD and ~/.pgpass give the password when the URL has none', async () => {
  const viaEnv = await list(bare, { PGPASSWORD: password });
  expect(viaEnv.code).toBe(0);
  const pgHome = join(home.dir, 'user');
  mkdirSync(pgHome, { recursive: true });
  const port = new URL(bare).port;
  writeFileSync(join(pgHome, '.pgpass'), `127.0.0.1:${port}:*:${role}:${password}\n`, { mode: 0o600 });
  const viaFile = await list(bare, { HOME: pgHome });
  expect(viaFile.stderr).toBe('');
  expect(viaFile.code).toBe(0);
  expect(JSON.parse(viaFile.stdout)).toHaveLength(1);
});
