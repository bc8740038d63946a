import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../src/client/sse-parser.js';

// The parser takes a push that is exactly one `data: <payload>\n\n` event, with nothing pending, in one
// step. Pieces are pushed one per chunk (so that step is tried on every piece, with whatever state the
// previous ones left: a pending `event: error`, a line split before, a CR at a chunk's end), each also
// inside a larger buffer with stale line ends after the range, and compared with the same bytes pushed
// one at a time (which never takes it).
const piece = fc.oneof(
  // Candidates for the one-step path, some with line ends inside the payload.
  fc
    .array(fc.constantFrom('a', 'b', ' ', ':', '\r', '\n', '{"x":1}', 'é'), { maxLength: 6 })
    .map((parts) => `data: ${parts.join('')}\n\n`),
  fc.constant('data: \n\n'),
  fc.constant('data:x\n\n'),
  fc.constant('data:  two spaces\n\n'),
  // What can leave state behind or change the event.
  fc.constant('event: error\n'),
  fc.constant('error: boom\n\n'),
  fc.constant(': comment\n'),
  fc.constant('data: first line\n'),
  fc.constant('data: half'),
  fc.constant('\r'),
  fc.constant('\n'),
  fc.constant('data: crlf\r\n\r\n'),
  fc.constant('id: 7\n'),
);

const enc = new TextEncoder();
const dec = new TextDecoder();

function events(push: (parser: SseParser) => void): [number, string][] {
  const out: [number, string][] = [];
  const parser = new SseParser((kind, buf, start, end) =>
    out.push([kind, dec.decode(buf.subarray(start, end))]),
  );
  push(parser);
  parser.end(0);
  return out;
}

describe('SSE parser: a push of exactly one event', () => {
  it('gives the same events as the same bytes pushed one by one', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), fc.boolean(), (pieces, staleAfter) => {
        const bytesOf = pieces.map((p) => enc.encode(p));
        const oneByOne = events((parser) => {
          for (const b of bytesOf) for (let k = 0; k < b.length; k++) parser.push(b, 0, k, k + 1);
        });
        const perPiece = events((parser) => {
          for (const b of bytesOf) {
            // The range inside a bigger buffer: stale bytes after it (line ends included) must not count.
            const buf = new Uint8Array(b.length + 8);
            buf.set(b, 2);
            if (staleAfter) buf.set(enc.encode('\n\r\nx\n\n'), b.length + 2);
            parser.push(buf, 0, 2, 2 + b.length);
          }
        });
        expect(perPiece).toEqual(oneByOne);
      }),
      { numRuns: 2000 },
    );
  });
});
