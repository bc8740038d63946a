import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { type FakeDcgm, sleep, startFakeDcgm } from './fixtures/power/dcgm-server.js';

let dcgm: FakeDcgm | null = null;
const meters: PowerMeter[] = [];
afterEach(async () => {
  for (const m of meters.splice(0)) await m.stop();
  await dcgm?.close();
});

test('only the selected GPUs count: --gpus first, then CUDA_VISIBLE_DEVICES, else all', async () => {
  dcgm = await startFakeDcgm([400, 100, 50]);
  const byOption = await createPowerMeter({
    source: `dcgm:${dcgm.url}`,
    gpus: [1, 2],
    env: { CUDA_VISIBLE_DEVICES: '0' },
  });
  const byEnv = await createPowerMeter({ source: `dcgm:${dcgm.url}`, env: { CUDA_VISIBLE_DEVICES: '0,2' } });
  const uuids = await createPowerMeter({
    source: `dcgm:${dcgm.url}`,
    env: { CUDA_VISIBLE_DEVICES: 'GPU-abc' },
  });
  meters.push(byOption, byEnv, uuids);
  for (const m of meters) await m.start();
  await sleep(300);
  const startMs = performance.now();
  await sleep(800);
  const endMs = performance.now();
  await sleep(200);
  expect(byOption.devices.map((d) => d.index)).toEqual([1, 2]);
  // Selection is under test, so the exact per-sample sums are checked rather than timed windows.
  expect(byOption.samples().at(-1)!.watts).toBe(150);
  expect(byEnv.devices.map((d) => d.index)).toEqual([0, 2]);
  expect(byEnv.samples().at(-1)!.watts).toBe(450);
  expect(uuids.samples().at(-1)!.watts).toBe(550);
  for (const m of meters) expect(m.window(startMs, endMs).valid).toBe(true);
  const last = byOption.samples().at(-1)!;
  expect(last.perDeviceW).toEqual([100, 50]);
  expect(last.watts).toBe(150);
});

test('asking for a GPU the source does not see is a clear error', async () => {
  dcgm = await startFakeDcgm([400]);
  await expect(createPowerMeter({ source: `dcgm:${dcgm.url}`, gpus: [3], env: {} })).rejects.toMatchObject({
    code: 'BENCH_ERR_POWER',
    message: expect.stringMatching(/GPU 3 not found/),
  });
});
