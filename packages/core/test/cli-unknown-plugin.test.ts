import { afterAll, expect, it } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
afterAll(home.cleanup);

it('bench run nosuch: one error line naming what was tried, a hint, exit 2, no stack', async () => {
  const r = await runCli(['run', 'nosuch'], home.dir);
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: unknown plugin 'nosuch': tried .*built-in.*inferencebench-nosuch/);
  expect(lines[1]).toMatch(/^hint: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
});
