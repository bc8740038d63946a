import { afterAll, describe, expect, it } from 'vitest';
import {
  benchEnv,
  collect,
  engineGone,
  fakePid,
  runArgs,
  type Sandbox,
  sandbox,
  startBench,
  waitForStderr,
} from './e2e-helpers.js';
import { groupAlive } from './fixtures/engines/helpers.js';

// Issue 14: the engine dies with the benchmark however the benchmark dies. SIGKILL runs no handler in the
// CLI, so the watchdog (a separate process holding a pipe from the CLI) must stop the engine's group.
describe('SIGKILL of the benchmark (fake vllm)', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.cleanup();
  });

  it('while measuring: the engine group is gone within the watchdog grace', async () => {
    const box = sandbox();
    boxes.push(box);
    const child = startBench(runArgs('vllm', ['--duration', '60', '--power-source', 'none']), benchEnv(box));
    const done = collect(child, 40_000);
    await waitForStderr(child, 'measuring');
    expect(groupAlive(fakePid(box))).toBe(true);
    child.kill('SIGKILL');
    await done;
    // SIGTERM at once, SIGKILL after the 5 s grace: well within 8 s on a loaded machine.
    expect(await engineGone(box, 8000)).toBe(true);
  });
});
