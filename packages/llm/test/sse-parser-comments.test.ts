import { describe, expect, it } from 'vitest';
import { chatChunk, collectEvents, interpretStream } from './sse-test-helpers.js';

describe('SSE parser: comments and field syntax', () => {
  it('ignores comment lines such as `: ping` and `: keepalive`', () => {
    const events = collectEvents([': ping\n\n', 'data: a\n', ': keepalive\n', '\n', ':\n\n']);
    expect(events.map((e) => e.data)).toEqual(['a']);
  });

  it('does not count comments as tokens', () => {
    const acc = interpretStream([': ping\n\n', chatChunk('x'), ': keepalive\n\n', 'data: [DONE]\n\n']);
    expect(acc.chunkTimes).toEqual([1]);
  });

  it('accepts a field without a space after the colon', () => {
    expect(collectEvents(['data:{"a":1}\n\n']).map((e) => e.data)).toEqual(['{"a":1}']);
  });

  it('removes only one leading space of the value', () => {
    expect(collectEvents(['data:  two\n\n']).map((e) => e.data)).toEqual([' two']);
  });

  it('joins multi-line data with LF', () => {
    expect(collectEvents(['data: {"a":\ndata: 1}\n\n']).map((e) => e.data)).toEqual(['{"a":\n1}']);
    const acc = interpretStream(['data: {"choices":[{"delta":\ndata: {"content":"hi"}}]}\n\n']);
    expect(acc.text).toBe('hi');
  });

  it('ignores id, retry and unknown fields and events without data', () => {
    expect(
      collectEvents(['id: 7\nretry: 10\nevent: message\n\nfoo: bar\ndata: a\n\n']).map((e) => e.data),
    ).toEqual(['a']);
  });
});
