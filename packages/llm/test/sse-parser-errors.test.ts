import { describe, expect, it } from 'vitest';
import { chatChunk, interpretStream } from './sse-test-helpers.js';

describe('SSE parser: errors after HTTP 200', () => {
  it('reports `data: {"error": {...}}` with its message and keeps earlier tokens', () => {
    const acc = interpretStream([
      chatChunk('a'),
      'data: {"error":{"message":"out of memory","code":500}}\n\n',
    ]);
    expect(acc.error).toBe('out of memory');
    expect(acc.chunkTimes).toEqual([0]);
  });

  it('reports `{"object":"error",...}` (vLLM style)', () => {
    const acc = interpretStream([
      'data: {"object":"error","message":"bad request","type":"BadRequestError"}\n\n',
    ]);
    expect(acc.error).toBe('bad request');
  });

  it('reports the older `error: {...}` field line', () => {
    const acc = interpretStream([chatChunk('a'), 'error: {"message":"model overloaded"}\n\n']);
    expect(acc.error).toBe('model overloaded');
  });

  it('reports an event typed `event: error`', () => {
    const acc = interpretStream(['event: error\ndata: {"error":"rate limited"}\n\n']);
    expect(acc.error).toBe('rate limited');
  });

  it('reports malformed JSON in a data line as "malformed SSE event"', () => {
    const acc = interpretStream([chatChunk('a'), 'data: {"choices":[{"delta":{"content":"b"}\n\n']);
    expect(acc.error).toBe('malformed SSE event');
    expect(acc.chunkTimes).toEqual([0]);
  });

  it('keeps the first error and stops counting tokens after it', () => {
    const acc = interpretStream([
      'data: nope\n\n',
      'data: {"error":{"message":"second"}}\n\n',
      chatChunk('c'),
    ]);
    expect(acc.error).toBe('malformed SSE event');
    expect(acc.chunkTimes).toEqual([]);
  });

  it('does not treat `"error": null` as an error', () => {
    const acc = interpretStream([chatChunk('a', ',"error":null')]);
    expect(acc.error).toBeNull();
    expect(acc.chunkTimes).toEqual([0]);
  });
});
