import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretEvent, interpretEventFull, StreamAccumulator } from '../src/client/chunk-interpreter.js';
import { SSE_DATA } from '../src/client/sse-parser.js';
import { bytes } from './sse-test-helpers.js';

// Real servers repeat `{"id":...,"model":...,"choices":` byte for byte on every chunk; the fast path skips
// re-validating such a prefix. These streams share one prefix and vary everything after it.
const text = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 8 }));
const fingerprint = fc.oneof(fc.string({ maxLength: 6 }), fc.constant(null));
const head = fc.record(
  {
    id: fc.constant('chatcmpl-1'),
    object: fc.constantFrom('chat.completion.chunk', 'text_completion'),
    created: fc.nat(),
    system_fingerprint: fingerprint,
  },
  { requiredKeys: ['id'] },
);
const choice = fc.oneof(
  fc.record({ index: fc.constant(0), delta: fc.record({ content: fc.oneof(text, fc.constant(null)) }) }),
  fc.record({ index: fc.constant(0), text }),
  fc.record({ index: fc.constant(0), delta: fc.record({ role: fc.constant('assistant') }) }),
);
const rest = fc.record(
  {
    usage: fc.oneof(fc.record({ prompt_tokens: fc.nat(9), completion_tokens: fc.nat(9) }), fc.constant(null)),
    system_fingerprint: fingerprint,
    error: fc.oneof(fc.constant(null), fc.record({ message: fc.string({ maxLength: 4 }) })),
    choices: fc.array(choice, { maxLength: 1 }),
  },
  { requiredKeys: [] },
);
const noise = fc.constantFrom('{', '}', ']', '"', ':', ',', '\\', 'x', ' ');
const body = fc.tuple(fc.array(choice, { maxLength: 2 }), rest, fc.option(fc.tuple(fc.nat(), noise)));

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

describe('chunk interpreter: chunks sharing a prefix', () => {
  it('gives the same results as the full JSON.parse interpretation', () => {
    fc.assert(
      fc.property(head, fc.array(body, { minLength: 1, maxLength: 6 }), (h, bodies) => {
        const prefix = `${JSON.stringify(h).slice(0, -1)},"choices":`;
        const fast = new StreamAccumulator();
        const full = new StreamAccumulator();
        bodies.forEach(([choices, more, corrupt], i) => {
          let tail = JSON.stringify(choices);
          for (const [k, v] of Object.entries(more)) tail += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
          tail += '}';
          if (corrupt) {
            const at = corrupt[0] % tail.length;
            tail = tail.slice(0, at) + corrupt[1] + tail.slice(at + 1);
          }
          const buf = bytes(prefix + tail);
          interpretEvent(fast, SSE_DATA, buf, 0, buf.length, i);
          interpretEventFull(full, SSE_DATA, buf, 0, buf.length, i);
        });
        expect(snapshot(fast)).toEqual(snapshot(full));
      }),
      { numRuns: 3000 },
    );
  });
});
