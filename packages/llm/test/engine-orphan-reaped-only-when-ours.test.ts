// Issue 14: a later run stops an engine a killed benchmark left behind only when it is provably ours:
// the recorded leader pid with the recorded start time and command, and the benchmark that started it gone.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { reapOrphans, recordEngine } from '../src/engines/orphans.js';
import { groupAlive, killGroup } from '../src/engines/process.js';

const started: number[] = [];
afterEach(() => {
  for (const g of started.splice(0)) killGroup(g, 'SIGKILL');
});

function engine(): number {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

/** A pid that no process has now (one that ran and exited). */
const deadPid = () => spawnSync('true').pid;

function recordAs(dir: string, pgid: number, change: Record<string, unknown>): void {
  recordEngine(dir, pgid);
  const file = join(dir, `${pgid}.json`);
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...change }));
}

it('reaps a recorded group whose benchmark is gone; skips a reused pid and a running benchmark', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ib-orphans-'));
  try {
    const orphan = engine();
    const reused = engine();
    const running = engine();
    recordAs(dir, orphan, { benchPid: deadPid() });
    // Same pid, another start time: a different process that got the pid later. Not ours.
    recordAs(dir, reused, { benchPid: deadPid(), startTicks: '1' });
    // Its benchmark (this test process) is alive: not an orphan.
    recordEngine(dir, running);

    expect(await reapOrphans(dir, 2000)).toEqual([orphan]);
    expect(groupAlive(orphan)).toBe(false);
    expect(groupAlive(reused)).toBe(true);
    expect(groupAlive(running)).toBe(true);
    // Stale records go; the live benchmark's record stays.
    expect(await reapOrphans(dir, 2000)).toEqual([]);
    expect(readFileSync(join(dir, `${running}.json`), 'utf8')).toContain(`"benchPid":${process.pid}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
