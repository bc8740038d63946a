import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { groupAlive, testContext, testPlan, useFakesOnPath, waitFor } from './fixtures/engines/helpers.js';

describe('an engine that never becomes ready', () => {
  it('fails with BENCH_ERR_ENGINE_START and the log tail after --ready-timeout, and is stopped', async () => {
    useFakesOnPath();
    const ctx = testContext();
    const pidFile = join(ctx.runDir, 'pid');
    process.env.FAKE_ENGINE_LOAD_S = '60';
    process.env.FAKE_ENGINE_PID_FILE = pidFile;
    try {
      const started = performance.now();
      const err = await acquireEngine(testPlan({ engine: 'llama.cpp', readyTimeout: 1.5 }), ctx).catch(
        (e) => e,
      );
      expect(err.code).toBe('BENCH_ERR_ENGINE_START');
      expect(err.exitCode).toBe(3);
      expect(err.message).toContain('did not become ready within 1.5 s');
      expect(err.message).toContain('fake llama.cpp: starting the simulator');
      expect(performance.now() - started).toBeLessThan(10_000);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(await waitFor(() => !groupAlive(pid), 5000)).toBe(true);
    } finally {
      delete process.env.FAKE_ENGINE_LOAD_S;
      delete process.env.FAKE_ENGINE_PID_FILE;
    }
  });
});
