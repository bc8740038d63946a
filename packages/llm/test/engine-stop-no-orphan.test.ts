import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { groupAlive, testContext, testPlan, useFakesOnPath } from './fixtures/engines/helpers.js';

describe('stop()', () => {
  it('leaves no process of the engine group behind', async () => {
    useFakesOnPath();
    const ctx = testContext();
    process.env.FAKE_ENGINE_PID_FILE = join(ctx.runDir, 'pid');
    try {
      const handle = await acquireEngine(testPlan({ engine: 'sglang' }), ctx);
      const pid = Number(readFileSync(join(ctx.runDir, 'pid'), 'utf8'));
      expect(groupAlive(pid)).toBe(true);
      await handle.stop();
      expect(groupAlive(pid)).toBe(false);
    } finally {
      delete process.env.FAKE_ENGINE_PID_FILE;
    }
  });

  it('SIGKILLs an engine that ignores SIGTERM after the grace period', async () => {
    useFakesOnPath();
    const ctx = testContext({ stopGraceMs: 500 });
    process.env.FAKE_ENGINE_PID_FILE = join(ctx.runDir, 'pid');
    process.env.FAKE_ENGINE_IGNORE_TERM = '1';
    try {
      const handle = await acquireEngine(testPlan({ engine: 'vllm' }), ctx);
      const pid = Number(readFileSync(join(ctx.runDir, 'pid'), 'utf8'));
      const started = performance.now();
      await handle.stop();
      expect(groupAlive(pid)).toBe(false);
      expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    } finally {
      delete process.env.FAKE_ENGINE_PID_FILE;
      delete process.env.FAKE_ENGINE_IGNORE_TERM;
    }
  });
});
