import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, startCli, tempHome, waitForStderr, writePluginModule } from './helpers/cli.js';

const home = tempHome();
// test.dies: writes a level and requests, then fails the way an engine death does (exit 3), or, with
// --wait, waits for Ctrl-C.
const plugin = writePluginModule(
  home.dir,
  `export const plugins = [definePlugin({
  id: 'test.dies', description: 'fails after measuring a little',
  options: [{ key: 'wait', flag: '--wait', description: 'wait for a signal', schema: z.coerce.boolean(), default: false }],
  async run(ctx) {
    for (let i = 0; i < 5; i++) ctx.writer.request({ level: 0, seq: i, status: 'ok', fields: { ttft_ms: i } });
    ctx.writer.level(0, { concurrency: 1, measured: 5 });
    if (ctx.plan.wait) {
      ctx.log.warn('waiting');
      // A timer keeps the event loop alive while waiting, as a real plugin's sockets do.
      const keepAlive = setInterval(() => {}, 1000);
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      clearInterval(keepAlive);
      return {};
    }
    const err = new Error('engine exited (code 137) during the run');
    err.name = 'BenchError'; err.code = 'BENCH_ERR_ENGINE_DIED'; err.exitCode = 3; err.hint = 'see its log';
    throw err;
  },
})];`,
);
afterAll(home.cleanup);

// Issue 10 §3 / SPEC §12: a failed or aborted run still prints its document and writes --output.
describe('a run that does not complete still gives its JSON document', () => {
  it('failed (engine died): stdout and --output hold the document, exit 3, the error on stderr', async () => {
    const out = join(home.dir, 'failed.json');
    const r = await collect(
      startCli(
        ['run', 'test.dies', '--plugin-module', plugin, '--format', 'json', '--output', out],
        home.dir,
      ),
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: engine exited (code 137) during the run');
    const printed = JSON.parse(r.stdout);
    expect(printed.status).toBe('failed');
    expect(printed.error).toContain('engine exited');
    expect(printed.levels).toEqual([{ concurrency: 1, measured: 5 }]);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
  });

  it('failed, table format: --output is still written', async () => {
    const out = join(home.dir, 'failed-table.json');
    const r = await collect(
      startCli(['run', 'test.dies', '--plugin-module', plugin, '--output', out], home.dir),
    );
    expect(r.code).toBe(3);
    expect(JSON.parse(readFileSync(out, 'utf8')).status).toBe('failed');
  });

  it('aborted (SIGINT): stdout and --output hold the document, exit 4', async () => {
    const out = join(home.dir, 'aborted.json');
    const child = startCli(
      ['run', 'test.dies', '--plugin-module', plugin, '--wait', '--format', 'json', '--output', out],
      home.dir,
    );
    const done = collect(child);
    await waitForStderr(child, 'waiting');
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(4);
    const printed = JSON.parse(r.stdout);
    expect(printed.status).toBe('aborted');
    expect(printed.levels).toHaveLength(1);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
  });
});
