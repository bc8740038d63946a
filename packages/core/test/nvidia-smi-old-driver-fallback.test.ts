import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { sleep } from './fixtures/power/dcgm-server.js';

const OLD = fileURLToPath(new URL('./fixtures/power/fake-nvidia-smi-old.mjs', import.meta.url));
let meter: PowerMeter | null = null;
afterEach(async () => {
  await meter?.stop();
});

test('a driver without power.draw.instant is restarted with power.draw only', async () => {
  meter = await createPowerMeter({ source: 'nvidia-smi', nvidiaSmiPath: OLD, env: {} });
  await meter.start();
  await sleep(300);
  const startMs = performance.now();
  await sleep(700);
  const endMs = performance.now();
  await sleep(150);
  const w = meter.window(startMs, endMs);
  expect(w.valid).toBe(true);
  // power.draw reads 1 W above the instant value on every GPU of the fake.
  expect(w.powerAvgW!).toBeCloseTo(301.5 + 201.25 + 101, 6);
  expect(meter.detail).toMatch(/lacks power\.draw\.instant/);
});
