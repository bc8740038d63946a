import { describe, expect, it } from 'vitest';
import { loadProfile, startSimServer, stepPowerW } from '../src/index.js';
import { http, stream } from './helpers.js';

function dcgm(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{gpu="0"`));
  return Number(line!.split(' ').at(-1));
}

describe('power model and energy counter', () => {
  it('integrates idle power while idle and the step power of a batch-8 decode under load (idle W x ms = mJ)', async () => {
    const profile = loadProfile('llama-3.1-8b');
    const sim = await startSimServer({ profile });
    const engine = sim.engine;
    // Read the meter and the clock together (in-process) so that HTTP latency does not blur the rate.
    const read = () => ({ t: performance.now(), energyMj: engine.energyMjNow(), powerW: engine.powerW() });
    try {
      const idleW = profile.power.idleWPerGpu;
      const a = read();
      await new Promise((r) => setTimeout(r, 300));
      const b = read();
      expect(a.powerW).toBe(idleW);
      expect(Math.abs((b.energyMj - a.energyMj) / (b.t - a.t) / idleW - 1)).toBeLessThan(0.05);
      // The DCGM endpoint shows the same meter (W, and mJ as an integer counter).
      const text = (await http(`${sim.url}/dcgm/metrics`)).body;
      expect(dcgm(text, 'DCGM_FI_DEV_POWER_USAGE')).toBe(idleW);
      expect(dcgm(text, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toBeGreaterThanOrEqual(
        Math.floor(b.energyMj),
      );

      const load = Array.from({ length: 8 }, () =>
        stream(`${sim.url}/v1/completions`, {
          prompt: [1, 2, 3, 4],
          max_tokens: 400,
          ignore_eos: true,
          stream: true,
        }),
      );
      // Wait until all 8 decode together, then measure over a stretch of pure decode steps.
      while (engine.running < 8) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 60));
      const c = read();
      await new Promise((r) => setTimeout(r, 1000));
      const d = read();
      const decodeW = stepPowerW(profile, 8);
      expect(decodeW).toBeGreaterThan(480);
      expect(decodeW).toBeLessThan(profile.gpu.powerLimitW);
      expect(d.powerW).toBeCloseTo(decodeW, 6);
      // 10%: a CPU-starved timer holds the meter at the end of the late step (model time) for a while.
      expect(Math.abs((d.energyMj - c.energyMj) / (d.t - c.t) / decodeW - 1)).toBeLessThan(0.1);
      // Closing the server below drops the streams.
      void Promise.allSettled(load);
    } finally {
      await sim.close();
    }
  });
});
