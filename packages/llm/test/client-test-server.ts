// A real node:http server on 127.0.0.1, port 0, for the streaming client tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { createStreamingClient, type StreamingTransport } from '../src/client/streaming-client.js';
import type { ClientRequest, RequestQuirks } from '../src/types.js';

export interface TestServer {
  baseUrl: string;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a server; `handler` answers every request. */
export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  let connections = 0;
  const server = http.createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request body as text. */
export async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/** One SSE content event. */
export function sseToken(content: string): string {
  return `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}]}\n\n`;
}

export const vllmQuirks: RequestQuirks = {
  canForceOutputLength: true,
  strictFields: false,
  includeUsage: true,
};

/** A chat request for `outputTokens` tokens. */
export function chatRequest(outputTokens = 4): ClientRequest {
  return { api: 'chat', model: 'm', item: { id: 't-0', prompt: 'hello', promptTokens: 1, outputTokens } };
}

/** Both transports: the client tests run against each (`describe.each(TRANSPORTS)`). */
export const TRANSPORTS: StreamingTransport[] = ['raw', 'undici'];

/** A client for `server` with one connection unless told otherwise. */
export function clientFor(
  server: TestServer,
  opts: {
    apiKey?: string;
    connections?: number;
    quirks?: RequestQuirks;
    transport?: StreamingTransport;
  } = {},
) {
  return createStreamingClient({
    baseUrl: server.baseUrl,
    apiKey: opts.apiKey,
    connections: opts.connections ?? 1,
    quirks: opts.quirks ?? vllmQuirks,
    transport: opts.transport,
  });
}

/**
 * The server of a test file whose every response is a 200 event stream that opens with the token `a`;
 * `rest` decides what follows (a stall, a disconnect, a bad event...). Started before the file's tests
 * and closed after them.
 */
export function useStreamOpeningWithToken(
  rest: (res: http.ServerResponse, body: string) => void,
): TestServer {
  let server: TestServer | null = null;
  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      const body = await readBody(req);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseToken('a'));
      rest(res, body);
    });
  });
  afterAll(() => server?.close());
  return {
    get baseUrl() {
      return server!.baseUrl;
    },
    connections: () => server!.connections(),
    close: async () => server?.close(),
  };
}
