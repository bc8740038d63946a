import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { cacheDir } from '../src/hub/cache-home.js';
import { join } from 'node:path';
import {
  FIXTURE_COMMIT,
  startTestEnv,
  type TestEnv,
  TOKENIZER_REPO,
  datasetContext,
  datasetOptions,
} from './fixtures/datasets/test-env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.cleanup());

const options = datasetOptions({
  dataset: 'sharegpt-v3',
  model: 'ignored/by-tokenizer',
  tokenizer: TOKENIZER_REPO,
  datasetRevision: FIXTURE_COMMIT,
});
const ctx = () => datasetContext(1);

test('with a warm cache and a pinned commit, everything works with the hub gone', async () => {
  const online = await loadDataset(options, ctx());
  await env.hub.stop();
  // The subset comes from its cache...
  const offline = await loadDataset(options, ctx());
  expect(offline.items).toEqual(online.items);
  // ...and without it, is rebuilt from the cached file and tokenizer, still without a request.
  await rm(join(cacheDir('datasets'), 'subsets'), { recursive: true });
  const rebuilt = await loadDataset(options, ctx());
  expect(rebuilt.items).toEqual(online.items);
  expect(rebuilt.meta.subsetFromCache).toBe(false);
});
