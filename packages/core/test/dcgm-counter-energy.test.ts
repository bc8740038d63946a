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

test('DCGM energy is the counter slope times the window, and mean power is the slope', async () => {
  dcgm = await startFakeDcgm([300, 150]);
  meter = await createPowerMeter({ source: `dcgm:${dcgm.url}`, env: {} });
  await meter.start();
  await sleep(300);
  const startMs = performance.now();
  // 3 s: 1% of it (30 ms) is an honest bound for poll timing on a loaded 2-core machine.
  await sleep(3000);
  const endMs = performance.now();
  await sleep(200);
  const w = meter.window(startMs, endMs);
  expect(w.method).toBe('counter');
  expect(w.valid).toBe(true);
  const expectedJ = 450 * ((endMs - startMs) / 1000);
  expect(Math.abs(w.energyJ! - expectedJ) / expectedJ).toBeLessThan(0.01);
  expect(Math.abs(w.powerAvgW! - 450) / 450).toBeLessThan(0.01);
  expect(w.sampleHz).toBeGreaterThan(5);
  expect(meter.devices.map((d) => d.index)).toEqual([0, 1]);
  expect(meter.devices[0]!.name).toBe('NVIDIA H100 80GB HBM3');
  expect(meter.source).toBe(`dcgm:${dcgm.url}`);
});
