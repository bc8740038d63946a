import { describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { testContext, testPlan, useFakesOnPath } from './fixtures/engines/helpers.js';

describe('an engine that exits before it is ready', () => {
  it('fails with BENCH_ERR_ENGINE_START carrying the last lines of its log', async () => {
    useFakesOnPath();
    process.env.FAKE_ENGINE_FAIL = 'torch.OutOfMemoryError: CUDA out of memory';
    try {
      const err = await acquireEngine(testPlan({ engine: 'vllm' }), testContext()).catch((e) => e);
      expect(err.code).toBe('BENCH_ERR_ENGINE_START');
      expect(err.message).toContain('exited (code 1) before it was ready');
      expect(err.message).toContain('CUDA out of memory');
      expect(err.hint).toMatch(/engine-vllm-1\.log$/);
    } finally {
      delete process.env.FAKE_ENGINE_FAIL;
    }
  });

  it('rejects flags the real engine does not know (argparse exit 2)', async () => {
    useFakesOnPath();
    const err = await acquireEngine(
      testPlan({ engine: 'vllm', engineArg: ['--no-such-flag'] }),
      testContext(),
    ).catch((e) => e);
    expect(err.code).toBe('BENCH_ERR_ENGINE_START');
    expect(err.message).toContain('unrecognized arguments: --no-such-flag');
  });

  it('names the missing executable when it is not on PATH', async () => {
    const err = await acquireEngine(
      testPlan({ engine: 'vllm', engineBin: '/nonexistent/bin/vllm' }),
      testContext(),
    ).catch((e) => e);
    expect(err.code).toBe('BENCH_ERR_ENGINE_START');
    expect(err.message).toContain('"/nonexistent/bin/vllm" was not found');
    expect(err.hint).toContain('--engine-bin');
  });
});
