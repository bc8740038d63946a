import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { e2eHome, runBench } from './e2e-cli.js';

const home = e2eHome();
afterAll(() => home.cleanup());

/** One `error:` line and one `hint:` line, no stack. */
function expectOneLineError(stderr: string, message: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^hint: /);
}

describe('bench report and --report with bad input', () => {
  it('names an unknown run id, exits 2 and writes no file', async () => {
    const out = join(home.dir, 'nope.html');
    const r = await runBench(['report', '01NOSUCHRUN', '--out', out], home.dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^error: no run with id 01NOSUCHRUN in /);
    expect(existsSync(out)).toBe(false);
  });

  it('asks for --out', async () => {
    const r = await runBench(['report', '01ANY'], home.dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^error: missing required option --out$/);
  });

  it('refuses a --report path in a missing directory before the run starts (no run record)', async () => {
    const r = await runBench(
      [
        'run',
        'llm.inference',
        '--engine',
        'sim',
        '--model',
        'llama-3.1-8b',
        '--report',
        '/nonexistent-dir/r.html',
      ],
      home.dir,
    );
    expect(r.code).toBe(2);
    expectOneLineError(
      r.stderr,
      /^error: --report \/nonexistent-dir\/r\.html: \/nonexistent-dir is not a directory$/,
    );
    const list = await runBench(['runs', 'list', '--format', 'json'], home.dir);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });
});
