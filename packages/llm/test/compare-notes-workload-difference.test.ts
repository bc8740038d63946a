import { afterAll, describe, expect, it } from 'vitest';
import { benchWithFakes, compareRunArgs } from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

const runId = (stdout: string): string => (JSON.parse(stdout) as { run_id: string }).run_id;

describe('bench compare of runs that served different loads', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('compares them but says which workload options differ', async () => {
    const short = ['--duration', '1', '--format', 'json'];
    const a = await benchWithFakes(compareRunArgs('vllm', short), home.dir);
    const b = await benchWithFakes(compareRunArgs('vllm', [...short, '--output-len', '12']), home.dir);
    assertExit(a);
    assertExit(b);
    const c = await benchWithFakes(
      ['compare', runId(a.stdout), runId(b.stdout), '--format', 'json'],
      home.dir,
    );
    assertExit(c);
    const notes = (JSON.parse(c.stdout) as { notes: string[] }).notes;
    expect(notes).toContain(
      'the workloads differ (outputLen 8 vs 12): the sides did not serve the same load',
    );
    const table = await benchWithFakes(['compare', runId(a.stdout), runId(b.stdout)], home.dir);
    expect(table.stdout).toContain('Note: the workloads differ (outputLen 8 vs 12)');
  }, 120_000);
});
