import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { type FakeDcgm, sleep, startFakeDcgm } from './fixtures/power/dcgm-server.js';

let dcgm: FakeDcgm | null = null;
let meter: PowerMeter | null = null;
afterEach(async () => {
  await meter?.stop();
  await dcgm?.close();
});

test('an exporter without the energy counter falls back to the integral of sampled power', async () => {
  dcgm = await startFakeDcgm([320], { withEnergy: false });
  meter = await createPowerMeter({ source: `dcgm:${dcgm.url}`, env: {} });
  await meter.start();
  await sleep(300);
  const startMs = performance.now();
  await sleep(1000);
  const endMs = performance.now();
  await sleep(200);
  const w = meter.window(startMs, endMs);
  expect(w.method).toBe('integral');
  expect(w.valid).toBe(true);
  expect(Math.abs(w.energyJ! - 320 * ((endMs - startMs) / 1000))).toBeLessThan(0.5);
  expect(w.powerAvgW!).toBeCloseTo(320, 6);
});
