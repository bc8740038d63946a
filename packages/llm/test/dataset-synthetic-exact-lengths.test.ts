import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type DatasetOptions, loadDataset } from '../src/datasets/index.js';
import {
  startTestEnv,
  type TestEnv,
  TOKENIZER_REPO,
  datasetContext,
  datasetOptions,
} from './fixtures/datasets/test-env.js';
import { TINY_TOKENIZER_CONFIG, tinyBpeTokenizerJson } from './fixtures/datasets/tiny-bpe.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.cleanup());

const base = datasetOptions({
  dataset: 'synthetic',
  model: 'sim-model',
  tokenizer: TOKENIZER_REPO,
  seed: 7,
  inputLen: 40,
  outputLen: 50,
});
const load = (o: Partial<DatasetOptions>) => {
  const opts = { ...base, ...o };
  return loadDataset(opts, datasetContext(opts.seed));
};
const tok = new Tokenizer(tinyBpeTokenizerJson(), TINY_TOKENIZER_CONFIG);
const count = (s: string) => tok.encode(s, { add_special_tokens: false }).ids.length;

test('synthetic prompts have exactly the requested token count in the real tokenizer', async () => {
  const ds = await load({});
  expect(ds.tokenizer).toBe(TOKENIZER_REPO);
  expect(ds.items).toHaveLength(1000);
  for (const it of ds.items.slice(0, 200)) {
    expect(count(it.prompt)).toBe(40);
    expect(it.promptTokens).toBe(40);
    expect(it.outputTokens).toBe(50);
  }
});

test('uniform and normal lengths spread around the mean, still exact per prompt', async () => {
  const uni = await load({ lengthDist: 'uniform', inputLenSpread: 10, outputLenSpread: 10 });
  const ins = uni.items.map((i) => i.promptTokens);
  expect(Math.min(...ins)).toBeGreaterThanOrEqual(30);
  expect(Math.max(...ins)).toBeLessThanOrEqual(50);
  expect(new Set(ins).size).toBe(21);
  for (const it of uni.items.slice(0, 100)) expect(count(it.prompt)).toBe(it.promptTokens);
  const norm = await load({ lengthDist: 'normal', inputLenSpread: 5, outputLenSpread: 5 });
  const mean = norm.items.reduce((s, i) => s + i.promptTokens, 0) / norm.items.length;
  expect(Math.abs(mean - 40)).toBeLessThan(1);
  const outs = norm.items.map((i) => i.outputTokens);
  expect(Math.max(...outs) - Math.min(...outs)).toBeGreaterThan(15);
});

test('the same seed gives the same prompts; another seed gives others', async () => {
  const a = await load({ seed: 3 });
  const b = await load({ seed: 3 });
  const c = await load({ seed: 4 });
  expect(b.items).toEqual(a.items);
  expect(b.checksum).toBe(a.checksum);
  expect(c.items[0]!.prompt).not.toBe(a.items[0]!.prompt);
});
