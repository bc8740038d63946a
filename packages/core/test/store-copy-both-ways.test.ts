import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { echoPlugin, runCli, tempHome } from './helpers/cli.js';
import { freshPgDatabase } from './helpers/pg.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

const show = async (id: string, store: string) => {
  const r = await runCli(['runs', 'show', id, '--format', 'json', '--store', store], home.dir);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

it('bench store copy moves runs SQLite -> PostgreSQL -> SQLite, every record identical; a second copy skips', async () => {
  const first = join(home.dir, 'first.sqlite');
  const pg = await freshPgDatabase();
  const back = join(home.dir, 'back.sqlite');
  const ids: string[] = [];
  for (const count of ['3', '5']) {
    const r = await runCli(
      ['run', 'test.echo', '--plugin-module', plugin, '--count', count, '--store', first, '--format', 'json'],
      home.dir,
    );
    expect(r.code, r.stderr).toBe(0);
    ids.push(JSON.parse(r.stdout).run_id);
  }

  // All runs, file to server.
  const up = await runCli(['store', 'copy', '--from', first, '--to', pg], home.dir);
  expect(up.code, up.stderr).toBe(0);
  expect(up.stdout).toContain(`copied ${ids[0]} (3 requests, 1 samples)`);
  expect(up.stdout).toContain(`copied ${ids[1]} (5 requests, 1 samples)`);
  for (const id of ids) expect(await show(id, pg)).toEqual(await show(id, first));

  // One run, by prefix, server to a new file.
  const down = await runCli(
    ['store', 'copy', ids[1]!.slice(0, 16), '--from', pg, '--to', back, '--format', 'json'],
    home.dir,
  );
  expect(down.code, down.stderr).toBe(0);
  expect(JSON.parse(down.stdout)).toMatchObject({ copied: [{ run_id: ids[1], requests: 5 }], skipped: [] });
  expect(await show(ids[1]!, back)).toEqual(await show(ids[1]!, first));
  const listed = JSON.parse(
    (await runCli(['runs', 'list', '--format', 'json', '--store', back], home.dir)).stdout,
  );
  expect(listed.map((r: { run_id: string }) => r.run_id)).toEqual([ids[1]]);

  // Again: nothing is duplicated.
  const again = await runCli(['store', 'copy', '--from', first, '--to', pg], home.dir);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`skipped ${ids[0]}: already in`);
  expect(again.stdout).toMatch(/0 run\(s\) copied .* 2 skipped/);
  expect((await show(ids[0]!, pg)).requests).toHaveLength(3);
});

it('an unknown run id or the same store twice is refused before anything is written', async () => {
  const a = join(home.dir, 'a.sqlite');
  const unknown = await runCli(
    ['store', 'copy', '01NOPE', '--from', a, '--to', join(home.dir, 'b.sqlite')],
    home.dir,
  );
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^error: no run with id 01NOPE/);
  const same = await runCli(['store', 'copy', '--from', a, '--to', a], home.dir);
  expect(same.code).toBe(2);
  expect(same.stderr).toMatch(/^error: --from and --to are the same store/);
});
