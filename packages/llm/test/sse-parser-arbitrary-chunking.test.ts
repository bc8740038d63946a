import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, collectEvents, interpretStream } from './sse-test-helpers.js';

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const payload = fc.oneof(
  fc
    .string({ unit: 'binary', maxLength: 20 })
    .map((s) => JSON.stringify({ choices: [{ delta: { content: s } }] })),
  fc.constant('[DONE]'),
  fc
    .string({ maxLength: 10 })
    .map((s) => JSON.stringify({ choices: [], usage: { completion_tokens: s.length } })),
);
const event = fc.record({
  data: payload,
  comment: fc.boolean(),
  eol: lineEnd,
  field: fc.constantFrom('data: ', 'data:'),
});

/** Cut `all` at the given (sorted, deduplicated) positions. */
function cut(all: Uint8Array, points: number[]): Uint8Array[] {
  const sorted = [...new Set(points.map((p) => p % (all.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of sorted) {
    chunks.push(all.subarray(prev, p));
    prev = p;
  }
  chunks.push(all.subarray(prev));
  return chunks;
}

describe('SSE parser: arbitrary chunkings of a valid stream', () => {
  it('yield the same events and the same interpretation as one chunk', () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (events, points) => {
          const text = events
            .map((e) => `${e.comment ? `: ping${e.eol}` : ''}${e.field}${e.data}${e.eol}${e.eol}`)
            .join('');
          const all = bytes(text);
          const chunks = cut(all, points);
          const whole = collectEvents([all]);
          const split = collectEvents(chunks);
          expect(split.map((e) => [e.kind, e.data])).toEqual(whole.map((e) => [e.kind, e.data]));
          expect(whole.length).toBe(events.length);
          const a = interpretStream([all]);
          const b = interpretStream(chunks);
          expect([b.text, b.chunkTimes.length, b.done, b.error, b.usageCompletionTokens]).toEqual([
            a.text,
            a.chunkTimes.length,
            a.done,
            a.error,
            a.usageCompletionTokens,
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
