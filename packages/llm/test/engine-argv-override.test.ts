import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { FAKES_DIR, testContext, testPlan } from './fixtures/engines/helpers.js';

describe('--engine-bin and --engine-arg', () => {
  it('replace the executable (the python of `python3 -m sglang...`) and append arguments', async () => {
    const ctx = testContext();
    const argvFile = join(ctx.runDir, 'argv.jsonl');
    process.env.FAKE_ENGINE_ARGV_FILE = argvFile;
    try {
      // Not on PATH: only --engine-bin can find it.
      const handle = await acquireEngine(
        testPlan({
          engine: 'sglang',
          engineBin: join(FAKES_DIR, 'python3'),
          engineArg: ['--stream-interval', '4'],
          tp: 2,
          quant: 'bf16',
        }),
        ctx,
      );
      await handle.stop();
      const got = JSON.parse(readFileSync(argvFile, 'utf8').trim()) as string[];
      expect(handle.commandLine?.[0]).toBe(join(FAKES_DIR, 'python3'));
      expect(got.slice(0, 2)).toEqual(['-m', 'sglang.launch_server']);
      expect(got).toContain('--enable-metrics');
      expect(got.slice(-2)).toEqual(['--stream-interval', '4']);
      expect(got[got.indexOf('--tp-size') + 1]).toBe('2');
      expect(got[got.indexOf('--dtype') + 1]).toBe('bfloat16');
    } finally {
      delete process.env.FAKE_ENGINE_ARGV_FILE;
    }
  });
});
