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

const load = (path: string) => {
  const options = datasetOptions({
    dataset: `file:${path}`,
    model: 'm',
    tokenizer: 'words',
    inputLen: 8,
    outputLen: 16,
  });
  return loadDataset(options, datasetContext(1));
};

async function fails(name: string, content: string): Promise<Error & { exitCode: number }> {
  const path = join(dir, name);
  await writeFile(path, content);
  const err = await load(path).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'BENCH_ERR_DATASET', exitCode: 2 });
  const e = err as Error & { exitCode: number };
  expect(e.message).not.toContain('\n');
  return e;
}

test('a bad JSONL line is named by its line number', async () => {
  const ok = '{"prompt": "hello there"}\n';
  expect((await fails('a.jsonl', `${ok}\n{"prompt": 3}\n`)).message).toMatch(
    /^file:.*a\.jsonl line 3: "prompt" must be a non-empty string$/,
  );
  expect((await fails('b.jsonl', `${ok}{"prompt": "x", "output_len": -2}\n`)).message).toMatch(
    /line 2: "output_len" must be a positive integer \(at most 1048576 tokens\), got -2/,
  );
  expect((await fails('c.jsonl', `${ok}${ok}{"prompt": "x",\n`)).message).toMatch(/line 3: not valid JSON/);
  expect((await fails('d.jsonl', '[1]\n')).message).toMatch(/line 1: expected a JSON object/);
});

test('a bad ShareGPT record is named by its index (and id)', async () => {
  const good = {
    id: 'g',
    conversations: [
      { from: 'human', value: 'hi there' },
      { from: 'gpt', value: 'hello you' },
    ],
  };
  const e1 = await fails('a.json', JSON.stringify([good, good, { id: 'bad', conversations: 'nope' }]));
  expect(e1.message).toMatch(/record 2 \(id "bad"\): no "conversations" \(or "conversation"\) array/);
  const e2 = await fails('b.json', JSON.stringify([good, { id: 'm', conversations: [{ from: 'human' }] }]));
  expect(e2.message).toMatch(/record 1 \(id "m"\): message 0 needs string "from" and "value"/);
  const e3 = await fails('c.json', JSON.stringify([good, 7]));
  expect(e3.message).toMatch(/record 1: expected a conversation object/);
  const e4 = await fails('d.json', `[${JSON.stringify(good)}, {"id": "x", ]`);
  expect(e4.message).toMatch(/record 1 \(byte \d+\): not valid JSON/);
  const e5 = await fails('e.json', `[${JSON.stringify(good)}`);
  expect(e5.message).toMatch(/not closed/);
  const e6 = await fails(
    'f.json',
    JSON.stringify([{ id: 'x', conversations: [{ from: 'gpt', value: 'a b' }] }]),
  );
  expect(e6.message).toMatch(/no usable prompts \(1 skipped\)/);
  await expect(load(join(dir, 'missing.jsonl'))).rejects.toThrow(/no such file/);
});
