import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { echoPlugin, runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

function config(name: string, text: string): string {
  const path = join(home.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('a bad config file exits 2 with one line', () => {
  it('YAML that does not parse', async () => {
    const path = config('broken.yaml', 'count: [1, 2\nlabel: "x\n');
    const r = await runCli(['run', 'test.echo', '--plugin-module', plugin, '--config', path], home.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: config file .*broken\.yaml is not valid YAML: .+\nhint: .+\n$/);
  });

  it('an unknown key, with a suggestion', async () => {
    const path = config('typo.yaml', 'cuont: 4\n');
    const r = await runCli(['run', 'test.echo', '--plugin-module', plugin, '--config', path], home.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: unknown key 'cuont' in config file .*typo\.yaml\nhint: did you mean 'count'\?\n$/,
    );
  });

  it('a bad value names the key and the file', async () => {
    const path = config('value.yaml', 'count: -3\n');
    const r = await runCli(['run', 'test.echo', '--plugin-module', plugin, '--config', path], home.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid value '-3' for 'count' in .*value\.yaml: /);
  });

  it('a missing file', async () => {
    const r = await runCli(
      ['run', 'test.echo', '--plugin-module', plugin, '--config', join(home.dir, 'nope.yaml')],
      home.dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read config file .*nope\.yaml: ENOENT/);
  });
});
