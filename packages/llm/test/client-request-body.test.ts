import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequestBody, requestPath } from '../src/client/request-body.js';
import type { RequestQuirks } from '../src/types.js';
import {
  chatRequest,
  clientFor,
  readBody,
  sseToken,
  startServer,
  type TestServer,
  TRANSPORTS,
} from './client-test-server.js';

const vllm: RequestQuirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };
const trtllm: RequestQuirks = { canForceOutputLength: true, strictFields: true, includeUsage: true };
const mlx: RequestQuirks = { canForceOutputLength: false, strictFields: false, includeUsage: false };

describe('request body per engine quirks', () => {
  it('asks a vLLM-like engine for streaming, usage and a forced length', () => {
    expect(buildRequestBody(chatRequest(64), vllm)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 64,
      max_completion_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true,
      min_tokens: 64,
    });
  });

  it('sends only standard OpenAI fields to a strict engine', () => {
    expect(buildRequestBody(chatRequest(8), trtllm)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('does not force length nor ask usage where the engine cannot', () => {
    const body = buildRequestBody({ ...chatRequest(8), api: 'completions' }, mlx);
    expect(body).toEqual({ model: 'm', prompt: 'hello', max_tokens: 8, stream: true });
  });

  it('maps the API kind to its path', () => {
    expect(requestPath('chat')).toBe('/chat/completions');
    expect(requestPath('completions')).toBe('/completions');
  });
});

describe.each(TRANSPORTS)('request as the server receives it (%s)', (transport) => {
  let server: TestServer;
  const got: { url: string; body: unknown; headers: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      got.push({ url: req.url ?? '', body: JSON.parse(await readBody(req)), headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // One token: a stream of `[DONE]` alone is a stream_error (SPEC §5).
      res.end(`${sseToken('a')}data: [DONE]\n\n`);
    });
  });
  afterAll(() => server.close());

  it('POSTs the body built from the quirks to {baseUrl}/completions', async () => {
    const client = clientFor(server, { transport, quirks: trtllm });
    const r = await client.send({ ...chatRequest(5), api: 'completions' }, { timeoutMs: 5000 });
    await client.close();
    expect(r.status).toBe('ok');
    expect(got.at(-1)!.url).toBe('/v1/completions');
    expect(got.at(-1)!.headers['content-type']).toBe('application/json');
    expect(got.at(-1)!.body).toEqual(buildRequestBody({ ...chatRequest(5), api: 'completions' }, trtllm));
  });
});
