/**
 * The seam between power sources (NVML, nvidia-smi, DCGM exporter, RAPL, the simulator's DCGM endpoint)
 * and the plugins that report power. Times are `performance.now()` milliseconds of this process, so that
 * windows line up with the load driver's clock.
 */
export interface PowerSample {
  /** performance.now() ms when the sample was taken (or received). */
  tMs: number;
  /** Summed power of the selected GPUs (or CPU packages), watts. */
  watts: number;
  /** Per-device power, watts, in the order of `devices`. */
  perDeviceW?: number[];
}

export interface EnergyWindow {
  /** Energy over the window, joules; null when invalid. */
  energyJ: number | null;
  /** Mean summed power over the window, watts; null when invalid. */
  powerAvgW: number | null;
  /** `counter` = energy counter difference; `integral` = trapezoid integral of sampled power. */
  method: 'counter' | 'integral';
  samples: number;
  /** Achieved sampling rate over the window. */
  sampleHz: number;
  /** Largest gap between consecutive samples inside the window, ms. */
  maxGapMs: number;
  /** False when a gap over 1 s or a counter going backwards made the figures untrustworthy. */
  valid: boolean;
  invalidReason: string | null;
}

export interface PowerMeter {
  /** What is measured, e.g. `nvml`, `nvidia-smi`, `dcgm:http://host:9400/metrics`, `rapl`, `none`. */
  readonly source: string;
  /** Devices measured (GPU indices or RAPL zones) and their names where known. */
  readonly devices: { index: number; name: string | null; powerLimitW: number | null }[];
  /** Begin sampling (>= 10 Hz where the source allows). */
  start(): Promise<void>;
  /** Samples so far (for the time series). */
  samples(): readonly PowerSample[];
  /** Energy and mean power between two performance.now() instants. */
  window(startMs: number, endMs: number): EnergyWindow;
  stop(): Promise<void>;
  /** Why this source was picked (for `auto`: what was tried and why the others were passed over). */
  readonly detail?: string;
}

export interface PowerMeterOptions {
  /** `auto`, `nvml`, `nvidia-smi`, `dcgm:URL`, `rapl`, `none`. */
  source: string;
  /** GPU indices the engine uses (from CUDA_VISIBLE_DEVICES, the tuned config or --gpus); all when absent. */
  gpus?: number[];
  /** DCGM-style endpoint offered by the engine (the simulator serves one); `auto` may use it. */
  dcgmUrl?: string | null;
  /** Root of the powercap tree (tests point it at a fake one). Default /sys/class/powercap. */
  raplRoot?: string;
  /** Target sampling rate. Default 10 Hz. */
  sampleHz?: number;
  /** The `nvidia-smi` executable (tests pass a fake). Default: `nvidia-smi` looked up on PATH. */
  nvidiaSmiPath?: string;
  /** The NVML shared library to load. Default `libnvidia-ml.so.1`. */
  nvmlLibrary?: string;
  /** Environment used for CUDA_VISIBLE_DEVICES and INFERENCEBENCH_RAPL_ROOT. Default process.env. */
  env?: Record<string, string | undefined>;
}
