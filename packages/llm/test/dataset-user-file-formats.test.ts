import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { datasetContext, datasetOptions } from './fixtures/datasets/test-env.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ib-userfile-'));
});

const load = (dataset: string) => {
  const options = datasetOptions({ dataset, model: 'm', tokenizer: 'words', inputLen: 8, outputLen: 16 });
  return loadDataset(options, datasetContext(1));
};

test('JSONL keeps file order; output_len defaults to --output-len', async () => {
  const path = join(dir, 'p.jsonl');
  await writeFile(
    path,
    '{"prompt": "one two three", "output_len": 5}\n\n{"id": "x", "prompt": "four five"}\n',
  );
  const ds = await load(`file:${path}`);
  expect(ds.items).toEqual([
    { id: 'line-1', prompt: 'one two three', promptTokens: 3, outputTokens: 5 },
    { id: 'x', prompt: 'four five', promptTokens: 2, outputTokens: 16 },
  ]);
  expect(ds.tokenizer).toBe('words (approximate)');
  expect(ds.checksum).toMatch(/^[0-9a-f]{64}$/);
  expect(ds.meta.format).toBe('jsonl');
});

test('ShareGPT JSON: first human/gpt turn per conversation, file order, either key, no length filter', async () => {
  const path = join(dir, 'c.data'); // no extension: detected from the first character
  const conv = (id: string, a: string, b: string, key = 'conversations') => ({
    id,
    [key]: [
      { from: 'human', value: a },
      { from: 'gpt', value: b },
    ],
  });
  await writeFile(
    path,
    JSON.stringify([
      conv('z', 'hi', 'a b c d e'),
      { id: 'skip', conversations: [{ from: 'gpt', value: 'x' }] },
      conv('a', 'long prompt here', 'ok', 'conversation'),
    ]),
  );
  const ds = await load(`file:${path}`);
  expect(ds.items).toEqual([
    { id: 'z', prompt: 'hi', promptTokens: 1, outputTokens: 5 },
    { id: 'a', prompt: 'long prompt here', promptTokens: 3, outputTokens: 1 },
  ]);
  expect(ds.meta).toMatchObject({ format: 'sharegpt-json', skipped: 1 });
});
