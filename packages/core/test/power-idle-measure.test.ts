import { afterEach, expect, test } from 'vitest';
import { createPowerMeter, measureIdlePower } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { type FakeDcgm, startFakeDcgm } from './fixtures/power/dcgm-server.js';

let dcgm: FakeDcgm | null = null;
let meter: PowerMeter | null = null;
afterEach(async () => {
  await meter?.stop();
  await dcgm?.close();
});

test('idle power is the mean power over a few seconds before the first level', async () => {
  dcgm = await startFakeDcgm([70, 65]);
  meter = await createPowerMeter({ source: `dcgm:${dcgm.url}`, env: {} });
  const idle = await measureIdlePower(meter, 1.2);
  expect(idle.window.valid).toBe(true);
  expect(idle.durationS).toBeGreaterThanOrEqual(1.19);
  // 5% of 1.2 s leaves room for poll timing on a loaded machine; accuracy is tested elsewhere.
  expect(Math.abs(idle.idleW! - 135) / 135).toBeLessThan(0.05);
});

test('idle power is null with the reason when there is no source', async () => {
  meter = await createPowerMeter({ source: 'none' });
  const idle = await measureIdlePower(meter, 0.05);
  expect(idle.idleW).toBeNull();
  expect(idle.window.invalidReason).toMatch(/none/);
});
