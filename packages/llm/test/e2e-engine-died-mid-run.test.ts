import { afterAll, describe, expect, it } from 'vitest';
import {
  benchEnv,
  engineGone,
  measuredOk,
  runArgs,
  runBench,
  runIdOf,
  sandbox,
  showRun,
} from './e2e-helpers.js';

// Issue 6, engine death mid-run: detected, the run stops, keeps what was measured, is marked `failed`
// with the tail of the engine's log in the error, exit code 3 (SPEC §2).
describe('the engine dies during the measurement window (fake vllm)', () => {
  const box = sandbox();
  afterAll(() => box.cleanup());

  it('exits 3, marks the run failed with the log tail, keeps measured records, leaves no process', async () => {
    // The fake passes this to the simulator as --die-after-s: counted from the engine's start, it lands
    // after readiness (about 1.5 s), the warm-up (about 1 s) and the gate (at most 2 s), inside the 60 s window.
    const env = benchEnv(box, { FAKE_ENGINE_DIE_AFTER_S: '8' });
    const started = performance.now();
    const r = await runBench(runArgs('vllm', ['--duration', '60', '--power-source', 'none']), env, 40_000);
    const elapsedS = (performance.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(3);
    // Stopped on the death, not at the end of the 60 s window (or the drain after it).
    expect(elapsedS).toBeLessThan(30);
    expect(r.stderr).toMatch(
      /error: vllm (exited \(code \d+\)|failed \d+ health checks in a row) during the run/,
    );
    expect(r.stderr).toContain('last lines of engine-vllm-1.log');
    expect(r.stderr).toContain('dying after 8 s');
    expect(r.stderr).toMatch(/hint: full log: \S+engine-vllm-1\.log/);

    const doc = await showRun(runIdOf(r), env);
    expect(doc.status).toBe('failed');
    // The stored error carries the engine's last words, not only "it died".
    expect(doc.error).toContain('last lines of engine-vllm-1.log');
    expect(doc.error).toContain('dying after 8 s');
    expect(measuredOk(doc)).toBeGreaterThan(0);
    expect(doc.levels).toHaveLength(1);
    expect(doc.levels[0]!.flags.aborted).toBe(true);
    // Requests cut off by the death are counted as failures, never dropped.
    const level = doc.levels[0]!.requests;
    const errors = Object.values(level.errors).reduce((a, b) => a + b, 0);
    expect(level.ok + errors).toBe(level.measured);

    expect(await engineGone(box, 500)).toBe(true);
  });
});
