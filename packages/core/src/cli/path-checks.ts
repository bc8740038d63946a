import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BenchError } from '../errors.js';

/**
 * Checks of the paths a command writes to, made before anything starts: a bad `--store` or `--output`
 * costs one line and exit 2, never an engine start, a run record or a hang. (Node's recursive mkdir
 * loops forever under /proc, so missing directories are created here one level at a time.)
 */

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Store locations that are not files (a database server URL): nothing to check here. */
function isUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return null;
    throw new BenchError('BENCH_ERR_STORE_PATH', `cannot look at ${path} (${errnoOf(err)})`, {
      hint: 'check the path and the permissions of its directories',
    });
  }
}

/**
 * Make sure `dir` exists as a writable directory, creating the missing levels one at a time. `what`
 * names the option for the message (`--store`), `target` is the path the user gave.
 */
function ensureWritableDir(dir: string, what: string, target: string, hint: string): void {
  const missing: string[] = [];
  let at = dir;
  let st = statOrNull(at);
  while (st === null) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
    st = statOrNull(at);
  }
  if (st !== null && !st.isDirectory())
    throw new BenchError('BENCH_ERR_STORE_PATH', `${what} ${target}: ${at} is not a directory`, { hint });
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      if (errnoOf(err) === 'EEXIST') continue;
      throw new BenchError(
        'BENCH_ERR_STORE_PATH',
        `${what} ${target}: cannot create the directory ${level} (${errnoOf(err)})`,
        { hint },
      );
    }
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_STORE_PATH',
      `${what} ${target}: the directory ${dir} is not writable (${errnoOf(err)})`,
      { hint },
    );
  }
}

/**
 * The run store file at `path` can be opened for writing: not a directory, its directory exists or can
 * be created and is writable (SQLite's WAL files live beside it), and an existing file is a SQLite
 * database. Throws BENCH_ERR_STORE_PATH (exit 2); URLs (a database server) pass unchecked.
 */
export function checkStorePath(path: string): void {
  if (isUrl(path)) return;
  const full = resolve(path);
  const hint = 'give --store a file path in a writable directory (or set $INFERENCEBENCH_HOME)';
  const st = statOrNull(full);
  if (st?.isDirectory())
    throw new BenchError('BENCH_ERR_STORE_PATH', `--store ${full} is a directory, not a store file`, {
      hint: `e.g. --store ${full.replace(/\/+$/, '')}/store.sqlite`,
    });
  if (st !== null && !st.isFile())
    throw new BenchError('BENCH_ERR_STORE_PATH', `--store ${full} is not a regular file`, { hint });
  ensureWritableDir(dirname(full), '--store', full, hint);
  if (st === null) return;
  try {
    accessSync(full, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new BenchError('BENCH_ERR_STORE_PATH', `--store ${full} is not writable (${errnoOf(err)})`, {
      hint,
    });
  }
  if (st.size === 0) return;
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(full, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC)
    throw new BenchError('BENCH_ERR_STORE_PATH', `--store ${full} is not a SQLite database`, {
      hint: 'point --store at a run store (or at a new file name to start one)',
    });
}

/** `--output FILE` can be written: not a directory, in a writable directory (created when missing). */
export function checkOutputPath(path: string): void {
  const full = resolve(path);
  const hint = 'give --output a file path in a writable directory';
  const st = statOrNull(full);
  if (st?.isDirectory())
    throw new BenchError('BENCH_ERR_STORE_PATH', `--output ${full} is a directory`, {
      hint: `e.g. --output ${full.replace(/\/+$/, '')}/result.json`,
    });
  ensureWritableDir(dirname(full), '--output', full, hint);
  if (st !== null) {
    try {
      accessSync(full, constants.W_OK);
    } catch (err) {
      throw new BenchError('BENCH_ERR_STORE_PATH', `--output ${full} is not writable (${errnoOf(err)})`, {
        hint,
      });
    }
  }
}
