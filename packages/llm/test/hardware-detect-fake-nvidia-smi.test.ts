import { join } from 'node:path';
import { detectHardware, hardwareLabel } from 'inferencebench';
import { describe, expect, it } from 'vitest';
import { FAKES_DIR } from './fixtures/engines/helpers.js';

const SMI = join(FAKES_DIR, 'nvidia-smi');

describe('detectHardware with a fake nvidia-smi', () => {
  it('maps GPUs by PCI device id first, then by name', async () => {
    process.env.FAKE_NVIDIA_SMI_CSV = [
      '0, NVIDIA H100 80GB HBM3, 0x233010DE, 81559, 550.54.15, 700.00',
      '1, NVIDIA H100 PCIe, 0x233110DE, 81559, 550.54.15, 350.00',
      '2, NVIDIA H100 NVL, 0x232110DE, 95830, 550.54.15, 400.00',
      '3, NVIDIA H200, 0x233510DE, 143771, 550.54.15, 700.00',
      '4, NVIDIA A100-SXM4-80GB, 0x20B210DE, 81920, 550.54.15, 400.00',
      '5, NVIDIA H100 80GB HBM3, 0xFFFF10DE, 81559, 550.54.15, [N/A]',
    ].join('\n');
    try {
      const hw = await detectHardware({ nvidiaSmi: SMI });
      expect(hw.source).toBe('nvidia-smi');
      expect(hw.gpus.map((g) => g.model)).toEqual([
        'H100-SXM5-80GB',
        'H100-PCIe-80GB',
        'H100-NVL-94GB',
        'H200-SXM-141GB',
        'A100-SXM4-80GB',
        'H100-SXM5-80GB',
      ]);
      expect(hw.gpus[0]).toMatchObject({
        index: 0,
        pciDeviceId: '0x2330',
        memoryMiB: 81559,
        driverVersion: '550.54.15',
        powerLimitW: 700,
      });
      expect(hw.gpus[5]?.powerLimitW).toBeNull();
    } finally {
      delete process.env.FAKE_NVIDIA_SMI_CSV;
    }
  });

  it('reports a CPU-only machine when nvidia-smi is missing or fails', async () => {
    const missing = await detectHardware({ nvidiaSmi: '/nonexistent/nvidia-smi' });
    expect(missing.gpus).toEqual([]);
    expect(missing.cpu.length).toBeGreaterThan(0);
    expect(missing.note).toContain('not found');
    expect(hardwareLabel(missing)).toMatch(/^CPU only \(/);
    process.env.FAKE_NVIDIA_SMI_FAIL =
      'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.';
    try {
      const broken = await detectHardware({ nvidiaSmi: SMI });
      expect(broken.gpus).toEqual([]);
      expect(broken.source).toBe('none');
    } finally {
      delete process.env.FAKE_NVIDIA_SMI_FAIL;
    }
  });
});
