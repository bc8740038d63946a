import { describe, expect, it } from 'vitest';
import { bytes, chatChunk, collectEvents, interpretStream } from './sse-test-helpers.js';

describe('SSE parser: events split across chunks', () => {
  it('joins an event split in the middle of its data line and stamps it with the completing chunk', () => {
    const events = collectEvents(['data: {"a"', ':1}', '\n\n']);
    expect(events).toEqual([{ kind: 0, data: '{"a":1}', arrivalMs: 2 }]);
  });

  it('splits several events that arrive in one chunk, all stamped with that chunk', () => {
    const events = collectEvents(['data: 1\n\ndata: 2\n\ndata: 3\n\n']);
    expect(events.map((e) => [e.data, e.arrivalMs])).toEqual([
      ['1', 0],
      ['2', 0],
      ['3', 0],
    ]);
  });

  it('reassembles a multi-byte UTF-8 character split between chunks', () => {
    const all = bytes(chatChunk('日本'));
    const cut = all.indexOf(0xe6) + 1; // inside the 3-byte encoding of 日
    const acc = interpretStream([all.subarray(0, cut), all.subarray(cut)]);
    expect(acc.text).toBe('日本');
    expect(acc.chunkTimes).toEqual([1]);
  });

  it('handles one byte per chunk', () => {
    const text = `${chatChunk('a')}${chatChunk('é')}data: [DONE]\n\n`;
    const chunks = Array.from(bytes(text), (b) => Uint8Array.of(b));
    const acc = interpretStream(chunks);
    expect(acc.text).toBe('aé');
    expect(acc.chunkTimes.length).toBe(2);
    expect(acc.done).toBe(true);
  });
});
