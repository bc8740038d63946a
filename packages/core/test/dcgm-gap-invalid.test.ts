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

test('an exporter that stalls for more than 1 s makes the window invalid instead of guessing', async () => {
  dcgm = await startFakeDcgm([200]);
  meter = await createPowerMeter({ source: `dcgm:${dcgm.url}`, env: {} });
  await meter.start();
  await sleep(300);
  const startMs = performance.now();
  await sleep(200);
  dcgm.pause(1600);
  await sleep(1900);
  const endMs = performance.now();
  await sleep(300);
  const w = meter.window(startMs, endMs);
  expect(w.valid).toBe(false);
  expect(w.energyJ).toBeNull();
  expect(w.powerAvgW).toBeNull();
  expect(w.maxGapMs).toBeGreaterThan(1000);
  expect(w.invalidReason).toMatch(/gap of \d+ ms/);
  // A window after the stall is measured again.
  const after = meter.window(endMs + 100, performance.now() - 50);
  expect(after.valid).toBe(true);
});
