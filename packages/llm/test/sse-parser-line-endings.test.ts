import { describe, expect, it } from 'vitest';
import { collectEvents } from './sse-test-helpers.js';

describe('SSE parser: LF, CRLF and CR line ends', () => {
  it('parses CRLF streams', () => {
    expect(collectEvents(['data: a\r\n\r\ndata: b\r\n\r\n']).map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('parses bare CR streams', () => {
    expect(collectEvents(['data: a\r\rdata: b\r\r']).map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('does not see an extra blank line when CRLF is split between chunks', () => {
    // If the LF after a split CR were taken as a second line end, `x` and `y` would be two events.
    const events = collectEvents(['data: x\r', '\ndata: y\r', '\n\r\n']);
    expect(events.map((e) => e.data)).toEqual(['x\ny']);
    expect(events[0].arrivalMs).toBe(2);
  });

  it('mixes line ends within one stream', () => {
    expect(collectEvents(['data: a\n\r\ndata: b\r\rdata: c\n\n']).map((e) => e.data)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});
