/**
 * A full disk under the store (SQLITE_FULL, ENOSPC). A run that meets one stops, is marked failed with
 * what was written, and says so in one line. Marking it needs a few pages of free space on a disk that
 * has none, so every run holds a small reserve file beside the store and deletes it when the disk fills.
 */
import { closeSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BenchError } from './errors.js';

/** Room kept for the last writes of a run whose disk filled: its level document, summary and status. */
export const RESERVE_BYTES = 512 * 1024;

/** True for SQLite's and the OS's "no space left". */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  return (
    e.code === 'SQLITE_FULL' ||
    e.code === 'ENOSPC' ||
    (typeof e.message === 'string' && /database or disk is full|no space left/i.test(e.message))
  );
}

export interface SpaceReserve {
  /** Frees the reserved space (idempotent). */
  release(): void;
}

/**
 * Reserves RESERVE_BYTES in a file beside `storePath` (a file store only). Best effort: a disk too full
 * for the reserve gives none, and the store's own writes report the full disk.
 */
export function reserveSpace(storePath: string): SpaceReserve {
  if (/^[a-z]+:\/\//i.test(storePath) || storePath === ':memory:') return { release: () => {} };
  removeStaleReserves(storePath);
  const path = `${storePath}.${process.pid}.reserve`;
  let held = false;
  try {
    const fd = openSync(path, 'w');
    held = true;
    try {
      writeSync(fd, Buffer.alloc(RESERVE_BYTES));
    } finally {
      closeSync(fd);
    }
  } catch {
    // No room even for this: nothing more to give back later than what was written.
  }
  return {
    release() {
      if (!held) return;
      held = false;
      try {
        unlinkSync(path);
      } catch {}
    },
  };
}

/** Reserves left by runs whose process was killed (SIGKILL gives no chance to delete them). */
function removeStaleReserves(storePath: string): void {
  const prefix = `${basename(storePath)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(storePath));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.reserve')) continue;
    const pid = Number(name.slice(prefix.length, -'.reserve'.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    try {
      unlinkSync(join(dirname(storePath), name));
    } catch {}
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

/** The one-line error of a run stopped by a store write failure (exit 5). */
export function storeWriteError(
  err: unknown,
  o: { storePath: string; runId: string; requestsWritten: number | null; marked: boolean },
): BenchError {
  const full = isDiskFull(err);
  // The store's own coded errors (a PostgreSQL server that went away) already say what and what to do.
  if (!full && err instanceof BenchError && err.code === 'BENCH_ERR_STORE') return err;
  const what = full
    ? `the disk under the store is full (${o.storePath})`
    : `writing to the store failed (${o.storePath}): ${err instanceof Error ? err.message : String(err)}`;
  const kept =
    o.requestsWritten === null
      ? 'what was written is kept'
      : `${o.requestsWritten} request records were written`;
  return new BenchError(
    'BENCH_ERR_STORE',
    `${what}: run ${o.runId} stopped${o.marked ? ' and marked failed' : ''}; ${kept}`,
    {
      hint: `${full ? 'free space on that disk or give --store a path on another one' : 'check the disk and the store file'}; bench runs show ${o.runId}`,
      cause: err,
    },
  );
}
