import { afterAll, beforeAll, expect, test } from 'vitest';
import { datasetCommands } from '../src/datasets/index.js';
import { FIXTURE_COMMIT, startTestEnv, type TestEnv, TOKENIZER_REPO } from './fixtures/datasets/test-env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.cleanup());

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) },
  };
}
const command = (name: string) => datasetCommands.find((c) => c.name === name)!;

test('bench datasets show prints the subset in order as id, prompt_tokens, output_tokens', async () => {
  const a = io();
  const code = await command('datasets show').run(
    ['sharegpt-v3'],
    { tokenizer: TOKENIZER_REPO, datasetRevision: FIXTURE_COMMIT, format: 'jsonl' },
    a.io,
  );
  expect(code).toBe(0);
  const lines = a.out.join('').trimEnd().split('\n');
  expect(lines).toHaveLength(229);
  expect(JSON.parse(lines[0]!)).toEqual({
    id: 'conv-166',
    prompt_tokens: expect.any(Number),
    output_tokens: expect.any(Number),
  });
  expect(Object.keys(JSON.parse(lines[1]!))).toEqual(['id', 'prompt_tokens', 'output_tokens']);
  // Progress went to stderr, never into the JSONL.
  expect(a.err.join('')).toMatch(/built the subset/);
});

test('bench datasets lists each dataset with source, size and cache state', async () => {
  const a = io();
  await command('datasets').run([], { format: 'json' }, a.io);
  const rows = JSON.parse(a.out.join('')) as { id: string; source: string; size: string; cache: string }[];
  expect(rows.map((r) => r.id)).toEqual(['sharegpt-v3', 'synthetic', 'file:PATH']);
  expect(rows[0]!.source).toMatch(
    /^hf:\/\/datasets\/anon8231489123\/ShareGPT_Vicuna_unfiltered@bcd32a724d84\//,
  );
  expect(rows[0]!.cache).toBe('not downloaded'); // the pinned revision; the test fetched another one
  expect(rows[0]!.size).toMatch(/^~673\.0 MB$/);
  const t = io();
  await command('datasets').run([], { format: 'table' }, t.io);
  expect(t.out.join('')).toMatch(/^dataset\s+source\s+size\s+cache\n/);
  expect(t.out.join('')).toContain(`cache directory: ${env.home}/datasets`);
});

test('bench datasets show without a tokenizer is a usage error', async () => {
  await expect(command('datasets show').run(['sharegpt-v3'], {}, io().io)).rejects.toMatchObject({
    code: 'BENCH_ERR_USAGE',
  });
});
