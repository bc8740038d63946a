import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_BACKENDS } from './helpers/backends.js';
import { echoPlugin, runCli as runCliIn, tempHome } from './helpers/cli.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

describe.each(STORE_BACKENDS)(
  'a plugin written in a test runs and its records come back ($kind store)',
  (backend) => {
    let runId = '';
    // The store is named by $INFERENCEBENCH_STORE: a file path or a postgres:// URL.
    const env: Record<string, string> = {};
    beforeAll(async () => {
      env.INFERENCEBENCH_STORE = await backend.location(home.dir);
    });
    const runCli = (args: string[], dir: string) => runCliIn(args, dir, env);

    it('run --format json prints only the document; --output writes it too; secrets are redacted', async () => {
      const out = join(home.dir, 'out.json');
      const r = await runCli(
        [
          'run',
          'test.echo',
          '--plugin-module',
          plugin,
          '--count',
          '4',
          '--token',
          's3cret',
          '--format',
          'json',
          '--output',
          out,
        ],
        home.dir,
      );
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      runId = doc.run_id;
      expect(runId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(doc.status).toBe('complete');
      expect(doc.plan).toEqual({ count: 4, token: '<redacted>', seed: 42 });
      // The plugin itself saw the secret; nothing stored or printed did.
      expect(doc.summary.tokenSeen).toBe('s3cret');
      expect(r.stderr).not.toContain('s3cret');
      expect(JSON.parse(readFileSync(out, 'utf8')).run_id).toBe(runId);
      expect(doc.environment).toMatchObject({ tool: 'inferencebench', node: process.versions.node });
    });

    it('runs show --format json returns levels (by index), requests and samples; a prefix is enough', async () => {
      const r = await runCli(['runs', 'show', runId.slice(0, 20), '--format', 'json'], home.dir);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.levels).toEqual([{ concurrency: 1, first_random: expect.any(Number) }, { concurrency: 8 }]);
      expect(doc.requests).toHaveLength(4);
      expect(doc.requests[3]).toEqual({
        level: 0,
        seq: 3,
        status: 'ok',
        phase: null,
        ttft_ms: 13,
        tpot_ms: null,
        e2e_ms: 103,
        n_in: null,
        n_out: 5,
        data: { server: 'a', note: 'x,y' },
      });
      expect(doc.samples).toEqual([{ series: 'power_w', t_ms: 1000, value: 250.5, labels: { gpu: '0' } }]);
    });

    it('runs export --format csv has one row per request', async () => {
      const r = await runCli(['runs', 'export', runId, '--format', 'csv'], home.dir);
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe('run_id,level,seq,status,phase,ttft_ms,tpot_ms,e2e_ms,n_in,n_out,server,note');
      expect(lines).toHaveLength(5);
      expect(lines[1]).toBe(`${runId},0,0,ok,,10,,100,,5,a,"x,y"`);
    });

    it('runs list shows the run', async () => {
      const r = await runCli(['runs', 'list', '--format', 'json'], home.dir);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject([
        { run_id: runId, plugin: 'test.echo', status: 'complete', requests: 4 },
      ]);
    });
  },
);
