import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { testContext, testPlan } from './fixtures/engines/helpers.js';

const KEY = 'sk-test-secret-123';
let server: Server;
let base: string;

beforeAll(async () => {
  // A hosted-API stand-in: /v1/models needs the bearer key; completions send a system_fingerprint.
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"Incorrect API key provided"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/v1/models') res.end('{"data":[{"id":"gpt-x"}]}');
    else res.end('{"choices":[{"text":"h"}],"system_fingerprint":"fp_abc123"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('attaching to an OpenAI-compatible endpoint', () => {
  it('authenticates, takes the version from system_fingerprint and cannot force output length', async () => {
    process.env.IB_TEST_KEY = KEY;
    const handle = await acquireEngine(
      testPlan({ engine: 'openai', endpoint: base, apiKeyEnv: 'IB_TEST_KEY', model: 'gpt-x' }),
      testContext(),
    );
    expect(handle.baseUrl).toBe(base);
    expect(handle.version).toBe('fp_abc123');
    expect(handle.commandLine).toBeNull();
    expect(handle.quirks.canForceOutputLength).toBe(false);
    await handle.stop();
  });

  it('turns a 401 into BENCH_ERR_ENDPOINT without printing the key', async () => {
    process.env.IB_TEST_BAD_KEY = 'sk-wrong-999';
    const err = await acquireEngine(
      testPlan({ engine: 'openai', endpoint: base, apiKeyEnv: 'IB_TEST_BAD_KEY' }),
      testContext(),
    ).catch((e) => e);
    expect(err.code).toBe('BENCH_ERR_ENDPOINT');
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('HTTP 401');
    expect(err.message).toContain('IB_TEST_BAD_KEY');
    expect(`${err.message} ${err.hint}`).not.toContain('sk-wrong-999');
  });

  it('reports an unreachable endpoint in one line', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await acquireEngine(
      testPlan({ engine: 'openai', endpoint: `http://127.0.0.1:${port}/v1` }),
      testContext(),
    ).catch((e) => e);
    expect(err.code).toBe('BENCH_ERR_ENDPOINT');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(`cannot reach http://127.0.0.1:${port}/v1 (ECONNREFUSED)`);
  });

  it('requires --endpoint for openai', async () => {
    const err = await acquireEngine(testPlan({ engine: 'openai' }), testContext()).catch((e) => e);
    expect(err.code).toBe('BENCH_ERR_BAD_OPTION');
  });
});
