import { afterAll, describe, expect, it } from 'vitest';
import { benchWithFakes, compareRunArgs, fakeLaunches, type GroupDoc } from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

const runId = (stdout: string): string => (JSON.parse(stdout) as { run_id: string }).run_id;

// Issue 12 "Done when": with 2 launches a cross-engine comparison is refused, naming what is missing.
describe('cross-engine comparison with too few launches', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('bench run --engine vllm,sglang --launches 2 is refused before anything is launched', async () => {
    const r = await benchWithFakes(compareRunArgs('vllm,sglang', ['--launches', '2']), home.dir);
    assertExit(r, 2);
    expect(r.stderr).toMatch(
      /^error: --launches 2 is too few to compare vllm vs sglang: .*>= 3 independent launches/m,
    );
    expect(r.stderr).toMatch(/^hint: .*--launches 3/m);
    expect(fakeLaunches(home.dir)).toEqual([]);
  });

  it('bench compare names the engine, its launch count and the repeated seeds', async () => {
    const v = await benchWithFakes(compareRunArgs('vllm', ['--launches', '2', '--format', 'json']), home.dir);
    assertExit(v);
    const vGroup = JSON.parse(v.stdout) as GroupDoc;
    expect(vGroup.launches.map((l) => l.seed)).toEqual([42, 43]);
    // Two sglang runs with the same seed are not independent launches.
    const s1 = await benchWithFakes(compareRunArgs('sglang', ['--format', 'json']), home.dir);
    const s2 = await benchWithFakes(compareRunArgs('sglang', ['--format', 'json']), home.dir);
    assertExit(s1);
    assertExit(s2);
    const [a, b] = [runId(s1.stdout), runId(s2.stdout)];
    const c = await benchWithFakes(['compare', vGroup.group_id, `${a},${b}`], home.dir);
    assertExit(c, 2);
    const [v1, v2] = vGroup.sides[0]!.runs;
    expect(c.stderr).toContain(
      `error: cannot compare vllm with sglang: a cross-engine comparison needs >= 3 independent launches per engine with distinct seeds; vllm has 2 launches (${v1}, ${v2}), needs 1 more; sglang has 2 launches (${a}, ${b}), needs 1 more; sglang: seed 42 repeats in runs ${a}, ${b}\n`,
    );
    expect(c.stderr).toMatch(/^hint: .*--engine vllm,sglang --launches 3/m);
    expect(c.stdout).toBe('');
  }, 180_000);
});
