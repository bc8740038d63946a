// llama.cpp holds back incomplete UTF-8, so one chunk can carry several tokens. With `timings_per_token`
// every chunk carries the running `timings.predicted_n`: its delta is the chunk's token count, and the
// per-token ITL divides each chunk gap by it (SPEC §5). `timings.cache_n` and
// `usage.prompt_tokens_details.cached_tokens` are the prompt tokens served from the cache (SPEC §4).
import { describe, expect, it } from 'vitest';
import { interpretEvent, interpretEventFull, StreamAccumulator } from '../src/client/chunk-interpreter.js';
import { buildRequestBody } from '../src/client/request-body.js';
import { SSE_DATA } from '../src/client/sse-parser.js';
import { perTokenGapsMs, tokensPerChunk } from '../src/metrics/request-metrics.js';

const enc = new TextEncoder();
const timings = (n: number, cacheN = 5) =>
  `"timings":{"cache_n":${cacheN},"prompt_n":60,"prompt_ms":19.5,"prompt_per_token_ms":0.3,"prompt_per_second":3000,"predicted_n":${n},"predicted_ms":${(n - 1) * 4},"predicted_per_token_ms":4.0,"predicted_per_second":250}`;
const chunk = (text: string, n: number) =>
  `{"choices":[{"finish_reason":null,"index":0,"delta":{"content":${JSON.stringify(text)}}}],"created":1,"id":"c","model":"m","system_fingerprint":"b1-de3ff81","object":"chat.completion.chunk",${timings(n)}}`;
// As llama-server sends them: role first, then content; token 3 is half a character, so chunk 3 carries 2.
const events = [
  `{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}`,
  chunk('a', 1),
  chunk('b', 2),
  chunk('é', 4),
  chunk('c', 5),
  `{"choices":[{"finish_reason":"length","index":0,"delta":{}}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk",${timings(5)}}`,
  `{"choices":[],"created":1,"id":"c","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":5,"prompt_tokens":60,"total_tokens":65,"prompt_tokens_details":{"cached_tokens":5}}}`,
  '[DONE]',
];

describe.each([
  ['fast path', interpretEvent],
  ['full parse', interpretEventFull],
])('llama.cpp timings on every chunk (%s)', (_name, interpret) => {
  it('gives per-chunk token counts, the cached prompt tokens and the server timings', () => {
    const acc = new StreamAccumulator();
    events.forEach((e, i) => {
      const b = enc.encode(e);
      interpret(acc, SSE_DATA, b, 0, b.length, 10 * i);
    });
    expect(acc.chunkTimes).toEqual([10, 20, 30, 40]);
    expect(acc.chunkTokens).toEqual([1, 1, 2, 1]);
    expect(acc.usageCompletionTokens).toBe(5);
    expect(acc.cachedPromptTokens).toBe(5);
    expect(acc.serverTimings).toMatchObject({
      promptMs: 19.5,
      predictedPerTokenMs: 4,
      predictedN: 5,
      cacheN: 5,
    });
    expect(acc.text).toBe('abéc');
    // The 10 ms gap before the two-token chunk is 5 ms per token.
    const perToken = perTokenGapsMs(acc.chunkTimes, tokensPerChunk(acc.chunkTokens, 4, 5));
    expect([...perToken]).toEqual([10, 5, 10]);
  });
});

it('llama.cpp requests ask for timings on every chunk; --prompt-cache off sends cache_prompt: false', () => {
  const req = {
    api: 'chat' as const,
    model: 'm',
    item: { id: 'x', prompt: 'p', promptTokens: 1, outputTokens: 4 },
  };
  const quirks = {
    canForceOutputLength: true,
    strictFields: false,
    includeUsage: true,
    timingsPerToken: true,
  };
  expect(buildRequestBody(req, quirks)).toMatchObject({ timings_per_token: true, ignore_eos: true });
  expect(buildRequestBody(req, quirks).cache_prompt).toBeUndefined();
  expect(buildRequestBody(req, { ...quirks, cachePrompt: false }).cache_prompt).toBe(false);
});
