import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../src/store/run-store.js';
import { tempHome } from './helpers/cli.js';

const home = tempHome();
afterAll(home.cleanup);

it('requests are buffered, then written by the timer within about one second, or at once on flush', async () => {
  const path = join(home.dir, 'store.sqlite');
  const store = openStore(path);
  const reader = openStore(path); // a second connection sees only committed rows
  const id = store.createRun({ plugin: 'p', plan: { a: 1 }, environment: {} });
  const writer = store.writer(id);
  writer.request({ level: 0, seq: 0, status: 'ok', fields: { ttft_ms: 1.5, n_in: 3, custom: 'k' } });
  writer.sample({ series: 's', tMs: 1, value: 2 });
  expect(reader.requests(id)).toHaveLength(0);
  await new Promise((r) => setTimeout(r, 1300));
  expect(reader.requests(id)).toEqual([
    {
      level: 0,
      seq: 0,
      status: 'ok',
      ttft_ms: 1.5,
      tpot_ms: null,
      e2e_ms: null,
      n_in: 3,
      n_out: null,
      data: { custom: 'k' },
    },
  ]);
  expect(reader.samples(id)).toHaveLength(1);
  writer.request({ level: 0, seq: 1, status: 'timeout' });
  writer.flush();
  expect(reader.requests(id)).toHaveLength(2);
  writer.close();
  expect(() => writer.request({ level: 0, seq: 2, status: 'ok' })).toThrow(/closed/);
  store.close();
  reader.close();
});

it('runs left running by a dead process are marked aborted; live ones are left alone', () => {
  const store = openStore(join(home.dir, 'reap.sqlite'));
  const dead = store.createRun({ plugin: 'p', plan: {}, environment: {}, pid: 111, host: 'h' });
  const alive = store.createRun({ plugin: 'p', plan: {}, environment: {}, pid: 222, host: 'h' });
  const elsewhere = store.createRun({ plugin: 'p', plan: {}, environment: {}, pid: 111, host: 'other' });
  expect(store.reapStaleRuns('h', (pid) => pid === 222)).toEqual([dead]);
  expect(store.getRunDocument(dead).status).toBe('aborted');
  expect(store.getRunDocument(alive).status).toBe('running');
  expect(store.getRunDocument(elsewhere).status).toBe('running');
  store.close();
});
