import { readdirSync, readFileSync } from 'node:fs';
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

/** Pids of `node -e <watchdog>` children of `parent`. */
function watchdogsOf(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('\0-e\0'))
        out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('SIGKILL of the benchmark and of its watchdog (fake vllm)', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.cleanup();
  });

  it('the next run finds the orphan it can prove is ours and stops it', async () => {
    const box = sandbox();
    boxes.push(box);
    const child = startBench(runArgs('vllm', ['--duration', '60', '--power-source', 'none']), benchEnv(box));
    const done = collect(child, 40_000);
    await waitForStderr(child, 'measuring');
    const orphan = fakePid(box);
    const dogs = watchdogsOf(child.pid!);
    expect(dogs).toHaveLength(1);
    process.kill(dogs[0]!, 'SIGKILL');
    child.kill('SIGKILL');
    await done;
    await new Promise((r) => setTimeout(r, 500));
    expect(groupAlive(orphan)).toBe(true);
    const next = await collect(
      startBench(runArgs('vllm', ['--power-source', 'none']), benchEnv(box)),
      60_000,
    );
    expect(next.stderr).toContain(`stopped engine process group ${orphan} left behind by an earlier run`);
    expect(groupAlive(orphan)).toBe(false);
  });
});
