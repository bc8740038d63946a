import { afterAll, describe, expect, it } from 'vitest';
import { benchWithFakes, compareRunArgs, fakeLaunches, type GroupDoc } from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

// Config comparisons of one engine use the launch-set machinery: one engine process per config and launch.
describe('bench run --engine vllm --vary quant=fp8,bf16 --launches 1', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('launches vllm once per config with its flags, grouped; compare refuses one launch per config', async () => {
    const r = await benchWithFakes(
      compareRunArgs('vllm', [
        '--vary',
        'quant=fp8,bf16',
        '--launches',
        '1',
        '--duration',
        '1',
        '--format',
        'json',
      ]),
      home.dir,
    );
    assertExit(r);
    const group = JSON.parse(r.stdout) as GroupDoc;
    expect(group.sides.map((s) => s.label)).toEqual(['quant=fp8', 'quant=bf16']);
    expect(group.runs.map((d) => d.plan.quant)).toEqual(['fp8', 'bf16']);
    const argvs = fakeLaunches(home.dir).map((l) => l.argv);
    expect(argvs).toHaveLength(2);
    expect(argvs[0]!.join(' ')).toContain('--quantization fp8');
    expect(argvs[1]!.join(' ')).toContain('--dtype bfloat16');

    // bench compare refuses it as a comparison: one launch per config.
    const c = await benchWithFakes(['compare', group.group_id], home.dir);
    assertExit(c, 2);
    expect(c.stderr).toContain('a cross-config comparison needs >= 3 independent launches per config');
  }, 120_000);
});
