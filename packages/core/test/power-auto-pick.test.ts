import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { type FakeDcgm, startFakeDcgm } from './fixtures/power/dcgm-server.js';

const FAKE_SMI = fileURLToPath(new URL('./fixtures/power/fake-nvidia-smi.mjs', import.meta.url));
let dcgm: FakeDcgm | null = null;
let meter: PowerMeter | null = null;
let empty: string | null = null;
afterEach(async () => {
  await meter?.stop();
  await dcgm?.close();
  if (empty) rmSync(empty, { recursive: true, force: true });
});

test("auto prefers the engine's DCGM endpoint and says so", async () => {
  dcgm = await startFakeDcgm([100]);
  meter = await createPowerMeter({ source: 'auto', dcgmUrl: dcgm.url, env: {} });
  expect(meter.source).toBe(`dcgm:${dcgm.url}`);
  expect(meter.detail).toMatch(/^auto picked dcgm:/);
});

test('auto without NVML falls to nvidia-smi, and with nothing at all to none, naming what it passed over', async () => {
  empty = mkdtempSync(join(tmpdir(), 'ib-auto-'));
  const noNvml = 'libnvidia-ml-absent.so.1';
  meter = await createPowerMeter({ source: 'auto', nvmlLibrary: noNvml, nvidiaSmiPath: FAKE_SMI, env: {} });
  expect(meter.source).toBe('nvidia-smi');
  expect(meter.detail).toMatch(/passed over nvml: NVML library/);
  await meter.stop();
  meter = await createPowerMeter({
    source: 'auto',
    nvmlLibrary: noNvml,
    raplRoot: empty,
    env: { PATH: empty },
  });
  expect(meter.source).toBe('none');
  expect(meter.detail).toMatch(/nvidia-smi: not on PATH/);
  expect(meter.detail).toMatch(/rapl: no RAPL package zones/);
  const w = meter.window(0, 1000);
  expect(w.energyJ).toBeNull();
  expect(w.valid).toBe(false);
});

test('an unknown --power-source is a usage error naming the choices', async () => {
  await expect(createPowerMeter({ source: 'ipmi' })).rejects.toMatchObject({
    code: 'BENCH_ERR_BAD_OPTION',
    hint: expect.stringMatching(/auto, nvml, nvidia-smi, dcgm:URL, rapl, none/),
  });
});
