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

test('an energy counter that goes backwards inside the window makes it invalid', async () => {
  dcgm = await startFakeDcgm([250, 250]);
  meter = await createPowerMeter({ source: `dcgm:${dcgm.url}`, env: {} });
  await meter.start();
  await sleep(300);
  const before = performance.now();
  await sleep(1200);
  const startMs = performance.now();
  await sleep(400);
  dcgm.shiftCounter(1, -50_000); // 50 J backwards on GPU 1
  await sleep(400);
  const endMs = performance.now();
  await sleep(200);
  const w = meter.window(startMs, endMs);
  expect(w.valid).toBe(false);
  expect(w.energyJ).toBeNull();
  expect(w.invalidReason).toMatch(/backwards/);
  // The window before the reset is untouched by it.
  const clean = meter.window(before, startMs - 150);
  expect(clean.valid).toBe(true);
  // Validity is under test here; 5% leaves room for poll timing on a loaded machine.
  expect(Math.abs(clean.powerAvgW! - 500) / 500).toBeLessThan(0.05);
});
