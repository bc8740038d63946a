import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { e2eHome, runBench } from './e2e-cli.js';
import { attachArgs, startFailingServer } from './failing-server.js';

describe('the probe request (SPEC §14)', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  for (const status of [404, 500]) {
    it(`a server answering ${status} to every request stops the run before the first level: failed, exit 3`, async () => {
      const server = await startFailingServer({
        ok: () => false,
        status,
        body: `{"detail":"Not Found ${status}"}\nsecond line never printed`,
      });
      const store = join(home.dir, `probe-${status}.sqlite`);
      const r = await runBench(
        attachArgs(server.baseUrl, store, ['--concurrency', '4', '--duration', '5']),
        home.dir,
      );
      const posts = server.posts();
      await server.close();
      expect(r.code).toBe(3);
      // One line with the status and the body's first line, then a hint; no stack.
      expect(r.stderr).toMatch(
        new RegExp(
          `error: the probe request failed: http_error \\(HTTP ${status}\\): HTTP ${status}: \\{"detail":"Not Found ${status}"\\}\\n`,
        ),
      );
      expect(r.stderr).not.toContain('second line never printed');
      expect(r.stderr).toMatch(/hint: check --endpoint/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // Nothing but the probe was sent.
      expect(posts).toBe(1);
      const list = await runBench(['runs', 'list', '--store', store, '--format', 'json'], home.dir);
      const runs = JSON.parse(list.stdout) as { status: string }[];
      expect(runs.map((x) => x.status)).toEqual(['failed']);
    });
  }
});
