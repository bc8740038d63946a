import { afterAll, describe, expect, it } from 'vitest';
import {
  benchWithFakes,
  type CompareDoc,
  compareRunArgs,
  fakeLaunches,
  type GroupDoc,
  row,
} from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

// Issue 12 "Done when", first bullet: engines whose speed is known exactly (TPOT 10 ms vs 15 ms).
describe('bench run --engine vllm,sglang --launches 3, then bench compare GROUP', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());
  const tpot = { vllm: 10, sglang: 15 };

  it('makes 6 interleaved launches with distinct seeds under one group, and compare says sglang is slower by 1.5x', async () => {
    const r = await benchWithFakes(
      compareRunArgs('vllm,sglang', ['--launches', '3', '--format', 'json']),
      home.dir,
      tpot,
    );
    assertExit(r);
    const group = JSON.parse(r.stdout) as GroupDoc;
    expect(group.group_id).toMatch(/^[0-9A-Z]{26}$/);
    expect(group.launches.map((l) => l.side)).toEqual(['vllm', 'sglang', 'vllm', 'sglang', 'vllm', 'sglang']);
    // Each launch a fresh engine process, in the same order.
    expect(fakeLaunches(home.dir).map((l) => l.engine)).toEqual(group.launches.map((l) => l.side));
    for (const side of group.sides) {
      const seeds = group.launches.filter((l) => l.side === side.label).map((l) => l.seed);
      expect(new Set(seeds).size, side.label).toBe(3);
      expect(side.runs).toHaveLength(3);
    }
    expect(group.runs).toHaveLength(6);
    for (const run of group.runs) {
      expect(run.status).toBe('complete');
      expect(run.plan.group_id).toBe(group.group_id);
    }

    const c = await benchWithFakes(['compare', group.group_id.slice(0, 12), '--format', 'json'], home.dir);
    assertExit(c);
    const doc = JSON.parse(c.stdout) as CompareDoc;
    expect(doc.group_id).toBe(group.group_id);
    expect(doc.sides.map((s) => s.label)).toEqual(['vllm', 'sglang']);
    expect(doc.sides[1]!.engine.versions).toEqual(['0.0.0-fixed']);
    const t = row(doc, 'tpot_p50_ms');
    expect(t.verdict).toBe('slower');
    expect(t.ratio.ci95[0]).toBeLessThanOrEqual(1.5);
    expect(t.ratio.ci95[1]).toBeGreaterThanOrEqual(1.5);
    expect(t.sides[0]!.mean).toBeCloseTo(10, 0);
    expect(t.sides[1]!.mean).toBeCloseTo(15, 0);
    // Fewer tokens per second from the slower engine.
    expect(row(doc, 'throughput_tok_s').verdict).toBe('slower');

    const table = await benchWithFakes(['compare', group.group_id], home.dir);
    assertExit(table);
    expect(table.stdout).toMatch(/tpot_p50_ms .* slower/);
    expect(table.stdout).toContain('3 launch(es)');
  }, 240_000);
});
