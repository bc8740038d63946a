import { describe, expect, it } from 'vitest';
import { chatChunk, interpretStream } from './sse-test-helpers.js';

describe('SSE parser: end of stream', () => {
  it('sees [DONE] followed by a blank line', () => {
    const acc = interpretStream([chatChunk('a'), 'data: [DONE]\n\n']);
    expect(acc.done).toBe(true);
    expect(acc.chunkTimes).toEqual([0]);
  });

  it('sees [DONE] without a trailing blank line, and without a final newline', () => {
    expect(interpretStream([chatChunk('a'), 'data: [DONE]\n']).done).toBe(true);
    expect(interpretStream([chatChunk('a'), 'data: [DONE]']).done).toBe(true);
  });

  it('ignores anything after [DONE]', () => {
    const acc = interpretStream([chatChunk('a'), 'data: [DONE]\n\n', chatChunk('b')]);
    expect(acc.chunkTimes).toEqual([0]);
    expect(acc.text).toBe('a');
  });

  it('keeps the tokens of a stream that ends without [DONE]', () => {
    const acc = interpretStream([chatChunk('a'), chatChunk('b')]);
    expect(acc.done).toBe(false);
    expect(acc.error).toBeNull();
    expect(acc.text).toBe('ab');
  });

  it('counts a last content event that lacks its blank line', () => {
    const acc = interpretStream([chatChunk('a').trimEnd()]);
    expect(acc.chunkTimes).toEqual([1]);
  });
});
