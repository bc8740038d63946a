import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';

/** Process groups of engines still running, killed synchronously if this process exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * The watchdog: a small Node process of its own (own process group, deaf to terminal signals) that holds
 * a pipe from this process and is told each engine group as it starts and stops. When this process dies in
 * any way, SIGKILL included, the pipe closes and the watchdog SIGTERMs every group it still watches, then
 * SIGKILLs what is left after a grace period, and exits. So an engine never outlives the benchmark.
 */
const WATCHDOG_SOURCE = `
const groups = new Set();
let buf = '';
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(s, () => {});
const alive = (g) => { try { process.kill(-g, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
let reaping = false;
function reap() {
  if (reaping) return;
  reaping = true;
  for (const g of groups) { try { process.kill(-g, 'SIGTERM'); } catch {} }
  const deadline = Date.now() + Number(process.argv[1]);
  const tick = () => {
    for (const g of [...groups]) if (!alive(g)) groups.delete(g);
    if (groups.size === 0) process.exit(0);
    if (Date.now() > deadline) {
      for (const g of groups) { try { process.kill(-g, 'SIGKILL'); } catch {} }
      process.exit(0);
    }
    setTimeout(tick, 50);
  };
  tick();
}
process.stdin.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
    const [cmd, id] = buf.slice(0, i).split(' ');
    buf = buf.slice(i + 1);
    if (cmd === 'watch') groups.add(Number(id)); else groups.delete(Number(id));
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;
/** How long the watchdog waits after SIGTERM before it SIGKILLs an orphaned engine group. */
export const WATCHDOG_GRACE_MS = 5000;
let watchdog: ChildProcess | null = null;

/** Tell the watchdog (started on first use) to watch or forget a process group. */
function tellWatchdog(cmd: 'watch' | 'forget', pgid: number): void {
  if (watchdog === null) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(WATCHDOG_GRACE_MS)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.on('error', () => {});
    watchdog.stdin?.on('error', () => {});
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${cmd} ${pgid}\n`);
}

/** The watchdog's pid, or null before the first engine (for tests). */
export function watchdogPid(): number | null {
  return watchdog?.pid ?? null;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL every engine group we still own, so that neither a
  // crash nor process.exit() after Ctrl-C leaves a GPU-holding engine behind.
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

/** Send a signal to a whole process group; false when the group no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Does any process of the group still exist? */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but belongs to someone else: still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A free TCP port on `host`, found by binding port 0 and closing it again. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The last `lines` non-empty lines of a log file ('' if unreadable). */
export function logTail(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/** A launched engine process: its own process group, output appended to a log file. */
export interface EngineProcess {
  child: ChildProcess;
  pid: number;
  logPath: string;
  /** Resolves with the exit code/signal when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line matching `re` (for the simulator's listening line). */
  waitForLine(re: RegExp): Promise<RegExpMatchArray>;
  /** SIGTERM the group, SIGKILL after `graceMs`; resolves when the group is gone. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Spawn `argv` detached (its own process group, so stop() reaches its workers), environment passed
 * through, stdout and stderr to `logPath`. Rejects with the spawn error (ENOENT...).
 */
export async function spawnEngine(argv: string[], logPath: string): Promise<EngineProcess> {
  installExitHook();
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('empty command');
  const fd = openSync(logPath, 'a');
  // stdout is piped so the simulator's "listening on" line can be read; it is also copied to the log.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', fd], env: process.env });
  closeSync(fd);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  const pid = child.pid as number;
  liveGroups.add(pid);
  tellWatchdog('watch', pid);
  const logFd = openSync(logPath, 'a');
  const lineWaiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    try {
      writeSync(logFd, chunk);
    } catch {
      // A full disk must not take the benchmark down with it.
    }
    if (lineWaiters.length === 0) return;
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      for (let i = lineWaiters.length - 1; i >= 0; i--) {
        const w = lineWaiters[i] as (typeof lineWaiters)[number];
        const m = line.match(w.re);
        if (m) {
          lineWaiters.splice(i, 1);
          w.resolve(m);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  void exited.then(() => {
    // Give stdout a moment to drain into the log before closing it.
    setTimeout(() => {
      try {
        closeSync(logFd);
      } catch {
        // already closed
      }
    }, 50);
  });
  let stopping: Promise<void> | null = null;
  return {
    child,
    pid,
    logPath,
    exited,
    waitForLine: (re) => new Promise((resolve) => lineWaiters.push({ re, resolve })),
    stop(graceMs: number) {
      stopping ??= stopGroup(pid, exited, graceMs);
      return stopping;
    },
  };
}

async function stopGroup(pgid: number, exited: Promise<unknown>, graceMs: number): Promise<void> {
  killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  const timer = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Wait for the leader, then for the rest of the group (workers may take longer than the leader).
  await Promise.race([exited, timer(graceMs)]);
  while (groupAlive(pgid) && Date.now() < deadline) await timer(50);
  if (groupAlive(pgid)) {
    killGroup(pgid, 'SIGKILL');
    while (groupAlive(pgid) && Date.now() < deadline + 5000) await timer(20);
  }
  await Promise.race([exited, timer(1000)]);
  liveGroups.delete(pgid);
  if (!groupAlive(pgid)) tellWatchdog('forget', pgid);
}
