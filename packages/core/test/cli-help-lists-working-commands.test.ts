import { afterAll, expect, it } from 'vitest';
import { PACKAGE_COMMANDS } from '../src/cli/commands/package-command.js';
import { runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
afterAll(home.cleanup);

/** The command names of `bench --help`'s Commands: section. */
function listed(help: string): string[] {
  const section = help.slice(help.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
}

it('bench --help lists exactly the package commands that run (compare among them), and no others', async () => {
  const help = await runCli(['--help'], home.dir);
  expect(help.code).toBe(0);
  const names = listed(help.stdout);
  expect(names).toContain('compare');
  for (const name of Object.keys(PACKAGE_COMMANDS)) {
    const first = name.split(' ')[0]!;
    const r = await runCli([...name.split(' '), '--help'], home.dir);
    // Listed if and only if its package provides it (`bench X --help` answers with its usage).
    if (r.code === 0) expect(names, name).toContain(first);
    else if (first === name) {
      expect(r.stderr, name).toContain('is not available in this version');
      expect(names, name).not.toContain(name);
    }
  }
});
