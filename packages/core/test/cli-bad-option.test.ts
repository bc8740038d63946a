import { afterAll, describe, expect, it } from 'vitest';
import { echoPlugin, runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

describe('bad options exit 2 with one line', () => {
  it('a value the schema rejects names the flag and the problem', async () => {
    const r = await runCli(['run', 'test.echo', '--plugin-module', plugin, '--count', 'lots'], home.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: invalid value 'lots' for --count: .+\nhint: --count <n>: requests to write\n$/,
    );
  });

  it('an unknown option suggests the close one', async () => {
    const r = await runCli(['run', 'test.echo', '--plugin-module', plugin, '--cuont', '2'], home.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: unknown option --cuont\nhint: did you mean --count?\n');
  });

  it('a bad core option value (--format) is rejected the same way', async () => {
    const r = await runCli(['run', 'test.echo', '--plugin-module', plugin, '--format', 'xml'], home.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid value 'xml' for --format/);
  });

  it('--debug adds the stack trace', async () => {
    const r = await runCli(
      ['run', 'test.echo', '--plugin-module', plugin, '--count', '0', '--debug'],
      home.dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
