import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readBody, startServer, sseToken, type TestServer } from './client-test-server.js';
import { type E2eResult, e2eHome, runBench } from './e2e-cli.js';
import { runArgs } from './e2e-helpers.js';

/**
 * Issue 14 "Secrets": a canary key through every path a key can take (flag, env var, config file, URL
 * userinfo, URL query, echoed back by the server in error bodies and mid-stream error events), then every
 * byte the tool wrote or printed is searched for it: stdout, stderr, the store and its WAL, run
 * directories (engine logs), `--output`, `runs show` and the JSON and CSV exports. Zero hits.
 */
const K = {
  env: 'sk-canaryENV0123456789abcdefXYZ',
  userinfo: 'canaryUSERINFO9876543210qwerty',
  query: 'canaryQUERY5555aaaa7777bbbb',
  flag: 'sk-canaryFLAG1111222233334444',
  config: 'sk-canaryCONFIG99998888777766',
  configUrl: 'canaryCFGURL3141592653abcdef',
  dead: 'canaryDEADHOST27182818284abc',
  badUrl: 'canaryBADURL16180339887xyz',
};
const basic = (password: string) => Buffer.from(`user:${password}`).toString('base64');
/** What must appear nowhere: each key and its Basic form, whole or their first 8 characters (a cut key). */
const NEEDLES = Object.values(K).flatMap((k) => [k, k.slice(0, 8), basic(k), basic(k).slice(0, 8)]);

const home = e2eHome();
let server: TestServer;
const seen = { bearer: 0, basic: 0, query: 0, echoedBody: 0, echoedEvent: 0 };
let streamed = 0;

/** An OpenAI-style server that checks the credentials and, now and then, repeats them in an error. */
async function handler(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const auth = req.headers.authorization ?? '';
  const ok =
    auth === `Bearer ${K.env}` ||
    auth === `Basic ${basic(K.userinfo)}` ||
    auth === `Basic ${basic(K.configUrl)}` ||
    url.searchParams.get('api_key') === K.query;
  const creds = `${auth} ${req.url}`;
  if (!ok) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `invalid credentials: ${creds}` } }));
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }));
    return;
  }
  const body = JSON.parse(await readBody(req)) as { stream?: boolean };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ text: 'x' }], system_fingerprint: 'fp-test' }));
    return;
  }
  const n = streamed++;
  if (auth.startsWith('Bearer')) seen.bearer++;
  if (auth.startsWith('Basic')) seen.basic++;
  if (url.searchParams.has('api_key')) seen.query++;
  if (n >= 8 && n % 40 === 9) {
    // A bearer key starts at byte 182 of the body: cutting at 200 bytes before masking would keep 18 of
    // its 30 characters (the fault issue 14 measured).
    seen.echoedBody++;
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(`{"error":{"message":"${'x'.repeat(144)} rejected ${creds}"}}`);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(sseToken('a'));
  if (n >= 8 && n % 40 === 29) {
    seen.echoedEvent++;
    res.end(`event: error\ndata: {"error":{"message":"upstream refused ${creds} (quota)"}}\n\n`);
    return;
  }
  res.end(
    `${sseToken('b')}${sseToken('c')}data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n` +
      'data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":3}}\n\ndata: [DONE]\n\n',
  );
}

const outputs: E2eResult[] = [];
const runIds: string[] = [];
const env = (extra: Record<string, string> = {}) => {
  const e: Record<string, string> = { OPENAI_API_KEY: '', ...extra };
  return { env: e, timeoutMs: 90_000 };
};
const attach = (endpoint: string, extra: string[] = []) =>
  runArgs('openai', ['--endpoint', endpoint, '--power-source', 'none', '--duration', '2', ...extra]);
const port = () => new URL(server.baseUrl).port;

async function bench(args: string[], opts = env()): Promise<E2eResult> {
  const out = join(home.dir, `out-${outputs.length}.json`);
  const r = await runBench([...args, '--output', out], home.dir, opts);
  outputs.push(r);
  const id = /run: (\w+)/.exec(r.stderr)?.[1];
  if (id) runIds.push(id);
  return r;
}

// Each run counts its own streamed requests: its first (the probe before the first level, which must
// succeed or the run stops) is never one the server fails on purpose.
beforeEach(() => {
  streamed = 0;
});

beforeAll(async () => {
  server = await startServer((req, res) => {
    handler(req, res).catch(() => res.destroy());
  });
});
afterAll(async () => {
  await server.close();
  home.cleanup();
});

describe('a canary key through every path never reaches output, store, logs or exports', () => {
  it('env var (--api-key-env): sent as a bearer token', async () => {
    const r = await bench(attach(server.baseUrl, ['--api-key-env', 'MY_KEY']), env({ MY_KEY: K.env }));
    expect(r.code, r.stderr).toBe(0);
    expect(seen.bearer).toBeGreaterThan(0);
  }, 90_000);

  it('URL userinfo: sent as Basic auth', async () => {
    const r = await bench(attach(`http://user:${K.userinfo}@127.0.0.1:${port()}/v1`));
    expect(r.code, r.stderr).toBe(0);
    expect(seen.basic).toBeGreaterThan(0);
    expect(r.stderr).toContain('http://<redacted>@127.0.0.1');
  }, 90_000);

  it('URL query: kept on every measured request', async () => {
    const before = seen.query;
    const r = await bench(attach(`http://127.0.0.1:${port()}/v1?api_key=${K.query}`));
    expect(r.code, r.stderr).toBe(0);
    expect(seen.query - before).toBeGreaterThan(10);
    expect(r.stderr).toContain('/v1?api_key=<redacted>');
  }, 90_000);

  it('the key itself given to --api-key-env: refused without echoing it, nothing stored', async () => {
    const r = await bench(attach(server.baseUrl, ['--api-key-env', K.flag]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --api-key-env takes the name of an environment variable.*\(not shown\)\n/,
    );
  });

  it('config file: the key as apiKeyEnv is refused; an endpoint with credentials works', async () => {
    const bad = join(home.dir, 'bad.yaml');
    writeFileSync(bad, `apiKeyEnv: ${K.config}\n`);
    const r1 = await bench(attach(server.baseUrl, ['--config', bad]));
    expect(r1.code).toBe(2);
    const good = join(home.dir, 'good.yaml');
    writeFileSync(good, `endpoint: http://user:${K.configUrl}@127.0.0.1:${port()}/v1\n`);
    const args = runArgs('openai', ['--config', good, '--power-source', 'none', '--duration', '2']);
    const r2 = await bench(args);
    expect(r2.code, r2.stderr).toBe(0);
  }, 90_000);

  it('errors: an unreachable endpoint and a malformed one, with credentials', async () => {
    const r1 = await bench(attach(`http://user:${K.dead}@127.0.0.1:9/v1`));
    expect(r1.code).toBe(3);
    const r2 = await bench(attach(`http://user:${K.badUrl}@exa mple.invalid/v1`));
    expect(r2.code).toBe(2);
  }, 90_000);

  it('a launched engine (its log in the run directory) with the env key', async () => {
    const r = await bench(
      runArgs('sim', ['--api-key-env', 'MY_KEY', '--power-source', 'none', '--duration', '2']),
      env({ MY_KEY: K.env }),
    );
    expect(r.code, r.stderr).toBe(0);
  }, 90_000);

  it('the server did echo the keys, and the stored errors show them masked', async () => {
    expect(seen.echoedBody).toBeGreaterThan(0);
    expect(seen.echoedEvent).toBeGreaterThan(0);
    const shown = await Promise.all(
      runIds.map((id) => runBench(['runs', 'show', id, '--format', 'json'], home.dir)),
    );
    const errors = shown.flatMap((s) =>
      (JSON.parse(s.stdout).requests as { data: { error?: string | null } }[])
        .map((q) => q.data?.error)
        .filter((e): e is string => typeof e === 'string'),
    );
    expect(errors.some((e) => e.includes('***'))).toBe(true);
  }, 60_000);

  it('zero hits in stdout, stderr, the store (and WAL), run files, --output and exports', async () => {
    const texts: [string, string][] = outputs.flatMap((o, i) => [
      [`stdout ${i}`, o.stdout],
      [`stderr ${i}`, o.stderr],
    ]);
    for (const id of runIds) {
      for (const args of [
        ['runs', 'show', id, '--format', 'json'],
        ['runs', 'show', id],
        ['runs', 'export', id, '--format', 'json'],
        ['runs', 'export', id, '--format', 'csv'],
      ]) {
        const r = await runBench(args, home.dir);
        texts.push([args.join(' '), r.stdout + r.stderr]);
      }
    }
    const list = await runBench(['runs', 'list'], home.dir);
    texts.push(['runs list', list.stdout]);
    // Every file under the home: store.sqlite, -wal, -shm, runs/<id>/ (engine logs), --output files.
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const p = join(dir, name);
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    const files = walk(home.dir).filter((p) => !p.endsWith('.yaml'));
    expect(files.some((p) => p.endsWith('store.sqlite-wal') || p.endsWith('store.sqlite'))).toBe(true);
    expect(files.some((p) => /engine-sim.*\.log$/.test(p))).toBe(true);
    for (const p of files) texts.push([p, readFileSync(p).toString('latin1')]);
    const hits = texts.flatMap(([where, text]) =>
      NEEDLES.filter((n) => text.includes(n)).map((n) => `${n} in ${where}`),
    );
    expect(hits).toEqual([]);
  }, 120_000);
});
