import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cacheDir } from '../src/hub/cache-home.js';
import { hubCachePath, hubDownload } from '../src/hub/download.js';
import { sha256 } from './fixtures/datasets/hub-server.js';
import { shareGptFixtureBytes } from './fixtures/datasets/sharegpt-fixture.js';
import {
  FIXTURE_COMMIT,
  recordingProgress,
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

const request = () => ({
  repo: SHAREGPT_REPO,
  repoType: 'dataset' as const,
  revision: FIXTURE_COMMIT,
  file: SHAREGPT_FILE,
  cacheRoot: cacheDir('datasets'),
  errorCode: 'BENCH_ERR_DATASET' as const,
  fallbackHint: 'use --dataset synthetic',
});

test('a download cut half-way is resumed with a Range request and verified', async () => {
  const bytes = shareGptFixtureBytes();
  const half = Math.floor(bytes.length / 2);
  env.hub.cutNextDownloads(half);
  const progress = recordingProgress();
  const file = await hubDownload({ ...request(), progress });
  expect(file.sha256).toBe(sha256(bytes));
  expect((await readFile(file.path)).equals(bytes)).toBe(true);
  const cdnGets = env.hub.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/cdn/'));
  expect(cdnGets.map((r) => r.range)).toEqual([null, `bytes=${half}-`]);
  expect(progress.notes.some((n) => /broke at .*resuming/.test(n))).toBe(true);
});

test('a partial file left by an earlier run is resumed by the next one', async () => {
  const bytes = shareGptFixtureBytes();
  env.hub.requests.length = 0;
  env.hub.cutNextDownloads(1000);
  // Only one attempt: the run fails and leaves the .incomplete file behind.
  const rev = { ...request(), cacheRoot: `${cacheDir('datasets')}-second` };
  const err = await hubDownload({ ...rev, maxAttempts: 1 }).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(/kept failing/);
  const partial = `${hubCachePath(rev.cacheRoot, SHAREGPT_REPO, FIXTURE_COMMIT, SHAREGPT_FILE)}.incomplete`;
  expect((await stat(partial)).size).toBe(1000);
  const file = await hubDownload(rev);
  expect((await readFile(file.path)).equals(bytes)).toBe(true);
  expect(env.hub.requests.filter((r) => r.path.startsWith('/cdn/')).map((r) => r.range)).toEqual([
    null,
    'bytes=1000-',
  ]);
});
