import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_BACKENDS } from './helpers/backends.js';
import { collect, runCli, startCli, tempHome, waitForStderr, writePluginModule } from './helpers/cli.js';

const home = tempHome();
const plugin = writePluginModule(
  home.dir,
  `export const plugins = [definePlugin({
  id: 'test.hang', description: 'writes, then hangs', options: [],
  async run(ctx) {
    for (let i = 0; i < 3; i++) ctx.writer.request({ level: 0, seq: i, status: 'ok' });
    await ctx.writer.flush();
    ctx.log.warn('flushed');
    await new Promise(() => setInterval(() => {}, 1000));
    return {};
  },
})];`,
);
afterAll(home.cleanup);

// SQLite: the dead pid on this host marks the run at once. PostgreSQL: the writer may be on another
// machine, so its heartbeat is the rule (threshold shortened to 2 s here; 30 s by default).
describe.each(STORE_BACKENDS)('$kind store', (backend) => {
  const env: Record<string, string> = { INFERENCEBENCH_STALE_AFTER_S: '2' };
  beforeAll(async () => {
    env.INFERENCEBENCH_STORE = await backend.location(home.dir);
  });

  it('a run whose process was SIGKILLed is marked aborted, its data kept', async () => {
    const child = startCli(['run', 'test.hang', '--plugin-module', plugin], home.dir, env);
    const done = collect(child);
    await waitForStderr(child, 'flushed');
    child.kill('SIGKILL');
    await done;
    if (backend.kind === 'postgres') {
      // Before the threshold the run still looks alive; after it, it is aborted.
      const early = await runCli(['runs', 'list', '--format', 'json'], home.dir, env);
      expect(JSON.parse(early.stdout)[0].status).toBe('running');
      await new Promise((r) => setTimeout(r, 2500));
    }
    const r = await runCli(['runs', 'list', '--format', 'json'], home.dir, env);
    expect(r.code).toBe(0);
    const [run] = JSON.parse(r.stdout);
    expect(run).toMatchObject({ plugin: 'test.hang', status: 'aborted', requests: 3 });
    const shown = JSON.parse(
      (await runCli(['runs', 'show', run.run_id, '--format', 'json'], home.dir, env)).stdout,
    );
    expect(shown.error).toMatch(backend.kind === 'sqlite' ? /ended without finishing/ : /no heartbeat/);
  });
});
