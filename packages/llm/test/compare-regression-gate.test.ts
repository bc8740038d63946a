import { afterAll, describe, expect, it } from 'vitest';
import { benchWithFakes, type CompareDoc, compareRunArgs } from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

const runId = (stdout: string): string => (JSON.parse(stdout) as { run_id: string }).run_id;
const BOUNDS = 'tpot_p50_ms>+5%,throughput_tok_s<-3%';

// Issue 12 "Done when": the gate exits 1 on an injected 20% TPOT regression and 0 on a rerun of the same config.
describe('bench compare --baseline RUN RUN --fail-if', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('exits 1 on a 20% TPOT regression, 0 on a rerun, 2 on a bad bound', async () => {
    const json = ['--format', 'json'];
    const base = await benchWithFakes(compareRunArgs('vllm', json), home.dir, { vllm: 10 });
    assertExit(base);
    // The same plan, but the engine build got 20% slower per token.
    const slower = await benchWithFakes(compareRunArgs('vllm', json), home.dir, { vllm: 12 });
    assertExit(slower);
    const rerun = await benchWithFakes(compareRunArgs('vllm', json), home.dir, { vllm: 10 });
    assertExit(rerun);
    const [b, s, same] = [runId(base.stdout), runId(slower.stdout), runId(rerun.stdout)];

    const failed = await benchWithFakes(
      ['compare', '--baseline', b, s, '--fail-if', BOUNDS, '--format', 'json'],
      home.dir,
    );
    assertExit(failed, 1);
    const doc = JSON.parse(failed.stdout) as CompareDoc;
    expect(doc.gate?.passed).toBe(false);
    expect(doc.gate?.failed.map((f) => f.bound)).toContain('tpot_p50_ms>+5%');
    const t = doc.rows.find((r) => r.metric === 'tpot_p50_ms')!;
    // 12 ms / 10 ms, within what timer lateness on a loaded 2-core machine can move it.
    expect(t.ratio.value).toBeGreaterThan(1.16);
    expect(t.ratio.value).toBeLessThan(1.24);
    expect(t.gate).toEqual([{ bound: 'tpot_p50_ms>+5%', passed: false }]);

    const table = await benchWithFakes(['compare', '--baseline', b, s, '--fail-if', BOUNDS], home.dir);
    assertExit(table, 1);
    expect(table.stdout).toMatch(/tpot_p50_ms .* FAIL tpot_p50_ms>\+5%/);
    expect(table.stdout).toContain('Gate: FAILED');

    const passed = await benchWithFakes(
      ['compare', '--baseline', b, same, '--fail-if', BOUNDS, '--format', 'json'],
      home.dir,
    );
    assertExit(passed, 0);
    expect((JSON.parse(passed.stdout) as CompareDoc).gate?.passed).toBe(true);

    const bad = await benchWithFakes(['compare', '--baseline', b, same, '--fail-if', 'tpot>5'], home.dir);
    assertExit(bad, 2);
    expect(bad.stderr).toMatch(
      /^error: invalid --fail-if bound 'tpot>5': expected METRIC>\+N% or METRIC<-N%\nhint: /,
    );
    expect(bad.stdout).toBe('');
  }, 180_000);
});
