import { isBenchError } from 'inferencebench';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { shareGptEntry } from '../src/datasets/catalog.js';
import { loadDataset } from '../src/datasets/index.js';
import {
  startTestEnv,
  type TestEnv,
  TOKENIZER_REPO,
  datasetContext,
  datasetOptions,
} from './fixtures/datasets/test-env.js';

let env: TestEnv;
let endpoint: string;
beforeAll(async () => {
  env = await startTestEnv();
  endpoint = env.hub.endpoint;
  await env.hub.stop(); // nothing listens there now: the hub is unreachable
});
afterAll(() => env.cleanup());

const base = datasetOptions({ dataset: 'sharegpt-v3', model: TOKENIZER_REPO });
const ctx = () => datasetContext(1);

test('a cold tokenizer cache offline is a clear error naming the file and URL', async () => {
  const err = await loadDataset(base, ctx()).catch((e: unknown) => e);
  expect(isBenchError(err)).toBe(true);
  expect(err).toMatchObject({ code: 'BENCH_ERR_TOKENIZER', exitCode: 2 });
  const e = err as Error & { hint: string };
  expect(e.message).toContain(`needed ${endpoint}/${TOKENIZER_REPO}/resolve/main/tokenizer.json`);
  expect(e.hint).toMatch(/HF_ENDPOINT/);
  expect(e.hint).toMatch(/--tokenizer words/);
});

test('a cold dataset cache offline names the pinned URL, where to copy the file, and --dataset synthetic', async () => {
  const err = await loadDataset({ ...base, tokenizer: 'words' }, ctx()).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'BENCH_ERR_DATASET', exitCode: 2 });
  const e = err as Error & { hint: string };
  const entry = shareGptEntry();
  expect(e.message).toContain(
    `needed ${endpoint}/datasets/${entry.repo}/resolve/${entry.revision}/ShareGPT_V3_unfiltered_cleaned_split.json`,
  );
  expect(e.hint).toContain(`copy the file to ${env.home}/datasets/`);
  expect(e.hint).toMatch(/--dataset synthetic/);
});

test('HF_HUB_OFFLINE=1 fails the same way without trying the network', async () => {
  process.env.HF_HUB_OFFLINE = '1';
  try {
    const err = await loadDataset({ ...base, tokenizer: 'words' }, ctx()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/HF_HUB_OFFLINE is set/);
  } finally {
    delete process.env.HF_HUB_OFFLINE;
  }
});
