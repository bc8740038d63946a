import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, echoPlugin, runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

/**
 * Run the CLI with a reader that takes one chunk, then waits `pauseMs` before the next: the pipe stays
 * full, so the CLI's own queue holds most of the output when its command is done.
 */
function throughSlowReader(args: string[], pauseMs = 40): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, INFERENCEBENCH_HOME: home.dir, INFERENCEBENCH_PLUGIN_MODULES: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), pauseMs);
  });
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks).toString('utf8') })),
  );
}

// Issue 10 §3: output on a pipe used to be cut at 65,536 bytes (process.exit before stdout drained).
describe('output to a slow pipe arrives whole', () => {
  let runId = '';
  const count = 6000;

  it('stores a run with thousands of requests', async () => {
    const r = await runCli(
      [
        'run',
        'test.echo',
        '--plugin-module',
        plugin,
        '--count',
        String(count),
        '--format',
        'json',
        '--quiet',
      ],
      home.dir,
    );
    expect(r.code, r.stderr).toBe(0);
    runId = JSON.parse(r.stdout).run_id;
  });

  it('runs show --format json: over 1 MB, parsed whole', async () => {
    const r = await throughSlowReader(['runs', 'show', runId, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(1_000_000);
    const doc = JSON.parse(r.stdout);
    expect(doc.run_id).toBe(runId);
    expect(doc.requests).toHaveLength(count);
    expect(doc.requests[count - 1].seq).toBe(count - 1);
  }, 60_000);

  it('runs export --format csv: every row, the last one complete', async () => {
    const r = await throughSlowReader(['runs', 'export', runId, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(65_536);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(count + 1);
    expect(lines[count]).toMatch(new RegExp(`^${runId},0,${count - 1},ok,`));
    expect(r.stdout.endsWith('\n')).toBe(true);
  }, 60_000);

  it('a reader that stops early (| head) ends the command without an error', async () => {
    const child = spawn(process.execPath, [BIN, 'runs', 'show', runId, '--format', 'json'], {
      env: { ...process.env, INFERENCEBENCH_HOME: home.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
