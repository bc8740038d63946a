import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTimedServer } from './driver-helpers.js';
import { BIN, e2eHome, runBench } from './e2e-cli.js';
import { attachArgs, startFailingServer } from './failing-server.js';

/**
 * Issue 12, "results rebuilt from the store": `bench runs show --format json`, in a fresh process,
 * recomputes every level from the stored request records (one pure function) and must print exactly what
 * the run printed with `--format json`: every metric, every CI, every flag and the summary, to the last
 * digit. To prove it recomputes rather than echoes, the stored level documents are overwritten with
 * nonsense first; the records and the level facts (`inputs`) are all it may use.
 */

interface Doc {
  run_id: string;
  levels: { metrics: Record<string, { value: number | null; ci95?: [number, number] | null }> }[];
  summary: unknown;
}

const Database = createRequire(join(import.meta.dirname, '../../core/package.json'))(
  'better-sqlite3',
) as new (
  path: string,
) => { prepare(sql: string): { run(...a: unknown[]): unknown }; close(): void };

/** Overwrite every stored metric value with -1 (the level facts and records stay). */
function vandalise(store: string, runId: string): void {
  const db = new Database(store);
  db.prepare(
    `UPDATE levels SET data = json_set(data, '$.metrics.ttft_p50_ms.value', -1, '$.metrics.throughput_tok_s.value', -1, '$.slo.holds', json('false'))
     WHERE run_id = ?`,
  ).run(runId);
  db.prepare(`UPDATE runs SET summary = json('{"vandalised": true}') WHERE id = ?`).run(runId);
  db.close();
}

/**
 * `bench ARGS` with stdout written to a file (a file, not a pipe: these documents are larger than a pipe's
 * buffer, and how stdout drains on exit is not what this test is about).
 */
async function benchToFile(args: string[], home: string, file: string): Promise<{ stdout: string }> {
  const fd = openSync(file, 'w');
  let stderr = '';
  // Asynchronous: the test servers run in this process and must keep answering meanwhile.
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, INFERENCEBENCH_HOME: home, INFERENCEBENCH_PLUGIN_MODULES: '' },
    stdio: ['ignore', fd, 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  closeSync(fd);
  if (code !== 0) throw new Error(`bench ${args.join(' ')} exited ${code}: ${stderr}`);
  return { stdout: readFileSync(file, 'utf8') };
}

describe('the store reproduces the printout', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  const check = async (args: string[], store: string): Promise<Doc> => {
    const r = await benchToFile(
      [...args, '--format', 'json', '--quiet'],
      home.dir,
      join(home.dir, 'run.json'),
    );
    const printed = JSON.parse(r.stdout) as Doc;
    vandalise(store, printed.run_id);
    const show = await benchToFile(
      ['runs', 'show', printed.run_id, '--store', store, '--format', 'json'],
      home.dir,
      join(home.dir, 'show.json'),
    );
    const shown = JSON.parse(show.stdout) as Doc;
    // Digit for digit: the same JSON text for every level and the summary.
    expect(JSON.stringify(shown.levels)).toBe(JSON.stringify(printed.levels));
    expect(JSON.stringify(shown.summary)).toBe(JSON.stringify(printed.summary));
    // And the table of `runs show` is the run's table.
    const table = await runBench(['runs', 'show', printed.run_id, '--store', store], home.dir);
    expect(table.stdout).not.toContain('-1.00');
    return printed;
  };

  it('for a sweep with errors', async () => {
    // Every seventh streaming request answers 500: about 14% errors, allowed with --max-error-rate 0.5.
    const server = await startFailingServer({ ok: (n) => n % 7 !== 3, status: 500, tokens: 6 });
    const store = join(home.dir, 'sweep.sqlite');
    const doc = await check(
      attachArgs(server.baseUrl, store, [
        '--concurrency',
        '1,2,3',
        '--rate',
        'auto',
        '--duration',
        '1.5',
        '--warmup-runs',
        '1',
        '--gate-window',
        '4',
        '--gate-cov',
        '0.9',
        '--gate-timeout',
        '3',
        '--max-error-rate',
        '0.5',
      ]),
      store,
    );
    await server.close();
    const errors = doc.levels.map(
      (l) => (l as unknown as { requests: { errors: Record<string, number> } }).requests,
    );
    expect(errors.some((e) => (e.errors.http_error ?? 0) > 0)).toBe(true);
    // Every distribution metric carries a CI and all of them were compared.
    expect(Object.keys(doc.levels[0]!.metrics).length).toBeGreaterThan(30);
    expect(doc.levels[0]!.metrics.ttft_p99_ms!.ci95).toHaveLength(2);
  });

  it('for a goodput search', async () => {
    // One request at a time, ~16 ms each, and every 20th fails: the search brackets then bisects.
    const server = await startTimedServer({
      ttftMs: 10,
      gapMs: 2,
      tokens: 4,
      capacity: 1,
      faults: [...Array.from({ length: 19 }, () => 'none' as const), 'http500'],
    });
    const store = join(home.dir, 'search.sqlite');
    const doc = await check(
      attachArgs(server.baseUrl, store, [
        '--concurrency',
        '16',
        '--rate',
        '10',
        '--search',
        'goodput',
        '--duration',
        '1',
        '--warmup-runs',
        '0',
        '--gate-timeout',
        '0',
        '--drain-timeout',
        '2',
        '--max-error-rate',
        '0.5',
      ]),
      store,
    );
    await server.close();
    const summary = doc.summary as { search: { probes: unknown[]; rate_req_s: number | null } };
    expect(summary.search.probes.length).toBeGreaterThan(2);
    expect(doc.levels.length).toBe(summary.search.probes.length);
  });
});
