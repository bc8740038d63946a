import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eHome, runBench } from './e2e-cli.js';
import { type FaultServer, startFaultServer } from './fixtures/fault-server.js';

// Issue 10 §2 through the CLI: a server that answers every request with `data: [DONE]` alone (today 66,937
// `ok`), or with llama.cpp's native stream (no `choices`, `/v1` left off), never yields an `ok` request; the
// reason reaches the user (stored per request, or printed when the run stops on it).
let server: FaultServer;
const home = e2eHome();
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
  home.cleanup();
});

describe('non-success streams through the CLI', () => {
  it.each([
    ['done-only', 'stream ended without a content token'],
    ['no-choices', 'stream has no `choices`'],
  ])('%s: no request is ok and the reason is given', async (mode, reason) => {
    const store = join(home.dir, `${mode}.sqlite`);
    const r = await runBench(
      [
        'run',
        'llm.inference',
        '--engine',
        'openai',
        '--endpoint',
        server.baseUrl(mode),
        '--model',
        'm',
        '--tokenizer',
        'words',
        '--dataset',
        'synthetic',
        '--input-len',
        '8',
        '--output-len',
        '8',
        '--concurrency',
        '2',
        '--duration',
        '1',
        '--warmup-runs',
        '1',
        '--gate-timeout',
        '0.5',
        '--power-source',
        'none',
        '--store',
        store,
      ],
      home.dir,
      { env: { OPENAI_API_KEY: 'sk-fault-test' }, timeoutMs: 40_000 },
    );
    const db = new Database(store, { readonly: true });
    try {
      const rows = db.prepare('SELECT status, data FROM requests').all() as {
        status: string;
        data: string;
      }[];
      expect(rows.filter((q) => q.status === 'ok')).toHaveLength(0);
      const errors = rows.map((q) => (JSON.parse(q.data) as { error: string | null }).error ?? '');
      expect(rows.length > 0 ? errors.every((e) => e.startsWith(reason)) : r.stderr.includes(reason)).toBe(
        true,
      );
    } finally {
      db.close();
    }
  });
});
