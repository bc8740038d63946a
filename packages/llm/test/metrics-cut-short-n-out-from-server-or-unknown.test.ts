// Issue 11: a cancelled request's output tokens come from the server (llama.cpp's running
// timings.predicted_n) or count as unknown; the word count of its partial text would be a guess.
import { expect, it } from 'vitest';
import { buildRecord, wordCounter } from '../src/metrics/request-metrics.js';
import type { ClientResult } from '../src/types.js';

const cut = (extra: Partial<ClientResult> = {}): ClientResult => ({
  status: 'cancelled',
  sentAt: 1,
  chunkTimes: [10, 20, 30],
  chunkTokens: [1, 2, 1],
  usageCompletionTokens: null,
  usagePromptTokens: null,
  text: 'three partial words and more',
  httpStatus: 200,
  error: 'request cancelled',
  systemFingerprint: null,
  ...extra,
});
const input = { seq: 1, phase: 'drain' as const, scheduledMs: 0, dispatchMs: 0, nInFallback: 8 };
const timings = {
  cacheN: 0,
  promptN: 8,
  promptMs: 5,
  predictedN: 4,
  predictedMs: 8,
  predictedPerTokenMs: 2.7,
};

it('a cut-short request with the server running count takes it', () => {
  const r = buildRecord(input, cut({ serverTimings: timings }), wordCounter);
  expect(r.nOut).toBe(4);
  expect(r.nOutSource).toBe('usage');
});

it('a cut-short request without any server count is unknown, not a word count', () => {
  const r = buildRecord(input, cut(), wordCounter);
  expect(r.nOut).toBe(0);
  expect(r.nOutSource).toBe('unknown');
});

it('a complete request without usage still uses the counter (labelled words)', () => {
  const r = buildRecord(input, cut({ status: 'ok' }), wordCounter);
  expect(r.nOut).toBe(5);
  expect(r.nOutSource).toBe('words');
});
