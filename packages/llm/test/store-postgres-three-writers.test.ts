import { afterAll, expect, it } from 'vitest';
import { freshPgDatabase } from '../../core/test/helpers/pg.js';
import { benchEnv, runArgs, runBench, runIdOf, type Sandbox, sandbox, showRun } from './e2e-helpers.js';

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes) b.cleanup();
});

it('three `bench run --engine sim` processes write into one PostgreSQL store at once: every record, each run complete', async () => {
  const store = await freshPgDatabase();
  const env = () => {
    const box = sandbox();
    boxes.push(box);
    return benchEnv(box, { INFERENCEBENCH_STORE: store });
  };
  // Different seeds and concurrencies, so the runs' records differ; all start together.
  const results = await Promise.all(
    [1, 2, 3].map((i) =>
      runBench(
        runArgs('sim', ['--concurrency', String(i + 1), '--duration', '2', '--seed', String(i), '--quiet']),
        env(),
        90_000,
      ),
    ),
  );
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  const ids = results.map(runIdOf);
  expect(new Set(ids).size).toBe(3);

  const reader = env();
  for (const id of ids) {
    const doc = await showRun(id, reader);
    expect(doc.status).toBe('complete');
    const level = doc.levels[0]!;
    // Every measured request the level counted is in the store, once, with its phase as a column.
    const measured = doc.requests.filter((q) => q.phase === 'measured');
    expect(measured).toHaveLength(level.requests.measured);
    expect(measured.filter((q) => q.status === 'ok')).toHaveLength(level.requests.ok);
    const seqs = doc.requests.map((q) => (q as unknown as { seq: number }).seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(level.requests.measured).toBeGreaterThan(0);
    expect(
      doc.requests.every(
        (q) => typeof (q as unknown as { ttft_ms: unknown }).ttft_ms === 'number' || q.status !== 'ok',
      ),
    ).toBe(true);
  }
  const list = await runBench(['runs', 'list', '--format', 'json'], reader, 20_000);
  const runs = JSON.parse(list.stdout) as {
    run_id: string;
    status: string;
    requests: number;
    created_at: string;
    finished_at: string;
  }[];
  // They overlapped: each started before every other one finished.
  for (const a of runs) for (const b of runs) expect(a.created_at < b.finished_at).toBe(true);
  expect(runs.map((r) => r.run_id).sort()).toEqual([...ids].sort());
  expect(runs.every((r) => r.status === 'complete' && r.requests > 0)).toBe(true);
}, 180_000);
