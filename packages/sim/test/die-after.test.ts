import { describe, expect, it } from 'vitest';
import { spawnSim } from './helpers.js';

describe('--die-after-s', () => {
  it('exits with status 1 after the given seconds, like an engine crash', async () => {
    const sim = await spawnSim(['--die-after-s', '0.5']);
    const t0 = performance.now();
    const code = await sim.exited;
    expect(code).toBe(1);
    expect(performance.now() - t0).toBeGreaterThan(300);
  });

  it('exits 0 on SIGTERM', async () => {
    const sim = await spawnSim(['--flavor', 'sglang']);
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
  });

  it('refuses an unknown flavor with a one-line error and exit code 2', async () => {
    await expect(spawnSim(['--flavor', 'tgi'])).rejects.toThrow(/exited \(2\).*invalid value for --flavor/s);
  });
});
