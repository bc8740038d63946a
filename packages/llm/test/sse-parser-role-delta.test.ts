import { describe, expect, it } from 'vitest';
import { chatChunk, interpretStream } from './sse-test-helpers.js';

describe('SSE parser: what counts as a token', () => {
  it('does not count the role-only first delta, with empty or missing content', () => {
    const acc = interpretStream([
      'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n',
      'data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}\n\n',
      chatChunk('x'),
    ]);
    expect(acc.chunkTimes).toEqual([2]);
  });

  it('does not count a finish chunk with empty content', () => {
    const acc = interpretStream([
      chatChunk('x'),
      'data: {"choices":[{"delta":{},"finish_reason":"length"}]}\n\n',
    ]);
    expect(acc.chunkTimes).toEqual([0]);
  });

  it('counts reasoning_content deltas as tokens and keeps their text', () => {
    const acc = interpretStream([
      'data: {"choices":[{"delta":{"reasoning_content":"think"}}]}\n\n',
      'data: {"choices":[{"delta":{"content":"answer","reasoning_content":null}}]}\n\n',
    ]);
    expect(acc.chunkTimes).toEqual([0, 1]);
    expect(acc.text).toBe('thinkanswer');
  });

  it('counts completions chunks with non-empty `text`', () => {
    const acc = interpretStream([
      'data: {"object":"text_completion","choices":[{"index":0,"text":"Hel","finish_reason":null}]}\n\n',
      'data: {"object":"text_completion","choices":[{"index":0,"text":"","finish_reason":"length"}]}\n\n',
      'data: {"object":"text_completion","choices":[{"index":0,"text":"lo\\n\\"x\\" \\u00e9","finish_reason":null}]}\n\n',
    ]);
    expect(acc.chunkTimes).toEqual([0, 2]);
    expect(acc.text).toBe('Hello\n"x" é');
  });

  it('captures system_fingerprint', () => {
    const acc = interpretStream([chatChunk('a', ',"system_fingerprint":"fp_abc"')]);
    expect(acc.systemFingerprint).toBe('fp_abc');
  });

  it('accepts whitespace that Python json.dumps puts in', () => {
    const acc = interpretStream(['data: {"choices": [{"index": 0, "delta": {"content": "hi"}}]}\n\n']);
    expect(acc.chunkTimes).toEqual([0]);
    expect(acc.text).toBe('hi');
  });
});
