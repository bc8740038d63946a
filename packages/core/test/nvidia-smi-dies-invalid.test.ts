import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { sleep } from './fixtures/power/dcgm-server.js';

const DIES = fileURLToPath(new URL('./fixtures/power/fake-nvidia-smi-dies.mjs', import.meta.url));
let meter: PowerMeter | null = null;
afterEach(async () => {
  await meter?.stop();
});

test('nvidia-smi dying mid-run invalidates later windows without crashing', async () => {
  meter = await createPowerMeter({ source: 'nvidia-smi', nvidiaSmiPath: DIES, env: {} });
  await meter.start();
  const earlyStart = performance.now();
  await sleep(600);
  const earlyEnd = performance.now();
  await sleep(1000); // the fake exits 1 s after it started
  const lateStart = performance.now();
  await sleep(1300);
  const lateEnd = performance.now();
  const early = meter.window(earlyStart + 100, earlyEnd);
  expect(early.valid).toBe(true);
  expect(early.powerAvgW!).toBeCloseTo(300.5 + 200.25 + 101, 6);
  const late = meter.window(lateStart, lateEnd);
  expect(late.valid).toBe(false);
  expect(late.energyJ).toBeNull();
  expect(late.invalidReason).toMatch(/nvidia-smi exited with code 1/);
});
