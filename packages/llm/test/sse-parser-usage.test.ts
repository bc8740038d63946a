import { describe, expect, it } from 'vitest';
import { chatChunk, interpretStream } from './sse-test-helpers.js';

describe('SSE parser: usage', () => {
  it('records the usage chunk with `choices: []` and does not count it as a token', () => {
    const acc = interpretStream([
      chatChunk('a'),
      chatChunk('b'),
      'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}\n\n',
      'data: [DONE]\n\n',
    ]);
    expect(acc.chunkTimes).toEqual([0, 1]);
    expect(acc.usageCompletionTokens).toBe(2);
    expect(acc.usagePromptTokens).toBe(7);
    expect(acc.chunkTokens).toEqual([null, null]);
  });

  it('counts usage carried on the last content chunk as a token and records the usage', () => {
    const acc = interpretStream([
      chatChunk('a'),
      chatChunk('b', ',"usage":{"prompt_tokens":3,"completion_tokens":2}'),
      'data: [DONE]\n\n',
    ]);
    expect(acc.chunkTimes).toEqual([0, 1]);
    expect(acc.usageCompletionTokens).toBe(2);
    expect(acc.text).toBe('ab');
    // A total seen only at the end says nothing about the last chunk alone.
    expect(acc.chunkTokens).toEqual([null, null]);
  });

  it('derives tokens per chunk from running usage on every chunk (continuous usage stats)', () => {
    const acc = interpretStream([
      chatChunk('ab', ',"usage":{"prompt_tokens":3,"completion_tokens":2}'),
      chatChunk('c', ',"usage":{"prompt_tokens":3,"completion_tokens":3}'),
      chatChunk('defg', ',"usage":{"prompt_tokens":3,"completion_tokens":6}'),
    ]);
    expect(acc.chunkTokens).toEqual([2, 1, 3]);
    expect(acc.usageCompletionTokens).toBe(6);
  });

  it('leaves usage null when the server sends none', () => {
    const acc = interpretStream([chatChunk('a'), 'data: [DONE]\n\n']);
    expect(acc.usageCompletionTokens).toBeNull();
    expect(acc.usagePromptTokens).toBeNull();
  });
});
