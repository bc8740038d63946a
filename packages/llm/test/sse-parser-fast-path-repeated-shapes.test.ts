import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretEvent, interpretEventFull, StreamAccumulator } from '../src/client/chunk-interpreter.js';
import { SSE_DATA } from '../src/client/sse-parser.js';
import { bytes } from './sse-test-helpers.js';

// The shape path reuses an earlier chunk's bytes around its token string. These streams interleave a few
// templates (so shapes repeat and alternate), each with a token string in delta.content,
// delta.reasoning_content or text, fingerprints before or after the choices, usage/error null or not,
// and compact or spaced framing; the fast path must match JSON.parse on every one.
const MARK = '\u0000MARK\u0000';
const token = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('"', '\\', '\n'),
);
const fp = fc.option(fc.constantFrom('fp_a', 'fp_b', 'é'), { nil: undefined });
const choice = fc.oneof(
  fc.record({
    index: fc.constant(0),
    delta: fc.record({ content: fc.constant(MARK) }),
    finish_reason: fc.constant(null),
  }),
  fc.record({
    index: fc.constant(0),
    delta: fc.record({ reasoning_content: fc.constant(MARK), content: fc.constant(null) }),
  }),
  fc.record({
    index: fc.constant(0),
    delta: fc.record({ reasoning_content: fc.constant('r'), content: fc.constant(MARK) }),
  }),
  fc.record({
    index: fc.constant(0),
    text: fc.constant(MARK),
    logprobs: fc.constant(null),
    stop_reason: fc.constant(null),
  }),
  fc.record({ index: fc.constant(0), delta: fc.constantFrom(null, 3), text: fc.constant(MARK) }),
);
const template = fc
  .record(
    {
      before: fc.record(
        { id: fc.constantFrom('c', 'cmpl-0123456789abcdef'), system_fingerprint: fp },
        { requiredKeys: [] },
      ),
      choices: fc.tuple(choice),
      after: fc.record(
        {
          system_fingerprint: fp,
          usage: fc.constantFrom(null, { prompt_tokens: 1, completion_tokens: 2 }),
          error: fc.constant(null),
          object: fc.constantFrom('text_completion', 'error'),
        },
        { requiredKeys: [] },
      ),
      spaced: fc.boolean(),
    },
    { requiredKeys: ['choices', 'spaced'] },
  )
  .map(({ before, choices, after, spaced }) => {
    const o = { ...before, choices, ...after };
    const s = spaced ? JSON.stringify(o, null, 1).replace(/\n */g, ' ') : JSON.stringify(o);
    return s;
  });

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
  };
}

describe('chunk interpreter: repeated and alternating shapes', () => {
  it('gives the same results as the full JSON.parse interpretation', () => {
    let hits = 0;
    fc.assert(
      fc.property(
        fc.array(template, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), token), { minLength: 1, maxLength: 12 }),
        (templates, picks) => {
          const fast = new StreamAccumulator();
          const full = new StreamAccumulator();
          picks.forEach(([k, t], i) => {
            const json = templates[k % templates.length]!.replace(
              JSON.stringify(MARK).slice(1, -1),
              JSON.stringify(t).slice(1, -1),
            );
            const buf = bytes(json);
            interpretEvent(fast, SSE_DATA, buf, 0, buf.length, i);
            interpretEventFull(full, SSE_DATA, buf, 0, buf.length, i);
          });
          hits += fast.shapeHits;
          expect(snapshot(fast)).toEqual(snapshot(full));
        },
      ),
      { numRuns: 3000 },
    );
    // The property exercised the shape path, not only the scan.
    expect(hits).toBeGreaterThan(1000);
  });
});
