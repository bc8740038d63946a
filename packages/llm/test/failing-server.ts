import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny real server on 127.0.0.1 for the run-verdict tests: GET answers /models; streaming POST number n
 * (0-based) streams a short completion when `ok(n)` is true and answers `status` with `body` otherwise.
 */
export interface FailingServer {
  baseUrl: string;
  /** Streaming POST requests received so far. */
  posts(): number;
  close(): Promise<void>;
}

export async function startFailingServer(options: {
  ok: (n: number) => boolean;
  status?: number;
  body?: string;
  tokens?: number;
}): Promise<FailingServer> {
  let posts = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":[{"id":"m","object":"model"}]}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Non-streaming POSTs (an attach's one-token fingerprint request) are answered and not counted.
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { stream?: boolean };
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"choices":[{"index":0,"text":"x"}]}');
        return;
      }
      const n = posts++;
      if (!options.ok(n)) {
        res.writeHead(options.status ?? 500, { 'content-type': 'text/plain' });
        res.end(options.body ?? 'failing on purpose\nsecond line');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const tokens = options.tokens ?? 4;
      let i = 0;
      const tick = (): void => {
        if (i < tokens) {
          res.write(`data: {"choices":[{"index":0,"text":"t${i} "}]}\n\n`);
          i++;
          setTimeout(tick, 2);
          return;
        }
        res.write(`data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":${tokens}}}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      setTimeout(tick, 3);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    posts: () => posts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** `bench run llm.inference` arguments for a short attach run against `baseUrl`. */
export function attachArgs(baseUrl: string, store: string, extra: string[] = []): string[] {
  return [
    'run',
    'llm.inference',
    '--engine',
    'openai',
    '--endpoint',
    baseUrl,
    '--model',
    'm',
    '--dataset',
    'synthetic',
    '--tokenizer',
    'words',
    '--input-len',
    '8',
    '--output-len',
    '4',
    '--power-source',
    'none',
    '--store',
    store,
    ...extra,
  ];
}
