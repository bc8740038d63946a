import { describe, expect, it } from 'vitest';
import { STREAM_REASONS, streamVerdict } from '../src/client/stream-verdict.js';
import { chatChunk, interpretStream } from './sse-test-helpers.js';

// SPEC §5: the end-of-stream verdict from what the interpreter saw (events, markers, choices), over the
// byte fast path, including events that share a remembered prefix.
const verdict = (chunks: string[], closeDelimited = false): string | null => {
  const acc = interpretStream(chunks);
  const events = chunks
    .join('')
    .split('\n\n')
    .filter((e) => e.trim() !== '').length;
  return streamVerdict(acc, events, chunks.join('').length, closeDelimited);
};
const finish = 'data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n';
const DONE = 'data: [DONE]\n\n';

describe('stream verdict', () => {
  it('a token and [DONE], or a token and a finish_reason, is ok (any framing)', () => {
    expect(verdict([chatChunk('a'), DONE], true)).toBeNull();
    expect(verdict([chatChunk('a'), finish], true)).toBeNull();
    // A complete chunked or length-delimited body ended properly without either marker.
    expect(verdict([chatChunk('a')], false)).toBeNull();
  });

  it('a close-delimited body without either marker was cut short', () => {
    expect(verdict([chatChunk('a'), chatChunk('b')], true)).toBe(STREAM_REASONS.cutShort);
  });

  it('[DONE] alone, or choices with no content, has no content token', () => {
    expect(verdict([DONE])).toBe(STREAM_REASONS.noContent);
    expect(verdict([finish, DONE])).toBe(STREAM_REASONS.noContent);
  });

  it('events without choices are a native, non-OpenAI route', () => {
    expect(verdict(['data: {"content":"Hi","stop":false}\n\n', 'data: {"content":"","stop":true}\n\n'])).toBe(
      STREAM_REASONS.noChoices,
    );
  });

  it('events sharing a prefix whose choices are null are not choices', () => {
    const nullChoices = 'data: {"id":"c1","object":"chat.completion.chunk","choices":null}\n\n';
    const acc = interpretStream([nullChoices, nullChoices, nullChoices]);
    expect(acc.sawChoices).toBe(false);
    expect(verdict([nullChoices, nullChoices])).toBe(STREAM_REASONS.noChoices);
  });

  it('a finish_reason on the fast path and on the full parse alike', () => {
    expect(interpretStream([chatChunk('a'), chatChunk('b', '')]).finished).toBe(false);
    expect(interpretStream([chatChunk('a'), finish]).finished).toBe(true);
    // With usage in the same chunk (the full parse).
    const withUsage =
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":{"completion_tokens":2}}\n\n';
    expect(interpretStream([chatChunk('a'), withUsage]).finished).toBe(true);
  });
});
