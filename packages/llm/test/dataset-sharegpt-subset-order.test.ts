import { createHash } from 'node:crypto';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { shareGptFixtureRecords } from './fixtures/datasets/sharegpt-fixture.js';
import {
  FIXTURE_COMMIT,
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

const options = datasetOptions({
  dataset: 'sharegpt-v3',
  model: TOKENIZER_REPO,
  seed: 42,
  datasetRevision: FIXTURE_COMMIT,
});
const ctx = () => datasetContext(42);

/** SPEC §11 steps 1-4, written again here from the text, independently of the implementation. */
function expectedSubset(): { id: string; prompt_tokens: number; output_tokens: number }[] {
  const tok = new Tokenizer(tinyBpeTokenizerJson(), TINY_TOKENIZER_CONFIG);
  const count = (s: string) => tok.encode(s, { add_special_tokens: false }).ids.length;
  const turns: { id: string; prompt: string; output: string; order: number }[] = [];
  shareGptFixtureRecords().forEach((rec, order) => {
    const r = rec as { id?: unknown; conversations?: unknown; conversation?: unknown };
    const conv = (Array.isArray(r.conversations) ? r.conversations : r.conversation) as
      | { from: string; value: string }[]
      | undefined;
    if (typeof r.id !== 'string' || !conv || conv.length < 2) return;
    if (conv[0]!.from !== 'human' || conv[1]!.from !== 'gpt') return;
    turns.push({ id: r.id, prompt: conv[0]!.value, output: conv[1]!.value, order });
  });
  const h = (id: string) => createHash('sha256').update(Buffer.from(id, 'utf8')).digest('hex');
  // Plain code-unit comparison of lowercase hex; ties (duplicate ids) by file order.
  turns.sort((a, b) => (h(a.id) < h(b.id) ? -1 : h(a.id) > h(b.id) ? 1 : a.order - b.order));
  const out: { id: string; prompt_tokens: number; output_tokens: number }[] = [];
  for (const t of turns) {
    const p = count(t.prompt);
    const o = count(t.output);
    if (p < 4 || p > 1024 || o < 4 || p + o > 2048) continue;
    if (out.length < 10_000) out.push({ id: t.id, prompt_tokens: p, output_tokens: o });
  }
  return out;
}

test('the subset has the ids, order and counts of SPEC §11, on every build', async () => {
  const ds = await loadDataset(options, ctx());
  const got = ds.items.map((i) => ({
    id: i.id,
    prompt_tokens: i.promptTokens,
    output_tokens: i.outputTokens,
  }));
  const want = expectedSubset();
  expect(got).toEqual(want);
  // Pinned literally, so a change in the procedure (or the fixture) cannot pass unnoticed.
  expect(got.slice(0, 5).map((g) => g.id)).toEqual(FIRST_IDS);
  expect(got.length).toBe(EXPECTED_COUNT);
  expect(ds.tokenizer).toBe(TOKENIZER_REPO);
  expect(ds.checksum).toMatch(/^[0-9a-f]{64}$/);
  // The drop rules all fired on the fixture, and a duplicated id kept both turns in file order.
  expect(got.length).toBeLessThan(300);
  const dupes = got.filter((g, i) => got.findIndex((x) => x.id === g.id) !== i);
  expect(dupes.length).toBeGreaterThan(0);
});

test('a second load uses the cached subset: no download, same list', async () => {
  const first = await loadDataset(options, ctx());
  env.hub.requests.length = 0;
  const second = await loadDataset(options, ctx());
  expect(env.hub.requests).toEqual([]);
  expect(second.items).toEqual(first.items);
  expect(second.meta.subsetFromCache).toBe(true);
  expect(second.checksum).toBe(first.checksum);
});

const FIRST_IDS = ['conv-166', 'conv-é-21', 'conv-236', 'conv-202', 'conv-103'];
const EXPECTED_COUNT = 229;
