import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { e2eHome, runBench } from './e2e-cli.js';
import { attachArgs, startFailingServer } from './failing-server.js';

interface Doc {
  status: string;
  error: string | null;
  levels: { requests: { measured: number; ok: number }; notes: string[]; valid: boolean }[];
}

describe('a run whose requests fail is failed, never complete (SPEC §14)', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  const show = async (store: string): Promise<Doc> => {
    const list = await runBench(['runs', 'list', '--store', store, '--format', 'json'], home.dir);
    const id = (JSON.parse(list.stdout) as { run_id: string }[])[0]!.run_id;
    return JSON.parse(
      (await runBench(['runs', 'show', id, '--store', store, '--format', 'json'], home.dir)).stdout,
    );
  };

  it('a level whose first 20 measured requests all fail stops at once; the run is failed, exit 3', async () => {
    // The probe succeeds, then every request answers 500: a closed loop would send thousands per second.
    const server = await startFailingServer({ ok: (n) => n === 0, status: 500, body: 'engine overloaded' });
    const store = join(home.dir, 'fast.sqlite');
    const t0 = performance.now();
    const r = await runBench(
      attachArgs(server.baseUrl, store, [
        '--concurrency',
        '2,4',
        '--rate',
        'inf',
        '--duration',
        '30',
        '--warmup-runs',
        '0',
        '--gate-timeout',
        '0',
      ]),
      home.dir,
    );
    const posts = server.posts();
    await server.close();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /error: level 1 \(c=2\) stopped: the first 20 measured requests all failed \(last: http_error: HTTP 500: engine overloaded\)\n/,
    );
    // Stopped at once: nowhere near the 30 s window, and the second level never ran.
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(posts).toBeLessThan(40);
    const doc = await show(store);
    expect(doc.status).toBe('failed');
    expect(doc.levels).toHaveLength(1);
    expect(doc.levels[0]!.valid).toBe(false);
    expect(doc.levels[0]!.notes.join('\n')).toMatch(/stopped: the first 20 measured requests all failed/);
  });

  it('fewer than 20 measured requests, none succeeded: failed, exit 3, saying so', async () => {
    const server = await startFailingServer({ ok: (n) => n === 0, status: 500, body: 'nope' });
    const store = join(home.dir, 'none.sqlite');
    const r = await runBench(
      attachArgs(server.baseUrl, store, [
        '--concurrency',
        '1',
        '--rate',
        '4',
        '--duration',
        '1',
        '--warmup-runs',
        '0',
        '--gate-timeout',
        '0',
      ]),
      home.dir,
    );
    await server.close();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /error: no measured request succeeded in 1 level\(s\) \(http_error: HTTP 500: nope\)\n/,
    );
    const doc = await show(store);
    expect(doc.status).toBe('failed');
    expect(doc.levels[0]!.requests.measured).toBeGreaterThan(0);
    expect(doc.levels[0]!.requests.ok).toBe(0);
  });
});
