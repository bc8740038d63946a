import { afterAll, expect, it } from 'vitest';
import { collect, runCli, startCli, tempHome, waitForStderr, writePluginModule } from './helpers/cli.js';

const home = tempHome();
// Writes a request every 20 ms until aborted, then one more level record (the "flush on the way out").
const plugin = writePluginModule(
  home.dir,
  `export const plugins = [definePlugin({
  id: 'test.slow', description: 'runs until aborted', options: [],
  async run(ctx) {
    let seq = 0;
    while (!ctx.signal.aborted) {
      ctx.writer.request({ level: 0, seq: seq++, status: 'ok', fields: { ttft_ms: seq } });
      if (seq === 10) ctx.log.warn('wrote 10');
      await new Promise((r) => setTimeout(r, 20));
    }
    ctx.writer.level(0, { stopped_after: seq });
    return {};
  },
})];`,
);
afterAll(home.cleanup);

it('SIGINT mid-run: the plugin stops, everything is kept, run aborted, exit 4', async () => {
  const child = startCli(['run', 'test.slow', '--plugin-module', plugin, '--format', 'json'], home.dir);
  const done = collect(child);
  await waitForStderr(child, 'wrote 10');
  child.kill('SIGINT');
  const r = await done;
  expect(r.code).toBe(4);
  expect(r.stderr).toMatch(
    /error: run \w+ aborted; what was measured is stored\nhint: bench runs show \w+\n$/,
  );
  // The partial document is still printed on stdout.
  const printed = JSON.parse(r.stdout);
  expect(printed.status).toBe('aborted');
  const shown = JSON.parse(
    (await runCli(['runs', 'show', printed.run_id, '--format', 'json'], home.dir)).stdout,
  );
  expect(shown.status).toBe('aborted');
  expect(shown.requests.length).toBeGreaterThanOrEqual(10);
  expect(shown.levels).toEqual([{ stopped_after: shown.requests.length }]);
});
