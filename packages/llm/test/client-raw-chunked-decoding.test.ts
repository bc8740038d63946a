import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunk, type RawServer, SSE_HEAD, startRawServer } from './client-raw-helpers.js';
import { chatRequest, clientFor, sseToken, type TestServer } from './client-test-server.js';

const DONE = 'data: [DONE]\n\n';
const a = sseToken('a');
const b = sseToken('b');

// Each scenario is the model name of the request; the server answers with that script.
const scripts: Record<string, (string | number)[]> = {
  // The chunk-size line of the second token arrives one byte per packet, and its CRLF is split too.
  'split-size-line': [
    `${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`,
    chunk(a),
    5,
    Buffer.byteLength(b).toString(16)[0]!,
    5,
    Buffer.byteLength(b).toString(16).slice(1),
    5,
    '\r',
    5,
    `\n${b}`,
    5,
    '\r',
    5,
    `\n${chunk(DONE)}0\r\n\r\n`,
  ],
  // Chunk extensions, upper-case hex, a chunk that splits an SSE event, trailers after the last chunk.
  'extensions-trailers': [
    `${SSE_HEAD}Transfer-Encoding: chunked\r\n\r\n`,
    `${Buffer.byteLength(a).toString(16).toUpperCase()};name=value;x="y"\r\n${a}\r\n`,
    `${chunk(b.slice(0, 7))}`,
    5,
    `${chunk(b.slice(7))}${chunk(DONE)}0;last=1\r\nx-trailer: 1\r\nx-other: 2\r\n\r\n`,
  ],
  // The terminating 0-chunk's CRLFs arrive in separate packets.
  'split-last-chunk': [
    `${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`,
    chunk(a + b + DONE),
    5,
    '0\r',
    5,
    '\n\r',
    5,
    '\n',
  ],
  // Headers split across packets, including inside the blank line.
  'split-headers': [
    'HTTP/1.1 200 OK\r\ncontent-ty',
    5,
    'pe: text/event-stream\r\ntransfer-encoding: chunked\r\n\r',
    5,
    `\n${chunk(a)}${chunk(b)}${chunk(DONE)}0\r\n\r\n`,
  ],
  'content-length': [
    `${SSE_HEAD}content-length: ${Buffer.byteLength(a + b + DONE)}\r\n\r\n${a}`,
    5,
    b,
    5,
    DONE,
  ],
  // 100 Continue and 103 Early Hints come before the real response.
  informational: [
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n',
    5,
    `${SSE_HEAD}content-length: ${Buffer.byteLength(a + b + DONE)}\r\n\r\n${a}${b}${DONE}`,
  ],
  // A chunk longer than the event: two events inside one chunk, then the end inside the same chunk.
  'events-in-one-chunk': [`${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`, chunk(a + b + DONE), '0\r\n\r\n'],
  'bad-size': [`${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`, chunk(a), 'zz\r\n'],
  'missing-crlf': [
    `${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`,
    `${Buffer.byteLength(a).toString(16)}\r\n${a}XX`,
  ],
};

// Each scenario has its own base URL, `/<scenario>/v1`, so the server can pick the script from the path.
let server: RawServer;
beforeAll(async () => {
  server = await startRawServer((_k, head) => scripts[/^POST \/([^/]+)\//.exec(head)![1]!]!);
});
afterAll(() => server.close());

function clientForScenario(scenario: string) {
  const base: TestServer = {
    baseUrl: `http://127.0.0.1:${server.port}/${scenario}/v1`,
    connections: server.connections,
    close: async () => {},
  };
  return clientFor(base, { transport: 'raw' });
}

describe('raw transport: response framing', () => {
  it.each([
    'split-size-line',
    'extensions-trailers',
    'split-last-chunk',
    'split-headers',
    'content-length',
    'informational',
    'events-in-one-chunk',
  ])('%s: every token arrives, the stream completes and the connection is reused', async (scenario) => {
    const client = clientForScenario(scenario);
    const before = server.connections();
    for (let round = 0; round < 2; round++) {
      const r = await client.send(chatRequest(), { timeoutMs: 5000 });
      expect(r.error).toBeNull();
      expect(r.status).toBe('ok');
      expect(r.httpStatus).toBe(200);
      expect(r.text).toBe('ab');
      expect(r.chunkTimes.length).toBe(2);
    }
    // A response that ended cleanly leaves its connection reusable.
    expect(server.connections() - before).toBe(1);
    await client.close();
  });

  it('stamps a token split across packets with the arrival of its last byte', async () => {
    const client = clientForScenario('split-size-line');
    const r = await client.send(chatRequest(), { timeoutMs: 5000 });
    await client.close();
    // Token b's chunk is completed four packet gaps (>= 5 ms each) after token a's.
    expect(r.chunkTimes[1]! - r.chunkTimes[0]!).toBeGreaterThanOrEqual(15);
  });

  it.each([
    ['bad-size', /invalid chunk size line/],
    ['missing-crlf', /chunk not followed by CRLF/],
  ])('%s: stream_error, the token before it kept, the connection dropped', async (scenario, message) => {
    const client = clientForScenario(scenario);
    const before = server.connections();
    const r = await client.send(chatRequest(), { timeoutMs: 5000 });
    expect(r.status).toBe('stream_error');
    expect(r.error).toMatch(message);
    expect(r.chunkTimes.length).toBe(1);
    const again = await client.send(chatRequest(), { timeoutMs: 5000 });
    expect(again.status).toBe('stream_error');
    // A connection whose framing broke is never reused.
    expect(server.connections() - before).toBe(2);
    await client.close();
  });
});

describe('SseParser.push over a range of a shared buffer', () => {
  it('reads only the given bytes, as the raw transport hands them over', async () => {
    const { SseParser } = await import('../src/client/sse-parser.js');
    const events: string[] = [];
    const parser = new SseParser((_kind, buf, start, end) => {
      events.push(Buffer.from(buf.subarray(start, end)).toString());
    });
    // Framing bytes and stale data around the ranges contain line ends that must not be seen.
    const buf = Buffer.from('\r\n\n\ndata: one\n\n\r\n\n\ndata: tw|o\n\n\n');
    parser.push(buf, 1, 4, 17);
    parser.push(buf, 2, 19, 27); // `data: tw`: the LF two bytes after the range is not this line's end
    expect(events).toEqual(['one']);
    parser.push(Buffer.from('xx|o\n\nxx'), 3, 2, 6);
    expect(events).toEqual(['one', 'tw|o']);
  });
});
