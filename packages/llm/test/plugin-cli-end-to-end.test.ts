import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTimedServer, type TimedServer } from './driver-helpers.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../core/dist/bin.js');

describe('bench run llm.inference end to end (CLI, real client, store)', () => {
  let server: TimedServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTimedServer({ ttftMs: 10, gapMs: 3, tokens: 8 });
    dir = mkdtempSync(join(tmpdir(), 'ib-e2e-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the block and the table, and `bench runs show --format json` has the levels', async () => {
    const store = join(dir, 'runs.sqlite');
    const env = { ...process.env, OPENAI_API_KEY: 'sk-e2e-secret' };
    const args = [
      BIN,
      'run',
      'llm.inference',
      '--engine',
      'openai',
      '--endpoint',
      server.baseUrl,
      '--model',
      'M',
      '--dataset',
      'synthetic',
      '--tokenizer',
      'words',
      '--input-len',
      '8',
      '--output-len',
      '8',
      '--concurrency',
      '1,4',
      '--duration',
      '1',
      '--warmup-runs',
      '1',
      '--gate-window',
      '4',
      '--gate-cov',
      '0.5',
      '--gate-timeout',
      '2',
      '--store',
      store,
    ];
    const out = await run(process.execPath, args, { env, timeout: 60_000 });
    expect(out.stdout).toMatch(/Run id: (\S+)/);
    expect(out.stdout).toMatch(/\nModel: M @ /);
    expect(out.stdout).toMatch(/\nEngine: openai /);
    expect(out.stdout).toMatch(/\nMetrics:\n {2}ttft_p50_ms/);
    expect(out.stdout).toMatch(/\nlevel\s+conc/);
    const id = /Run id: (\S+)/.exec(out.stdout)![1]!;
    const shown = await run(
      process.execPath,
      [BIN, 'runs', 'show', id, '--format', 'json', '--store', store],
      {
        env,
        timeout: 30_000,
      },
    );
    const doc = JSON.parse(shown.stdout) as {
      levels: { concurrency: number }[];
      summary: unknown;
      status: string;
    };
    expect(doc.status).toBe('complete');
    expect(doc.levels.map((l) => l.concurrency)).toEqual([1, 4]);
    expect(doc.summary).toHaveProperty('goodput_at_slo');
    expect(shown.stdout + out.stdout + out.stderr).not.toContain('sk-e2e-secret');
  });
});
