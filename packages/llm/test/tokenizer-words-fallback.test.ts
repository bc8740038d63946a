import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { countWords, createTokenCounter, tokenizerHubId } from '../src/tokenizers/index.js';
import {
  recordingProgress,
  startTestEnv,
  type TestEnv,
  datasetContext,
  datasetOptions,
} from './fixtures/datasets/test-env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
  await env.hub.stop(); // no network at all: the README's synthetic run must still work
});
afterAll(() => env.cleanup());

const synthetic = datasetOptions({
  dataset: 'synthetic',
  model: 'llama-3.1-8b',
  seed: 42,
  inputLen: 32,
  outputLen: 8,
});

test('synthetic with no --tokenizer and nothing cached uses words, saying so on one line', async () => {
  const progress = recordingProgress();
  const ds = await loadDataset(synthetic, datasetContext(42, progress));
  expect(ds.tokenizer).toBe('words (approximate)');
  expect(ds.meta.tokenizerApproximate).toBe(true);
  expect(progress.notes).toEqual([
    'tokenizer: words (approximate): no cached tokenizer for meta-llama/Llama-3.1-8B-Instruct; pass --tokenizer meta-llama/Llama-3.1-8B-Instruct to download it',
  ]);
  for (const it of ds.items.slice(0, 50)) expect(countWords(it.prompt)).toBe(32);
});

test('there is no silent fallback: an explicit --tokenizer offline is an error', async () => {
  const err = await loadDataset({ ...synthetic, tokenizer: 'llama-3.1-8b' }, datasetContext(42)).catch(
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'BENCH_ERR_TOKENIZER' });
  expect((err as Error).message).toContain('meta-llama/Llama-3.1-8B-Instruct/resolve/main/tokenizer.json');
});

test('words counts whitespace-separated words and is labelled approximate', async () => {
  const words = await createTokenCounter({ tokenizer: 'words' });
  expect(words).toMatchObject({ name: 'words (approximate)', approximate: true, sha256: null });
  expect(words.count('  one\ttwo\nthree  four ')).toBe(4);
  expect(words.count('')).toBe(0);
  await expect(createTokenCounter({ model: 'not-a-hub-id' })).rejects.toThrow(/not a hub id/);
});

test('short model names and sim profile names map to hub ids', () => {
  expect(tokenizerHubId('llama-3.1-8b')).toBe('meta-llama/Llama-3.1-8B-Instruct');
  expect(tokenizerHubId('llama-3.1-8b-h100-fp8')).toBe('meta-llama/Llama-3.1-8B-Instruct');
  expect(tokenizerHubId('Llama-3.3-70B-4xH100')).toBe('meta-llama/Llama-3.3-70B-Instruct');
  expect(tokenizerHubId('Qwen/Qwen2.5-7B-Instruct')).toBe('Qwen/Qwen2.5-7B-Instruct');
  expect(tokenizerHubId('gpt-something')).toBeNull();
});
