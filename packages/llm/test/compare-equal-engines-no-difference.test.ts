import { afterAll, describe, expect, it } from 'vitest';
import { benchWithFakes, type CompareDoc, compareRunArgs, type GroupDoc, row } from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

// Issue 12 "Done when": two engines of equal speed (TPOT 10 ms each) are not told apart.
describe('bench compare on two equally fast engines', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('says "no significant difference" for TPOT, with a ratio CI around 1', async () => {
    const tpot = { vllm: 10, sglang: 10 };
    const r = await benchWithFakes(
      compareRunArgs('vllm,sglang', ['--launches', '3', '--format', 'json']),
      home.dir,
      tpot,
    );
    assertExit(r);
    const group = JSON.parse(r.stdout) as GroupDoc;
    const c = await benchWithFakes(['compare', group.group_id, '--format', 'json'], home.dir);
    assertExit(c);
    const doc = JSON.parse(c.stdout) as CompareDoc;
    // TPOT comes from the server's token counts; chunk gaps (ITL) also move with the client's own load.
    for (const metric of ['tpot_p50_ms', 'tpot_p90_ms']) {
      const t = row(doc, metric);
      expect(t.verdict, metric).toBe('no significant difference');
      expect(t.ratio.ci95[0], metric).toBeLessThanOrEqual(1);
      expect(t.ratio.ci95[1], metric).toBeGreaterThanOrEqual(1);
    }
    // The median is near 1 itself; a tail of ~30 requests per launch moves with the machine's load.
    expect(row(doc, 'tpot_p50_ms').ratio.value).toBeCloseTo(1, 1);
  }, 240_000);
});
