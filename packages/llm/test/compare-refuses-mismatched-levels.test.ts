import { afterAll, describe, expect, it } from 'vitest';
import { benchWithFakes, compareRunArgs } from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

const runId = (stdout: string): string => (JSON.parse(stdout) as { run_id: string }).run_id;

describe('bench compare on runs whose levels differ', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('refuses and says which run has which levels', async () => {
    const short = ['--duration', '1', '--format', 'json'];
    const one = await benchWithFakes(compareRunArgs('vllm', short), home.dir);
    const two = await benchWithFakes(compareRunArgs('vllm', [...short, '--concurrency', '1,2']), home.dir);
    assertExit(one);
    assertExit(two);
    const [a, b] = [runId(one.stdout), runId(two.stdout)];
    const c = await benchWithFakes(['compare', a, b], home.dir);
    assertExit(c, 2);
    expect(c.stderr).toContain(
      `error: levels do not match: run ${b} (vllm #2) has c=1 rate=inf, c=2 rate=inf but run ${a} (vllm #1) has c=2 rate=inf; extra c=1 rate=inf\n`,
    );
  }, 120_000);
});
