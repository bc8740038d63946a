/**
 * Engine records for reaping orphans (issue 14): each launched engine group is recorded in
 * `<store dir>/engines/<pgid>.json` with its leader's start time (from /proc) and the benchmark's pid, and
 * the record is removed once the group is stopped. The next launch reaps a recorded group only when it is
 * provably ours: the leader still has the recorded pid, start time and command, and the benchmark that
 * started it is gone. Anything else (a reused pid, another user's process) is left alone and the stale
 * record dropped. The watchdog (process.ts) normally stops the engine first; this covers a watchdog that
 * was itself killed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupAlive, killGroup } from './process.js';

interface EngineRecord {
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
  startTicks: string;
  argv0: string;
  benchPid: number;
}

/** The leader's start time and argv[0], or null when there is no such process (or no /proc). */
function processIdentity(pid: number): { startTicks: string; argv0: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return startTicks ? { startTicks, argv0 } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records a launched engine group; returns the function that removes the record. */
export function recordEngine(dir: string, pgid: number): () => void {
  const id = processIdentity(pgid);
  if (id === null) return () => {};
  const file = join(dir, `${pgid}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    const rec: EngineRecord = { pgid, startTicks: id.startTicks, argv0: id.argv0, benchPid: process.pid };
    writeFileSync(file, JSON.stringify(rec));
  } catch {
    return () => {};
  }
  return () => rmSync(file, { force: true });
}

/** Stops recorded engine groups whose benchmark is gone and that are provably ours; returns their pgids. */
export async function reapOrphans(dir: string, graceMs = 5000): Promise<number[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const reaped: number[] = [];
  for (const f of files) {
    const file = join(dir, f);
    let rec: EngineRecord;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as EngineRecord;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (alive(rec.benchPid)) continue; // its benchmark (maybe this one) is still running
    const now = processIdentity(rec.pgid);
    const ours = now !== null && now.startTicks === rec.startTicks && now.argv0 === rec.argv0;
    if (ours && groupAlive(rec.pgid)) {
      killGroup(rec.pgid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(rec.pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (groupAlive(rec.pgid)) killGroup(rec.pgid, 'SIGKILL');
      reaped.push(rec.pgid);
    }
    rmSync(file, { force: true });
  }
  return reaped;
}
