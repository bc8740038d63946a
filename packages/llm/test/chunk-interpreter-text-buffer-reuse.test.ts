import { describe, expect, it } from 'vitest';
import { StreamAccumulator } from '../src/client/chunk-interpreter.js';

const bytes = (s: string) => new TextEncoder().encode(s);

// A finished request's raw text buffer goes back to a pool for the next request (the client allocated a
// fresh one, grown from 256 bytes, per request). A reused buffer must start empty for its new owner.
describe('StreamAccumulator: the raw text buffer of a finished request is reused', () => {
  it('the next request sees only its own text, escaped or not', () => {
    const first = new StreamAccumulator();
    const long = 'x'.repeat(3000);
    first.appendRawText(bytes(long), 0, long.length);
    expect(first.text).toBe(long);
    first.releaseBuffers();
    // Released: what it had read stays read, and it can still take more (a late chunk after a timeout).
    expect(first.text).toBe(long);
    const second = new StreamAccumulator();
    const piece = bytes('h\\u00e9llo \\"w\\"');
    second.appendRawText(piece, 0, piece.length);
    second.appendRawText(bytes('!'), 0, 1);
    expect(second.text).toBe('héllo "w"!');
    second.releaseBuffers();
    const third = new StreamAccumulator();
    third.appendRawText(bytes('ab'), 0, 2);
    // The first request's late bytes go to a buffer of its own, not into the one it gave away.
    first.appendRawText(bytes('late'), 0, 4);
    expect(first.text).toBe(`${long}late`);
    expect(third.text).toBe('ab');
  });

  it('text without a backslash decodes as its UTF-8 bytes, one with escapes as JSON', () => {
    const acc = new StreamAccumulator();
    const plain = bytes('naïve ✓ 😀');
    acc.appendRawText(plain, 0, plain.length);
    expect(acc.text).toBe('naïve ✓ 😀');
    const escaped = bytes('\\n\\t\\\\\\/\\ud83d\\ude00');
    acc.appendRawText(escaped, 0, escaped.length);
    expect(acc.text).toBe('naïve ✓ 😀\n\t\\/😀');
  });
});
