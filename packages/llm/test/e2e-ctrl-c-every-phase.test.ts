import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { collect, runIdOf, type Sandbox, sandbox, startBench, waitForStderr } from './e2e-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 14: every wait of a run honours Ctrl-C: warm-up, gate, window and drain of a launched simulator
// run each end within 2 s of the first SIGINT, exit 4, the run stored as aborted.
type Phase = 'warm-up' | 'gate' | 'window' | 'drain';
const DURATION_S = 4;

describe('Ctrl-C in each phase of a launched sim run', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.cleanup();
  });

  it.each<[Phase, string, number]>([
    ['warm-up', 'warm-up', 300],
    ['gate', ' gate', 300],
    ['window', 'measuring', 2000],
    // The drain is its own phase on the progress line once the window ends with measured requests in flight.
    ['drain', 'draining', 50],
  ])('%s: exit 4 within 2 s', async (_phase, line, afterMs) => {
    const box = sandbox();
    boxes.push(box);
    const env = { ...process.env, INFERENCEBENCH_HOME: box.home, INFERENCEBENCH_PLUGIN_MODULES: '' };
    const child = startBench(
      [
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
        '16',
        '--rate',
        'inf',
        '--duration',
        String(DURATION_S),
        '--warmup-runs',
        '1',
        '--gate-window',
        '30',
        '--gate-cov',
        '0.0001',
        '--gate-timeout',
        '2',
        '--input-len',
        '32',
        // Long enough answers (about 3 s each at c=16) that the drain outlasts the 50 ms the test waits
        // past its start on a slow machine; with 128 tokens a run could finish before the signal.
        '--output-len',
        '384',
        '--power-source',
        'none',
      ],
      env,
    );
    const done = collect(child, 60_000);
    await waitForStderr(child, line);
    await sleep(afterMs);
    const sentAt = performance.now();
    child.kill('SIGINT');
    const r = await done;
    const exitMs = performance.now() - sentAt;
    console.log(`${_phase}: exit ${r.code} ${exitMs.toFixed(0)} ms after the SIGINT`);
    expect(r.code, r.stderr).toBe(4);
    expect(exitMs).toBeLessThan(2000);
    // Read from the store itself: this checks the run, not `runs show` on a pipe.
    const db = new Database(join(box.home, 'store.sqlite'), { readonly: true });
    try {
      const run = db.prepare('SELECT status FROM runs WHERE id = ?').get(runIdOf(r)) as { status: string };
      expect(run.status).toBe('aborted');
    } finally {
      db.close();
    }
  });
});
