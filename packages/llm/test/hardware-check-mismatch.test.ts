import { checkHardware } from 'inferencebench';
import { describe, expect, it } from 'vitest';

describe('checkHardware', () => {
  const h100x2 = {
    gpus: [0, 1].map((index) => ({
      index,
      name: 'NVIDIA H100 80GB HBM3',
      model: 'H100-SXM5-80GB',
      pciDeviceId: '0x2330',
      memoryMiB: 81559,
      driverVersion: '550',
      powerLimitW: 700,
    })),
    cpu: 'x',
    source: 'nvidia-smi' as const,
    note: null,
  };

  it('accepts the family or a prefix of the model, warns on a mismatch', () => {
    expect(checkHardware('h100', h100x2)).toBeNull();
    expect(checkHardware('H100-SXM', h100x2)).toBeNull();
    expect(checkHardware(undefined, h100x2)).toBeNull();
    expect(checkHardware('h200', h100x2)).toBe(
      '--hardware h200 given but detected 2x H100-SXM5-80GB; results are labelled with what was asked',
    );
    expect(checkHardware('h100-pcie', h100x2)).toContain('detected 2x H100-SXM5-80GB');
  });

  it('warns when no GPU was found', () => {
    expect(
      checkHardware('h100', { gpus: [], cpu: 'AMD EPYC', source: 'none', note: 'nvidia-smi not found' }),
    ).toContain('no NVIDIA GPU was detected');
  });
});
