import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
afterAll(home.cleanup);

describe('bench --help and bench plugins', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await runCli(['--help'], home.dir);
    expect(r.code).toBe(0);
    for (const cmd of ['run <plugin>', 'runs', 'plugins', 'datasets', 'compare', 'sim'])
      expect(r.stdout).toContain(cmd);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version'], home.dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('plugins lists the built-in llm.inference', async () => {
    const r = await runCli(['plugins'], home.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^llm\.inference\b/m);
  });
});
