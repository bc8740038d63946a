import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { sleep } from './fixtures/power/dcgm-server.js';

const FAKE = fileURLToPath(new URL('./fixtures/power/fake-nvidia-smi.mjs', import.meta.url));
let meter: PowerMeter | null = null;
afterEach(async () => {
  await meter?.stop();
});

test('nvidia-smi streaming CSV at -lms 100: energy is the integral of the summed power', async () => {
  meter = await createPowerMeter({ source: 'nvidia-smi', nvidiaSmiPath: FAKE, env: {} });
  expect(meter.devices).toEqual([
    { index: 0, name: 'NVIDIA H100 80GB HBM3', powerLimitW: 700 },
    { index: 1, name: 'NVIDIA H100 80GB HBM3', powerLimitW: 700 },
    { index: 2, name: 'NVIDIA H100 80GB HBM3', powerLimitW: 700 },
  ]);
  await meter.start();
  await sleep(300);
  const startMs = performance.now();
  await sleep(1200);
  const endMs = performance.now();
  await sleep(150);
  const w = meter.window(startMs, endMs);
  // GPU 0 and 1 report power.draw.instant; GPU 2 has [N/A] there, so its power.draw (101 W) counts.
  const expectedW = 300.5 + 200.25 + 101;
  expect(w.method).toBe('integral');
  expect(w.valid).toBe(true);
  expect(w.powerAvgW!).toBeCloseTo(expectedW, 6);
  expect(w.energyJ!).toBeCloseTo(expectedW * ((endMs - startMs) / 1000), 6);
  expect(w.sampleHz).toBeGreaterThan(6);
  expect(w.sampleHz).toBeLessThan(14);
  expect(meter.samples().at(-1)!.perDeviceW).toEqual([300.5, 200.25, 101]);
  expect(meter.detail).toMatch(/instant/);
});

test('nvidia-smi with --gpus sums only the selected GPUs', async () => {
  meter = await createPowerMeter({ source: 'nvidia-smi', nvidiaSmiPath: FAKE, gpus: [1], env: {} });
  await meter.start();
  await sleep(300);
  const startMs = performance.now();
  await sleep(500);
  const w = meter.window(startMs, performance.now());
  expect(w.powerAvgW!).toBeCloseTo(200.25, 6);
  expect(meter.devices.map((d) => d.index)).toEqual([1]);
});
