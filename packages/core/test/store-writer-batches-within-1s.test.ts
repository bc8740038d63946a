import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/run-store.js';
import { STORE_BACKENDS } from './helpers/backends.js';
import { tempHome } from './helpers/cli.js';

const home = tempHome();
afterAll(home.cleanup);

const COLUMNS = [
  { name: 'ttft_ms', type: 'real' as const },
  { name: 'n_in', type: 'integer' as const },
  { name: 'label', type: 'text' as const },
];

describe.each(STORE_BACKENDS)('$kind store', (backend) => {
  it('requests are buffered, then written by the timer within about one second, or at once on flush', async () => {
    const location = await backend.location(home.dir);
    const store = await openStore(location);
    const reader = await openStore(location); // a second connection sees only committed rows
    const id = await store.createRun({
      plugin: 'p',
      plan: { a: 1 },
      environment: {},
      requestColumns: COLUMNS,
    });
    const writer = await store.writer(id);
    writer.request({
      level: 0,
      seq: 0,
      status: 'ok',
      phase: 'measured',
      fields: { ttft_ms: 1 / 3, n_in: 3, custom: 'k', label: 'a' },
    });
    writer.sample({ series: 's', tMs: 1.25, value: Math.PI });
    expect(await reader.requests(id)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1300));
    // Declared fields in their columns at full precision (no rounding), the phase a column, the rest in data.
    expect(await reader.requests(id)).toEqual([
      {
        level: 0,
        seq: 0,
        status: 'ok',
        phase: 'measured',
        ttft_ms: 1 / 3,
        n_in: 3,
        label: 'a',
        data: { custom: 'k' },
      },
    ]);
    expect(await reader.samples(id)).toEqual([{ series: 's', t_ms: 1.25, value: Math.PI, labels: null }]);
    // A value that does not fit its column's type is kept in data, not lost or coerced.
    writer.request({ level: 0, seq: 1, status: 'timeout', fields: { n_in: 2.5, ttft_ms: null } });
    await writer.flush();
    const rows = await reader.requests(id);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toEqual({
      level: 0,
      seq: 1,
      status: 'timeout',
      phase: null,
      ttft_ms: null,
      n_in: null,
      label: null,
      data: { n_in: 2.5 },
    });
    await writer.level(1, { concurrency: 4 });
    await writer.level(0, { concurrency: 1 });
    await writer.level(1, { concurrency: 8 }); // replaces
    await writer.mergePlan({ b: 2 });
    await writer.setSummary({ ok: true });
    await writer.close();
    await expect(async () => writer.request({ level: 0, seq: 2, status: 'ok' })).rejects.toThrow(/closed/);
    await store.finishRun(id, 'complete');
    const doc = await reader.getRunDocument(id);
    expect(doc).toMatchObject({
      status: 'complete',
      plan: { a: 1, b: 2 },
      levels: [{ concurrency: 1 }, { concurrency: 8 }],
      summary: { ok: true },
      records: { requests: 2, samples: 1 },
    });
    expect((await reader.listRuns())[0]).toMatchObject({ run_id: id, status: 'complete', requests: 2 });
    expect(await reader.resolveRunId(id.slice(0, 12).toLowerCase())).toBe(id);
    await expect(reader.resolveRunId('ZZZZ%')).rejects.toThrow(/no run with id/);
    await store.close();
    await reader.close();
  });

  it('a running run whose writer stopped beating is marked aborted; one with a live writer is not', async () => {
    const location = await backend.location(home.dir);
    const store = await openStore(location, { staleAfterMs: 600 });
    // Another host: the SQLite pid rule does not apply, only the heartbeat.
    const run = { plugin: 'p', plan: {}, environment: {}, pid: 999_999, host: 'elsewhere' };
    const silent = await store.createRun(run);
    const beating = await store.createRun(run);
    const writer = await store.writer(beating);
    expect(await store.reapStaleRuns()).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await store.reapStaleRuns()).toEqual([silent]);
    const doc = await store.getRunDocument(silent);
    expect(doc.status).toBe('aborted');
    expect(doc.error).toMatch(/no heartbeat from its writer \(pid 999999 on elsewhere\) for over 0.6 s/);
    expect((await store.getRunDocument(beating)).status).toBe('running');
    await writer.close();
    await store.close();
  });

  it('shards meet at a barrier: every party gets the same start, after the last arrival, and the run ids', async () => {
    const location = await backend.location(home.dir);
    const stores = [await openStore(location), await openStore(location), await openStore(location)];
    const writers = await Promise.all(
      stores.map(async (s) => s.writer(await s.createRun({ plugin: 'p', plan: {}, environment: {} }))),
    );
    const first = writers[0]!.barrier('g/level-0/start', 3);
    await new Promise((r) => setTimeout(r, 300));
    const lastArrival = Date.now();
    const all = await Promise.all([first, ...writers.slice(1).map((w) => w.barrier('g/level-0/start', 3))]);
    expect(new Set(all.map((r) => r.startMs)).size).toBe(1);
    expect(all[0]!.startMs).toBeGreaterThanOrEqual(lastArrival + 1000);
    expect(all[0]!.runIds).toEqual(writers.map((w) => w.runId).sort());
    // Too few parties: a clear error after the timeout, not a hang.
    await expect(writers[0]!.barrier('g/level-1/start', 2, { timeoutMs: 200 })).rejects.toThrow(
      /only 1 of 2 shards reached g\/level-1\/start/,
    );
    for (const w of writers) await w.close();
    for (const s of stores) await s.close();
  });
});

it('SQLite: runs left running by a dead process on this host are marked aborted at once', async () => {
  const store = await openStore(await STORE_BACKENDS[0]!.location(home.dir));
  const dead = await store.createRun({ plugin: 'p', plan: {}, environment: {}, pid: 111, host: 'h' });
  const alive = await store.createRun({ plugin: 'p', plan: {}, environment: {}, pid: 222, host: 'h' });
  const elsewhere = await store.createRun({
    plugin: 'p',
    plan: {},
    environment: {},
    pid: 111,
    host: 'other',
  });
  expect(await store.reapStaleRuns('h', (pid) => pid === 222)).toEqual([dead]);
  expect((await store.getRunDocument(dead)).status).toBe('aborted');
  expect((await store.getRunDocument(dead)).error).toMatch(/ended without finishing/);
  expect((await store.getRunDocument(alive)).status).toBe('running');
  expect((await store.getRunDocument(elsewhere)).status).toBe('running');
  await store.close();
});
