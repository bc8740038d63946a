import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchEnv, engineGone, runArgs, runBench, sandbox } from './e2e-helpers.js';

// Issue 10 §3 / SPEC §12: a run whose engine died still prints its JSON document with --format json
// and writes --output, so a script sees `failed`, the reason and what was measured.
describe('the engine dies mid-run under --format json --output (fake vllm)', () => {
  const box = sandbox();
  afterAll(() => box.cleanup());

  it('stdout is the failed run document, the same as the --output file; exit 3', async () => {
    const out = join(box.home, 'result.json');
    const env = benchEnv(box, { FAKE_ENGINE_DIE_AFTER_S: '8' });
    const args = runArgs('vllm', [
      '--duration',
      '60',
      '--power-source',
      'none',
      '--format',
      'json',
      '--output',
      out,
    ]);
    const r = await runBench(args, env, 40_000);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/error: vllm .* during the run/);
    const printed = JSON.parse(r.stdout) as { status: string; error: string; levels: unknown[] };
    expect(printed.status).toBe('failed');
    expect(printed.error).toContain('during the run');
    expect(printed.levels).toHaveLength(1);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
    expect(await engineGone(box, 500)).toBe(true);
  });
});
