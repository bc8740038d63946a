import { afterAll, describe, expect, it } from 'vitest';
import {
  benchEnv,
  collect,
  engineGone,
  fakePid,
  measuredOk,
  runArgs,
  runIdOf,
  type Sandbox,
  sandbox,
  showRun,
  startBench,
  waitForStderr,
} from './e2e-helpers.js';
import { groupAlive } from './fixtures/engines/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 6: "leaves no process behind, including after Ctrl-C"; SPEC §12: an interrupted run is marked
// `aborted` with what it had. SIGINT goes to the CLI only, as a terminal's Ctrl-C does: the engine runs in
// its own process group, so taking it down is the benchmark's job.
describe('Ctrl-C during a vllm run (fake vllm)', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.cleanup();
  });

  const startLongRun = (box: Sandbox) =>
    startBench(runArgs('vllm', ['--duration', '60', '--power-source', 'none']), benchEnv(box));

  it.concurrent('one SIGINT while measuring: exit 4, run aborted, measured records kept, engine gone', async () => {
    const box = sandbox();
    boxes.push(box);
    const child = startLongRun(box);
    const done = collect(child, 40_000);
    await waitForStderr(child, 'measuring');
    // Let a few measured requests finish (about 0.2 s each at concurrency 2) before interrupting.
    await sleep(2000);
    expect(groupAlive(fakePid(box))).toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('SIGINT: stopping the run');
    expect(await engineGone(box)).toBe(true);

    const doc = await showRun(runIdOf(r), benchEnv(box));
    expect(doc.status).toBe('aborted');
    expect(measuredOk(doc)).toBeGreaterThan(0);
    // The level measured so far is stored, flagged as cut short.
    expect(doc.levels).toHaveLength(1);
    expect(doc.levels[0]!.flags.aborted).toBe(true);
    expect(doc.levels[0]!.requests.measured).toBeGreaterThan(0);
  });

  it.concurrent('a second SIGINT exits at once: still exit 4 and no engine process left', async () => {
    const box = sandbox();
    boxes.push(box);
    const child = startLongRun(box);
    const done = collect(child, 40_000);
    await waitForStderr(child, 'measuring');
    await sleep(1000);
    child.kill('SIGINT');
    await sleep(50);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(4);
    // process.exit() skips the plugin's cleanup; the engines module's exit hook SIGKILLs the group.
    expect(await engineGone(box)).toBe(true);
    const doc = await showRun(runIdOf(r), benchEnv(box));
    expect(doc.status).toBe('aborted');
  });
});
