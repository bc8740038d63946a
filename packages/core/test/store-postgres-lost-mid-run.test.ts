import { afterAll, expect, it } from 'vitest';
import { collect, startCli, tempHome, waitForStderr, writePluginModule } from './helpers/cli.js';
import { startPgServer } from './helpers/pg.js';

const home = tempHome();
const plugin = writePluginModule(
  home.dir,
  `export const plugins = [definePlugin({
  id: 'test.slow', description: 'writes a record every 100 ms for 4 s', options: [],
  async run(ctx) {
    for (let i = 0; i < 40; i++) {
      ctx.writer.request({ level: 0, seq: i, status: 'ok' });
      if (i === 5) ctx.log.warn('writing');
      await new Promise((r) => setTimeout(r, 100));
    }
    await ctx.writer.flush();
    return {};
  },
})];`,
);
// A server of its own: this test stops it.
const server = startPgServer();
afterAll(() => {
  server.stop();
  home.cleanup();
});

it('the PostgreSQL server going away mid-run ends the run with one store error line, exit 5, no stack', async () => {
  const child = startCli(['run', 'test.slow', '--plugin-module', plugin, '--store', server.url], home.dir);
  const done = collect(child);
  await waitForStderr(child, 'writing');
  server.stop();
  const r = await done;
  expect(r.code).toBe(5);
  expect(r.stderr).toMatch(
    /^error: the run store at postgres:\/\/(bench|<redacted>)@127\.0\.0\.1:\d+\/postgres failed: /m,
  );
  expect(r.stderr).toMatch(/^hint: check that the PostgreSQL server is reachable/m);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
