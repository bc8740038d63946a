import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { echoPlugin, runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

const run = (store: string, extra: string[] = []) =>
  runCli(['run', 'test.echo', '--plugin-module', plugin, '--store', store, ...extra], home.dir);
const oneLine = /^error: [^\n]+\nhint: [^\n]+\n$/;

// Issue 10 §4: a --store that cannot be used is one line and exit 2, found before the run starts.
describe('a --store path that cannot be used', () => {
  it('cannot be created (/proc/x/store.sqlite used to hang forever): exit 2 at once', async () => {
    const started = performance.now();
    const r = await run('/proc/x/store.sqlite');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(oneLine);
    expect(r.stderr).toContain('cannot create the directory /proc/x (ENOENT)');
  });

  it('is a directory', async () => {
    const dir = join(home.dir, 'a-dir');
    mkdirSync(dir);
    const r = await run(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(oneLine);
    expect(r.stderr).toContain(`--store ${dir} is a directory`);
  });

  it('is in a directory nobody may write to (even root: /proc/sys/kernel)', async () => {
    const r = await run('/proc/sys/kernel/store.sqlite');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(oneLine);
    expect(r.stderr).toContain('the directory /proc/sys/kernel is not writable');
  });

  it('has a file where a directory should be', async () => {
    const file = join(home.dir, 'plain-file');
    writeFileSync(file, 'x');
    const r = await run(join(file, 'store.sqlite'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} is not a directory`);
  });

  it('is a file that is not a SQLite database', async () => {
    const file = join(home.dir, 'notes.txt');
    writeFileSync(file, 'my notes\n');
    const r = await run(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(oneLine);
    expect(r.stderr).toContain('is not a SQLite database');
  });

  it('the runs commands check it the same way', async () => {
    for (const args of [
      ['runs', 'list', '--store', '/proc/x/store.sqlite'],
      ['runs', 'show', 'X', '--store', '/proc/x/store.sqlite'],
      ['runs', 'export', 'X', '--format', 'csv', '--store', '/proc/x/store.sqlite'],
    ]) {
      const r = await runCli(args, home.dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(oneLine);
    }
  });

  it('missing directories of a good path are created', async () => {
    const store = join(home.dir, 'new', 'deeper', 'store.sqlite');
    const r = await run(store, ['--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(store)).toBe(true);
  });

  it('--output that is a directory is refused before the run', async () => {
    const store = join(home.dir, 'out-check.sqlite');
    const r = await run(store, ['--output', home.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--output ${home.dir} is a directory`);
    expect(existsSync(store)).toBe(false);
  });
});
