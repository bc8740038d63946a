import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { testContext, testPlan, useFakesOnPath } from './fixtures/engines/helpers.js';

describe('launching vllm with --hardware h100 --quant fp8', () => {
  it('passes the tuned flags, records the command line and the version', async () => {
    useFakesOnPath();
    const ctx = testContext();
    const argvFile = join(ctx.runDir, 'argv.jsonl');
    process.env.FAKE_ENGINE_ARGV_FILE = argvFile;
    const handle = await acquireEngine(testPlan({ engine: 'vllm', hardware: 'h100', quant: 'fp8' }), ctx);
    try {
      const got = JSON.parse(readFileSync(argvFile, 'utf8').trim()) as string[];
      expect(got.slice(0, 2)).toEqual(['serve', 'meta-llama/Llama-3.1-8B-Instruct']);
      const flag = (f: string) => got[got.indexOf(f) + 1];
      expect(flag('--max-num-seqs')).toBe('256');
      expect(flag('--kv-cache-dtype')).toBe('fp8');
      expect(flag('--quantization')).toBe('fp8');
      expect(got.filter((a) => a === '--quantization')).toHaveLength(1);
      expect(handle.commandLine?.slice(1)).toEqual(got);
      expect(handle.version).toEqual(expect.any(String));
      expect(handle.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(handle.metricsUrl).toBe(handle.baseUrl.replace(/\/v1$/, '/metrics'));
      expect(ctx.lines.some((l) => l.includes('tuned config vllm/h100/fp8'))).toBe(true);
    } finally {
      await handle.stop();
      delete process.env.FAKE_ENGINE_ARGV_FILE;
    }
  });
});
