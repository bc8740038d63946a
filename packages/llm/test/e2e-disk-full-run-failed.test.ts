import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from './e2e-cli.js';

// Issue 14 "Disk full": the store on a 2 MB tmpfs. One line and a hint, exit 5, the run marked failed with
// what was written, the engine stopped, the store intact. Needs root (mount); elsewhere the skip says so.
const dir = mkdtempSync(join(tmpdir(), 'ib-disk-full-'));
function mountTmpfs(): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mounted = process.platform === 'linux' && mountTmpfs();

afterAll(() => {
  if (mounted) execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe.skipIf(!mounted)('store on a full disk (needs root to mount a 2 MB tmpfs)', () => {
  beforeAll(() => {
    // Leave about 1.1 MB (the 512 KB reserve, the schema, a few batches of full-precision rows): the store
    // fills within seconds, with few enough records that the level's
    // statistics are quick.
    writeFileSync(join(dir, 'filler'), Buffer.alloc(900 * 1024));
  });

  it('exits 5 with one line and a hint; run failed with its records; engine stopped; store intact', async () => {
    const store = join(dir, 'store.sqlite');
    const args = [
      'run',
      'llm.inference',
      '--engine',
      'sim',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--tokenizer',
      'words',
      '--dataset',
      'synthetic',
      '--concurrency',
      '32',
      '--rate',
      'inf',
      '--duration',
      '120',
      '--warmup-runs',
      '1',
      '--gate-timeout',
      '1',
      '--input-len',
      '16',
      '--output-len',
      '8',
      '--power-source',
      'none',
      '--store',
      store,
    ];
    const r = await runBench(args, dir, { timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(5);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /the disk under the store is full .*stopped and marked failed; \d+ request records/,
    );
    expect(r.stderr).toMatch(/\nhint: free space on that disk/);
    expect(r.stderr).not.toMatch(/SqliteError|\n\s+at /);

    const db = new Database(store, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const run = db.prepare('SELECT id, status, error FROM runs').get() as { status: string; error: string };
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/disk is full/);
      const n = (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
      expect(n, r.stderr).toBeGreaterThan(100);
      expect(errors[0]).toContain(`; ${n} request records`);
    } finally {
      db.close();
    }
    // The simulator the run launched is gone.
    const port = Number(/ready after [\d.]+ s at http:\/\/127\.0\.0\.1:(\d+)/.exec(r.stderr)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await portOpen(port)).toBe(false);
  }, 120_000);
});
