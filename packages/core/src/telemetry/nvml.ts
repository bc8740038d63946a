import { BenchError } from '../errors.js';
import { polledMeter, selectGpus } from './gpu-select.js';
import { PowerRecorder } from './power-window.js';
import type { PowerMeter } from './types.js';

/** NVML_FI_DEV_POWER_INSTANT: instantaneous board power, milliwatts (nvml.h). */
export const NVML_FI_DEV_POWER_INSTANT = 186;
/**
 * sizeof(nvmlFieldValue_t) on 64-bit Linux: u32 fieldId, u32 scopeId, i64 timestamp, i64 latencyUsec,
 * u32 valueType, u32 nvmlReturn, then the 8-byte nvmlValue_t union at offset 32.
 */
const FIELD_VALUE_SIZE = 40;

type Handle = unknown;

/** The few NVML calls we use, typed; each returns the value or throws an Error naming the NVML failure. */
export interface NvmlApi {
  deviceCount(): number;
  handle(index: number): Handle;
  name(h: Handle): string;
  powerLimitW(h: Handle): number | null;
  /** Total energy since driver load, joules (mJ counter, Volta and newer). */
  totalEnergyJ(h: Handle): number;
  /** Instantaneous power via field 186, else nvmlDeviceGetPowerUsage (a ~1 s average), watts. */
  powerW(h: Handle): number;
  shutdown(): void;
}

/** Reads an nvmlValue_t union at `offset` by its nvmlValueType_t tag. */
export function decodeNvmlValue(buf: Buffer, offset: number, valueType: number): number {
  switch (valueType) {
    case 0:
      return buf.readDoubleLE(offset);
    case 1:
      return buf.readUInt32LE(offset);
    case 2:
    case 3:
      return Number(buf.readBigUInt64LE(offset));
    case 4:
      return Number(buf.readBigInt64LE(offset));
    case 5:
      return buf.readInt32LE(offset);
    case 6:
      return buf.readUInt16LE(offset);
    default:
      return Number.NaN;
  }
}

/** Loads NVML through koffi and initialises it. Throws BenchError when the library or driver is missing. */
export async function openNvml(library = 'libnvidia-ml.so.1'): Promise<NvmlApi> {
  let koffi: typeof import('koffi');
  try {
    koffi = (await import('koffi')).default as typeof import('koffi');
  } catch (err) {
    throw new BenchError('BENCH_ERR_POWER', 'the koffi FFI module is not installed, so NVML cannot be used', {
      hint: 'reinstall inferencebench, or pick --power-source nvidia-smi',
      cause: err,
    });
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(library);
  } catch (err) {
    throw new BenchError('BENCH_ERR_POWER', `NVML library ${library} not found (no NVIDIA driver here)`, {
      hint: 'install the NVIDIA driver, or pick --power-source nvidia-smi, dcgm:URL, rapl or none',
      cause: err,
    });
  }
  // Opaque device handle; koffi keeps it as an external pointer value.
  const device = koffi.pointer('nvmlDevice_t', koffi.opaque());
  const nvmlInit = lib.func('int nvmlInit_v2()');
  const nvmlShutdown = lib.func('int nvmlShutdown()');
  const nvmlErrorString = lib.func('const char *nvmlErrorString(int)');
  const getCount = lib.func('int nvmlDeviceGetCount_v2(_Out_ unsigned int *count)');
  const getHandle = lib.func('nvmlDeviceGetHandleByIndex_v2', 'int', [
    'unsigned int',
    koffi.out(koffi.pointer(device)),
  ]);
  const getName = lib.func('nvmlDeviceGetName', 'int', [device, 'char *', 'unsigned int']);
  const getLimit = lib.func('nvmlDeviceGetPowerManagementLimit', 'int', [
    device,
    koffi.out(koffi.pointer('unsigned int')),
  ]);
  const getEnergy = lib.func('nvmlDeviceGetTotalEnergyConsumption', 'int', [
    device,
    koffi.out(koffi.pointer('unsigned long long')),
  ]);
  const getUsage = lib.func('nvmlDeviceGetPowerUsage', 'int', [
    device,
    koffi.out(koffi.pointer('unsigned int')),
  ]);
  const getFields = lib.func('nvmlDeviceGetFieldValues', 'int', [device, 'int', 'void *']);

  const check = (rc: number, what: string): void => {
    if (rc !== 0) throw new Error(`${what}: ${nvmlErrorString(rc) as string} (${rc})`);
  };
  const rc = nvmlInit() as number;
  if (rc !== 0) {
    throw new BenchError('BENCH_ERR_POWER', `NVML failed to initialise: ${nvmlErrorString(rc) as string}`, {
      hint: 'check the NVIDIA driver with nvidia-smi, or pick another --power-source',
    });
  }
  let instantWorks = true;
  const fieldBuf = Buffer.alloc(FIELD_VALUE_SIZE);
  return {
    deviceCount() {
      const out = [0];
      check(getCount(out) as number, 'nvmlDeviceGetCount_v2');
      return out[0]!;
    },
    handle(index: number) {
      const out: unknown[] = [null];
      check(getHandle(index, out) as number, 'nvmlDeviceGetHandleByIndex_v2');
      return out[0];
    },
    name(h: Handle) {
      const buf = Buffer.alloc(96);
      check(getName(h, buf, buf.length) as number, 'nvmlDeviceGetName');
      return buf.toString('utf8', 0, buf.indexOf(0) >= 0 ? buf.indexOf(0) : buf.length);
    },
    powerLimitW(h: Handle) {
      const out = [0];
      return (getLimit(h, out) as number) === 0 ? out[0]! / 1000 : null;
    },
    totalEnergyJ(h: Handle) {
      const out: (number | bigint)[] = [0];
      check(getEnergy(h, out) as number, 'nvmlDeviceGetTotalEnergyConsumption');
      return Number(out[0]) / 1000;
    },
    powerW(h: Handle) {
      if (instantWorks) {
        fieldBuf.fill(0);
        fieldBuf.writeUInt32LE(NVML_FI_DEV_POWER_INSTANT, 0);
        const frc = getFields(h, 1, fieldBuf) as number;
        const fieldRc = fieldBuf.readUInt32LE(28);
        if (frc === 0 && fieldRc === 0) {
          const mw = decodeNvmlValue(fieldBuf, 32, fieldBuf.readUInt32LE(24));
          if (Number.isFinite(mw)) return mw / 1000;
        }
        // Drivers before field 186 existed answer NOT_SUPPORTED: stop asking.
        instantWorks = false;
      }
      const out = [0];
      check(getUsage(h, out) as number, 'nvmlDeviceGetPowerUsage');
      return out[0]! / 1000;
    },
    shutdown() {
      nvmlShutdown();
    },
  };
}

/** A meter over NVML: energy from each GPU's total-energy counter, samples from instantaneous power. */
export async function createNvmlMeter(opts: {
  library?: string;
  gpus?: number[];
  env: Record<string, string | undefined>;
  sampleHz: number;
}): Promise<PowerMeter> {
  const nvml = await openNvml(opts.library);
  try {
    const count = nvml.deviceCount();
    const available = Array.from({ length: count }, (_, i) => i);
    const selected = selectGpus(available, opts.gpus, opts.env);
    const handles = selected.map((i) => nvml.handle(i));
    const devices = selected.map((index, k) => ({
      index,
      name: nvml.name(handles[k]),
      powerLimitW: nvml.powerLimitW(handles[k]),
    }));
    // Pre-Volta GPUs have no energy counter: integrate samples instead.
    let hasCounter = true;
    try {
      for (const h of handles) nvml.totalEnergyJ(h);
    } catch {
      hasCounter = false;
    }
    const recorder = new PowerRecorder(hasCounter);
    const tick = (): void => {
      const perDeviceW = handles.map((h) => nvml.powerW(h));
      const energies = hasCounter ? handles.map((h) => nvml.totalEnergyJ(h)) : null;
      const tMs = performance.now();
      recorder.addSample({ tMs, watts: perDeviceW.reduce((a, b) => a + b, 0), perDeviceW });
      if (energies) recorder.addCounter(tMs, energies);
    };
    return polledMeter({
      source: 'nvml',
      devices,
      periodMs: 1000 / opts.sampleHz,
      tick,
      recorder,
      onStop: () => nvml.shutdown(),
    });
  } catch (err) {
    nvml.shutdown();
    throw err;
  }
}
