import { expect, test } from 'vitest';
import { parseDcgmMetrics } from '../src/telemetry/dcgm.js';

test('parses DCGM power, energy counter and limit per GPU from Prometheus text', () => {
  const text = [
    '# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).',
    '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
    'DCGM_FI_DEV_POWER_USAGE{gpu="1",UUID="GPU-b",modelName="NVIDIA H200"} 512.25',
    'DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-a",modelName="NVIDIA H200",Hostname="x"} 98.5 1700000000000',
    'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",UUID="GPU-a"} 123456789',
    'DCGM_FI_DEV_POWER_MGMT_LIMIT{gpu="0"} 700',
    'DCGM_FI_DEV_GPU_UTIL{gpu="0"} 99',
    'garbage line',
  ].join('\n');
  expect(parseDcgmMetrics(text)).toEqual([
    { gpu: 0, modelName: 'NVIDIA H200', powerW: 98.5, energyMj: 123456789, powerLimitW: 700 },
    { gpu: 1, modelName: 'NVIDIA H200', powerW: 512.25, energyMj: null, powerLimitW: null },
  ]);
});
