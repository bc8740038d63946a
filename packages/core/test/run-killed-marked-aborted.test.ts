import { afterAll, expect, it } from 'vitest';
import { collect, runCli, startCli, tempHome, waitForStderr, writePluginModule } from './helpers/cli.js';

const home = tempHome();
const plugin = writePluginModule(
  home.dir,
  `export const plugins = [definePlugin({
  id: 'test.hang', description: 'writes, then hangs', options: [],
  async run(ctx) {
    for (let i = 0; i < 3; i++) ctx.writer.request({ level: 0, seq: i, status: 'ok' });
    ctx.writer.flush();
    ctx.log.warn('flushed');
    await new Promise(() => setInterval(() => {}, 1000));
    return {};
  },
})];`,
);
afterAll(home.cleanup);

it('a run whose process was SIGKILLed is marked aborted on the next start, its data kept', async () => {
  const child = startCli(['run', 'test.hang', '--plugin-module', plugin], home.dir);
  const done = collect(child);
  await waitForStderr(child, 'flushed');
  child.kill('SIGKILL');
  await done;
  const r = await runCli(['runs', 'list', '--format', 'json'], home.dir);
  expect(r.code).toBe(0);
  const [run] = JSON.parse(r.stdout);
  expect(run).toMatchObject({ plugin: 'test.hang', status: 'aborted', requests: 3 });
  const shown = JSON.parse((await runCli(['runs', 'show', run.run_id, '--format', 'json'], home.dir)).stdout);
  expect(shown.error).toMatch(/ended without finishing/);
});
