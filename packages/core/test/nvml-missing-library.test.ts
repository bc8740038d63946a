import { expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';

test('nvml without the NVIDIA library fails with a clear BenchError', async () => {
  // No NVIDIA driver on CI machines; a library name that cannot exist makes this hold everywhere.
  const err = await createPowerMeter({
    source: 'nvml',
    nvmlLibrary: 'libnvidia-ml-absent.so.1',
    env: {},
  }).catch((e: unknown) => e);
  expect(err).toMatchObject({
    name: 'BenchError',
    code: 'BENCH_ERR_POWER',
    message: 'NVML library libnvidia-ml-absent.so.1 not found (no NVIDIA driver here)',
  });
  expect((err as { hint: string }).hint).toMatch(/--power-source/);
});
