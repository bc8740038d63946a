// SPEC §4: synthetic prompts are unique per request (a seeded random prefix), with the token count kept,
// and two runs with one seed do not repeat each other's prompts (the prefix stream is forked by run id).
import { Tokenizer } from '@huggingface/tokenizers';
import { createRng } from 'inferencebench';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { UNIQUE_PREFIX_WORDS, uniquePrompt, withUniquePrompts } from '../src/datasets/synthetic.js';
import type { ClientRequest, ClientResult, StreamingClient } from '../src/types.js';
import {
  datasetContext,
  datasetOptions,
  startTestEnv,
  type TestEnv,
  TOKENIZER_REPO,
} from './fixtures/datasets/test-env.js';
import { TINY_TOKENIZER_CONFIG, tinyBpeTokenizerJson } from './fixtures/datasets/tiny-bpe.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.cleanup());

const tok = new Tokenizer(tinyBpeTokenizerJson(), TINY_TOKENIZER_CONFIG);
const count = (s: string) => tok.encode(s, { add_special_tokens: false }).ids.length;

test('every request gets a different prompt of the same token count, even when the dataset item repeats', async () => {
  const opts = datasetOptions({
    dataset: 'synthetic',
    model: 'm',
    tokenizer: TOKENIZER_REPO,
    seed: 3,
    inputLen: 40,
    outputLen: 8,
  });
  const ds = await loadDataset(opts, datasetContext(3));
  const rng = createRng(3).fork('unique-prompts/run-a');
  const item = ds.items[0]!;
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const p = uniquePrompt(rng, item.prompt);
    expect(count(p)).toBe(40);
    // Only the prefix changes: the rest of the prompt is the dataset's.
    expect(p.split(' ').slice(UNIQUE_PREFIX_WORDS)).toEqual(
      item.prompt.split(' ').slice(UNIQUE_PREFIX_WORDS),
    );
    seen.add(p);
  }
  expect(seen.size).toBe(500);
});

test('the wrapped client sends unique prompts; another run id gives other prompts from one seed', async () => {
  const sent: string[] = [];
  const inner: StreamingClient = {
    send: async (req: ClientRequest) => {
      sent.push(req.item.prompt);
      return { status: 'ok' } as ClientResult;
    },
    warm: async () => {},
    close: async () => {},
  };
  const item = {
    id: 'x',
    prompt: 'a b c d e f g h i j k l m n o p q r s t',
    promptTokens: 20,
    outputTokens: 1,
  };
  const req: ClientRequest = { api: 'completions', model: 'm', item };
  for (const run of ['run-a', 'run-b']) {
    const c = withUniquePrompts(inner, createRng(1).fork(`unique-prompts/${run}`));
    for (let i = 0; i < 50; i++) await c.send(req, { timeoutMs: 1000 });
  }
  expect(new Set(sent).size).toBe(100);
  expect(item.prompt).toBe('a b c d e f g h i j k l m n o p q r s t');
});
