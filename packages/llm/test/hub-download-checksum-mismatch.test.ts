import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cacheDir } from '../src/hub/cache-home.js';
import { hubCachePath, hubDownload } from '../src/hub/download.js';
import {
  FIXTURE_COMMIT,
  SHAREGPT_FILE,
  SHAREGPT_REPO,
  startTestEnv,
  type TestEnv,
} from './fixtures/datasets/test-env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.cleanup());

test('a download whose sha256 differs from the hub etag is refused and removed', async () => {
  env.hub.corruptDownloads(true);
  const request = {
    repo: SHAREGPT_REPO,
    repoType: 'dataset' as const,
    revision: FIXTURE_COMMIT,
    file: SHAREGPT_FILE,
    cacheRoot: cacheDir('datasets'),
    errorCode: 'BENCH_ERR_DATASET' as const,
    fallbackHint: 'use --dataset synthetic',
  };
  const err = await hubDownload(request).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'BENCH_ERR_DATASET', exitCode: 2 });
  expect((err as Error).message).toMatch(/sha256 mismatch for ShareGPT_V3_unfiltered_cleaned_split\.json/);
  // Neither the final file nor the partial one is left behind.
  const path = hubCachePath(cacheDir('datasets'), SHAREGPT_REPO, FIXTURE_COMMIT, SHAREGPT_FILE);
  expect(await readdir(dirname(path))).toEqual([]);

  // With good bytes the same request succeeds and lands at the cache path.
  env.hub.corruptDownloads(false);
  const ok = await hubDownload(request);
  expect(ok.path).toBe(path);
  expect(ok.commit).toBe(FIXTURE_COMMIT);
  expect((await readdir(dirname(path))).sort()).toEqual([SHAREGPT_FILE, `${SHAREGPT_FILE}.meta.json`].sort());
  expect(join(dirname(path), SHAREGPT_FILE)).toBe(path);
});
