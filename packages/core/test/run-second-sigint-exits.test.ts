import { afterAll, expect, it } from 'vitest';
import { collect, runCli, startCli, tempHome, waitForStderr, writePluginModule } from './helpers/cli.js';

const home = tempHome();
// A plugin that ignores the abort signal: only the second Ctrl-C can end it.
const plugin = writePluginModule(
  home.dir,
  `export const plugins = [definePlugin({
  id: 'test.stubborn', description: 'ignores the abort signal', options: [],
  async run(ctx) {
    for (let i = 0; i < 5; i++) ctx.writer.request({ level: 0, seq: i, status: 'ok' });
    ctx.log.warn('ready');
    await new Promise(() => setInterval(() => {}, 1000));
    return {};
  },
})];`,
);
afterAll(home.cleanup);

it('a second SIGINT exits 4 at once and saves the buffered records', async () => {
  const child = startCli(['run', 'test.stubborn', '--plugin-module', plugin], home.dir);
  const done = collect(child);
  await waitForStderr(child, 'ready');
  child.kill('SIGINT');
  await waitForStderr(child, 'SIGINT: stopping');
  child.kill('SIGINT');
  const r = await done;
  expect(r.code).toBe(4);
  const runs = JSON.parse((await runCli(['runs', 'list', '--format', 'json'], home.dir)).stdout);
  // The five requests were still in the 1 s write buffer when the signals came.
  expect(runs).toMatchObject([{ status: 'aborted', requests: 5 }]);
});
