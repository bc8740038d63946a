import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type RunStore } from 'inferencebench';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveReportRuns } from '../src/report/command.js';

let dir: string;
let store: RunStore;
const ids: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ib-report-group-'));
  store = await openStore(join(dir, 'store.sqlite'));
  // Two launches of a comparison group and one unrelated run, as launch sets store them (group_id).
  for (const group of ['G-abc', null, 'G-abc']) {
    const id = await store.createRun({
      plugin: 'llm.inference',
      plan: { model: 'm', engine: 'sim', ...(group ? { group_id: group } : {}) },
      environment: {},
    });
    await store.finishRun(id, 'complete');
    ids.push(id);
  }
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a group id stands for its runs in id order; run ids and prefixes stand for themselves', async () => {
  expect(await resolveReportRuns(store, ['G-abc'])).toEqual([ids[0], ids[2]]);
  expect(await resolveReportRuns(store, [ids[1]!.toLowerCase(), 'G-abc'])).toEqual([ids[1], ids[0], ids[2]]);
  // A unique prefix of the group id, in any case, names it too.
  expect(await resolveReportRuns(store, ['g-AB'])).toEqual([ids[0], ids[2]]);
  // Named twice, reported once.
  expect(await resolveReportRuns(store, [ids[0]!, 'G-abc'])).toEqual([ids[0], ids[2]]);
});

it('an id that is neither a run nor a group is the store not-found error', async () => {
  const err = await resolveReportRuns(store, ['G-nope']).catch((e: unknown) => e);
  expect((err as { code: string }).code).toBe('BENCH_ERR_NOT_FOUND');
});
