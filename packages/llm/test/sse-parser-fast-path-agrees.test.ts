import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretEvent, interpretEventFull, StreamAccumulator } from '../src/client/chunk-interpreter.js';
import { SSE_DATA, SSE_ERROR } from '../src/client/sse-parser.js';
import { bytes } from './sse-test-helpers.js';

// Chunks shaped like the ones real servers send, with the variations that change the interpretation.
const text = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const usage = fc.record({ prompt_tokens: fc.nat(100), completion_tokens: fc.nat(100) });
const delta = fc.record(
  {
    role: maybe(fc.constant('assistant')),
    content: maybe(fc.oneof(text, fc.constant(null))),
    reasoning_content: maybe(text),
  },
  { requiredKeys: [] },
);
const choice = fc.oneof(
  fc.record({ index: fc.constant(0), delta, finish_reason: fc.constantFrom(null, 'length') }),
  fc.record({ index: fc.constant(0), text, finish_reason: fc.constantFrom(null, 'stop') }),
  fc.record(
    { index: fc.constant(0), delta: fc.constantFrom(null, 'x', 3), text: maybe(text) },
    { requiredKeys: [] },
  ),
);
const chunkObject = fc.record(
  {
    id: fc.constant('chatcmpl-1'),
    object: fc.constantFrom('chat.completion.chunk', 'text_completion', 'error'),
    created: fc.integer(),
    choices: fc.oneof(fc.array(choice, { maxLength: 2 }), fc.constant(null)),
    usage: maybe(fc.oneof(usage, fc.constant(null))),
    error: maybe(fc.oneof(fc.record({ message: fc.string() }), fc.constant(null), fc.string())),
    system_fingerprint: maybe(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null))),
    message: maybe(fc.string({ maxLength: 8 })),
    extra: maybe(fc.jsonValue({ maxDepth: 3 })),
  },
  { requiredKeys: ['choices'] },
);
// Bytes that are legal on an SSE data line (no CR/LF) and likely to break JSON in interesting ways.
const noise = fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', ' ', '\t', 'x', '0', 'n', '\u00e9');

const event = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(chunkObject, fc.constantFrom(0, 1, 2))
      .map(([o, indent]) => JSON.stringify(o, null, indent).replace(/\n/g, ' ')),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(chunkObject, fc.nat()).map(([o, n]) => {
      const s = JSON.stringify(o);
      return s.slice(0, n % s.length);
    }),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(chunkObject, fc.nat(), noise).map(([o, n, c]) => {
      const s = JSON.stringify(o);
      const k = n % s.length;
      return s.slice(0, k) + c + s.slice(k + 1);
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[DONE]',
      ' [DONE] ',
      '"str"',
      '[1]',
      'null',
      '{"choices":[{"delta":{"cont\\u0065nt":"x"}}]}',
    ),
  },
);

function snapshot(acc: StreamAccumulator) {
  return {
    chunkTimes: acc.chunkTimes,
    chunkTokens: acc.chunkTokens,
    usageCompletionTokens: acc.usageCompletionTokens,
    usagePromptTokens: acc.usagePromptTokens,
    systemFingerprint: acc.systemFingerprint,
    done: acc.done,
    error: acc.error,
    text: acc.text,
    sawChoices: acc.sawChoices,
    finished: acc.finished,
  };
}

describe('chunk interpreter: the byte-scanning fast path', () => {
  it('agrees with the full JSON.parse interpretation on generated streams', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.boolean()), { minLength: 1, maxLength: 6 }), (events) => {
        const fast = new StreamAccumulator();
        const full = new StreamAccumulator();
        events.forEach(([data, isErrorField], i) => {
          const buf = bytes(data);
          const kind = isErrorField ? SSE_ERROR : SSE_DATA;
          interpretEvent(fast, kind, buf, 0, buf.length, i);
          interpretEventFull(full, kind, buf, 0, buf.length, i);
        });
        expect(snapshot(fast)).toEqual(snapshot(full));
      }),
      { numRuns: 2000 },
    );
  });
});
