import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertExit, e2eHome, runBench } from './e2e-cli.js';
import { attachArgs, startFailingServer } from './failing-server.js';

interface Level {
  requests: { measured: number; errors: Record<string, number> };
  metrics: Record<string, { value: number | null }>;
}

describe('the level table and `runs list` (issue 10 §5)', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('prints mean, p50 and p99 of TTFT, TPOT and E2E and the failed count; runs list shows measured requests', async () => {
    // Every tenth request fails (the probe, number 0, succeeds).
    const server = await startFailingServer({ ok: (n) => n % 10 !== 5, status: 500, tokens: 6 });
    const store = join(home.dir, 'table.sqlite');
    const out = join(home.dir, 'table.json');
    const r = await runBench(
      attachArgs(server.baseUrl, store, [
        '--concurrency',
        '2',
        '--rate',
        'inf',
        '--duration',
        '2',
        '--warmup-runs',
        '1',
        '--gate-window',
        '4',
        '--gate-cov',
        '0.9',
        '--gate-timeout',
        '10',
        '--max-error-rate',
        '0.5',
        '--output',
        out,
      ]),
      home.dir,
    );
    await server.close();
    assertExit(r);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { run_id: string; levels: Level[] };
    const l = doc.levels[0]!;
    const failed = Object.values(l.requests.errors).reduce((a, b) => a + b, 0);
    expect(failed).toBeGreaterThan(0);

    const lines = r.stdout.split('\n');
    const loadHeader = lines.findIndex((x) => /^level\s+conc\s+rate req\/s/.test(x));
    const cells = (i: number) => lines[i]!.trim().split(/\s{2,}/);
    const loadCols = cells(loadHeader);
    const loadRow = cells(loadHeader + 1);
    expect(loadRow[loadCols.indexOf('failed')]).toBe(String(failed));
    expect(loadRow[loadCols.indexOf('measured')]).toBe(String(l.requests.measured));

    const latHeader = lines.findIndex((x) => /^level\s+conc\s+ttft mean/.test(x));
    expect(lines[latHeader - 1]).toBe('Latency (ms):');
    const latCols = cells(latHeader);
    const latRow = cells(latHeader + 1);
    for (const q of ['ttft', 'tpot', 'e2e']) {
      for (const s of ['mean', 'p50', 'p99']) {
        const i = latCols.findIndex((h) => h === `${q} ${s}` || h === `${q} ${s} [CI]`);
        expect(i, `${q} ${s} column`).toBeGreaterThan(1);
        // The printed value is the document's, at the table's precision.
        const printed = Number(latRow[i]!.split(' ')[0]);
        const value = l.metrics[`${q}_${s}_ms`]!.value!;
        expect(Math.abs(printed - value)).toBeLessThanOrEqual(Math.abs(value) >= 100 ? 0.05 : 0.005);
      }
    }

    const list = await runBench(['runs', 'list', '--store', store], home.dir);
    assertExit(list);
    const [header, row] = list.stdout
      .trim()
      .split('\n')
      .map((x) => x.split(/\s{2,}/));
    const json = JSON.parse(
      (await runBench(['runs', 'list', '--store', store, '--format', 'json'], home.dir)).stdout,
    ) as {
      requests: number;
      measured_requests: number;
    }[];
    expect(row![header!.indexOf('MEASURED')]).toBe(String(l.requests.measured));
    expect(json[0]!.measured_requests).toBe(l.requests.measured);
    // Every request sent (warm-up, gate, drain too) is more than the measured ones.
    expect(json[0]!.requests).toBeGreaterThan(l.requests.measured);
    expect(row![header!.indexOf('SENT')]).toBe(String(json[0]!.requests));
  });
});
