import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTokenCounter } from '../src/tokenizers/index.js';
import { FIXTURE_COMMIT } from './fixtures/datasets/hub-server.js';
import { defaultHubFiles, startTestEnv, type TestEnv, TOKENIZER_REPO } from './fixtures/datasets/test-env.js';
import { tinyBpeTokenizerJson } from './fixtures/datasets/tiny-bpe.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv([
    ...defaultHubFiles(),
    // A repo without tokenizer_config.json (optional file) and its tokenizer stored as LFS.
    {
      repoType: 'model',
      repo: 'test-org/no-config',
      revision: 'main',
      file: 'tokenizer.json',
      bytes: Buffer.from(JSON.stringify(tinyBpeTokenizerJson())),
      lfs: true,
    },
  ]);
  process.env.HF_TOKEN = 'hf_secret_token_value';
});
afterAll(() => env.cleanup());

test('a hub tokenizer counts real tokens, without special tokens', async () => {
  const counter = await createTokenCounter({ model: TOKENIZER_REPO });
  expect(counter).toMatchObject({ name: TOKENIZER_REPO, approximate: false });
  expect(counter.sha256).toMatch(/^[0-9a-f]{64}$/);
  // `the model serves` is 3 tokens; `zebra` is unknown and falls apart into bytes (Ġ z e b r a).
  expect(counter.count('the model serves')).toBe(3);
  expect(counter.count('the zebra')).toBe(7);
  expect(counter.encode('the model')).toHaveLength(2);
  // HF_TOKEN went to the hub as a bearer token.
  expect(env.hub.requests.every((r) => r.authorization === 'Bearer hf_secret_token_value')).toBe(true);
});

test('a repo without tokenizer_config.json loads, and its absence is cached for offline use', async () => {
  const counter = await createTokenCounter({ tokenizer: 'test-org/no-config' });
  expect(counter.count('the model serves')).toBe(3);
  expect(env.hub.requests.some((r) => r.path.startsWith('/cdn/') && r.authorization === null)).toBe(true);
  await env.hub.stop();
  const again = await createTokenCounter({ tokenizer: 'test-org/no-config' });
  expect(again.sha256).toBe(counter.sha256);
  expect(FIXTURE_COMMIT).toHaveLength(40);
});
