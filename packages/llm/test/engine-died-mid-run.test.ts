import { describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { testContext, testPlan, useFakesOnPath } from './fixtures/engines/helpers.js';

describe('an engine that dies during the run', () => {
  it('rejects `died` with BENCH_ERR_ENGINE_DIED and the log tail', async () => {
    useFakesOnPath();
    process.env.FAKE_ENGINE_DIE_AFTER_S = '1.5';
    try {
      const handle = await acquireEngine(testPlan({ engine: 'vllm' }), testContext());
      try {
        const err = await Promise.race([
          handle.died.catch((e) => e),
          new Promise((r) => setTimeout(() => r('still alive'), 15_000)),
        ]);
        expect((err as { code?: string }).code).toBe('BENCH_ERR_ENGINE_DIED');
        expect((err as Error).message).toMatch(/vllm (exited|failed \d+ health checks)/);
        expect((err as Error).message).toContain('last lines of engine-vllm-1.log');
        expect((err as { exitCode?: number }).exitCode).toBe(3);
      } finally {
        await handle.stop();
      }
    } finally {
      delete process.env.FAKE_ENGINE_DIE_AFTER_S;
    }
  });

  it('does not reject `died` when the engine is stopped on purpose', async () => {
    useFakesOnPath();
    const handle = await acquireEngine(testPlan({ engine: 'vllm' }), testContext());
    await handle.stop();
    const outcome = await Promise.race([
      handle.died.then(
        () => 'resolved',
        () => 'rejected',
      ),
      new Promise((r) => setTimeout(() => r('pending'), 500)),
    ]);
    expect(outcome).toBe('pending');
  });
});
