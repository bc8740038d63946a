import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BenchError, isBenchError } from '../errors.js';
import { createDcgmMeter } from './dcgm.js';
import { createNvidiaSmiMeter } from './nvidia-smi.js';
import { createNvmlMeter } from './nvml.js';
import { createRaplMeter, raplRoot } from './rapl.js';
import type { EnergyWindow, PowerMeter, PowerMeterOptions } from './types.js';

const SOURCES = 'auto, nvml, nvidia-smi, dcgm:URL, rapl, none';

/** A meter that measures nothing: every window is null with the reason stated. */
export function createNoneMeter(reason = 'no power source (--power-source none)'): PowerMeter {
  return {
    source: 'none',
    devices: [],
    detail: reason,
    async start() {},
    samples() {
      return [];
    },
    window(): EnergyWindow {
      return {
        energyJ: null,
        powerAvgW: null,
        method: 'integral',
        samples: 0,
        sampleHz: 0,
        maxGapMs: 0,
        valid: false,
        invalidReason: reason,
      };
    },
    async stop() {},
  };
}

/** Whether an executable of that name is on PATH (no spawn: auto must stay cheap). */
function onPath(bin: string, env: Record<string, string | undefined>): boolean {
  if (bin.includes('/')) return canExec(bin);
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && canExec(join(dir, bin)));
}

function canExec(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function withDetail(meter: PowerMeter, detail: string): PowerMeter {
  // The meters' methods are closures, not `this`-bound, so a spread copy keeps them working.
  return { ...meter, detail };
}

/**
 * Throws BENCH_ERR_BAD_OPTION unless `source` is a `--power-source` this module knows; checks the
 * spelling only (no device is opened), so a typo is caught before anything starts.
 */
export function checkPowerSource(source: string): void {
  const s = source.trim();
  if (s.startsWith('dcgm:')) {
    const url = s.slice('dcgm:'.length);
    if (!/^https?:\/\/[^/\s]/.test(url)) {
      throw new BenchError(
        'BENCH_ERR_BAD_OPTION',
        `--power-source dcgm: needs an http(s) URL, got "${url}"`,
        {
          hint: 'for example --power-source dcgm:http://gpu-host:9400/metrics',
        },
      );
    }
    return;
  }
  if (!['auto', 'none', 'nvml', 'nvidia-smi', 'rapl'].includes(s)) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown --power-source "${s}"`, {
      hint: `use one of: ${SOURCES}`,
    });
  }
}

/**
 * Opens the power source named by `opts.source` (`auto`, `nvml`, `nvidia-smi`, `dcgm:URL`, `rapl`, `none`).
 * The meter is not sampling yet: call `start()` before the first window you want measured.
 */
export async function createPowerMeter(opts: PowerMeterOptions): Promise<PowerMeter> {
  const env = opts.env ?? process.env;
  const sampleHz = opts.sampleHz ?? 10;
  const source = opts.source.trim();
  const smiBin = opts.nvidiaSmiPath ?? 'nvidia-smi';
  checkPowerSource(source);
  if (source === 'none') return createNoneMeter();
  if (source.startsWith('dcgm:')) {
    const url = source.slice('dcgm:'.length);
    if (!/^https?:\/\//.test(url)) {
      throw new BenchError(
        'BENCH_ERR_BAD_OPTION',
        `--power-source dcgm: needs an http(s) URL, got "${url}"`,
        {
          hint: 'for example --power-source dcgm:http://gpu-host:9400/metrics',
        },
      );
    }
    return createDcgmMeter({ url, gpus: opts.gpus, env, sampleHz });
  }
  if (source === 'nvml')
    return createNvmlMeter({ library: opts.nvmlLibrary, gpus: opts.gpus, env, sampleHz });
  if (source === 'nvidia-smi') return createNvidiaSmiMeter({ bin: smiBin, gpus: opts.gpus, env, sampleHz });
  if (source === 'rapl') return createRaplMeter({ root: raplRoot(opts.raplRoot, env), sampleHz });
  if (source !== 'auto') {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown --power-source "${source}"`, {
      hint: `use one of: ${SOURCES}`,
    });
  }

  // auto: the engine's own endpoint first (it knows which GPUs serve), then local sources, best first.
  const passed: string[] = [];
  const attempt = async (name: string, make: () => Promise<PowerMeter>): Promise<PowerMeter | null> => {
    try {
      return await make();
    } catch (err) {
      // A bad --gpus is the user's error whatever the source: report it rather than fall through.
      if (isBenchError(err) && /^GPU .* not found/.test(err.message)) throw err;
      passed.push(`${name}: ${(err as Error).message}`);
      return null;
    }
  };
  const pick = (meter: PowerMeter): PowerMeter =>
    withDetail(
      meter,
      `auto picked ${meter.source}${passed.length ? ` (passed over ${passed.join('; ')})` : ''}`,
    );
  if (opts.dcgmUrl) {
    const url = opts.dcgmUrl;
    const m = await attempt('dcgm', () => createDcgmMeter({ url, gpus: opts.gpus, env, sampleHz }));
    if (m) return pick(m);
  }
  const nvml = await attempt('nvml', () =>
    createNvmlMeter({ library: opts.nvmlLibrary, gpus: opts.gpus, env, sampleHz }),
  );
  if (nvml) return pick(nvml);
  if (onPath(smiBin, env)) {
    const smi = await attempt('nvidia-smi', () =>
      createNvidiaSmiMeter({ bin: smiBin, gpus: opts.gpus, env, sampleHz }),
    );
    if (smi) return pick(smi);
  } else passed.push(`nvidia-smi: not on PATH`);
  const rapl = await attempt('rapl', () => createRaplMeter({ root: raplRoot(opts.raplRoot, env), sampleHz }));
  if (rapl) return pick(rapl);
  return createNoneMeter(`auto found no power source (${passed.join('; ')})`);
}

/** Idle power measured before the first level; reported beside the level figures, never subtracted. */
export interface IdlePower {
  /** Mean summed power while idle, watts; null when the window was invalid or there is no source. */
  idleW: number | null;
  durationS: number;
  window: EnergyWindow;
}

/**
 * Measures idle power over `seconds` with the meter (started here if it was not). The engine should be
 * loaded and idle. Injected `sleep` lets callers share a clock; default is a real timer.
 */
export async function measureIdlePower(
  meter: PowerMeter,
  seconds: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<IdlePower> {
  await meter.start();
  const startMs = performance.now();
  await sleep(seconds * 1000);
  const endMs = performance.now();
  // One more sample period so the counter can be interpolated at the end edge rather than extrapolated.
  await sleep(150);
  const window = meter.window(startMs, endMs);
  return { idleW: window.valid ? window.powerAvgW : null, durationS: (endMs - startMs) / 1000, window };
}
