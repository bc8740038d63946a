import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from '../errors.js';
import { polledMeter } from './gpu-select.js';
import { PowerRecorder } from './power-window.js';
import type { PowerMeter } from './types.js';

export const DEFAULT_RAPL_ROOT = '/sys/class/powercap';

interface RaplZone {
  index: number;
  dir: string;
  name: string | null;
  /** Counter wraps at this value, joules. */
  maxRangeJ: number | null;
}

/** Package zones (`intel-rapl:N`) under a powercap root; subzones (`intel-rapl:N:M`) are inside them. */
export function listRaplZones(root: string): RaplZone[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const zones: RaplZone[] = [];
  for (const entry of entries) {
    const m = /^intel-rapl:(\d+)$/.exec(entry);
    if (!m) continue;
    const dir = join(root, entry);
    const read = (f: string): string | null => {
      try {
        return readFileSync(join(dir, f), 'utf8').trim();
      } catch {
        return null;
      }
    };
    const max = read('max_energy_range_uj');
    zones.push({
      index: Number(m[1]),
      dir,
      name: read('name'),
      maxRangeJ: max !== null && Number.isFinite(Number(max)) ? Number(max) / 1e6 : null,
    });
  }
  return zones.sort((a, b) => a.index - b.index);
}

function readEnergyJ(zone: RaplZone): number {
  const text = readFileSync(join(zone.dir, 'energy_uj'), 'utf8');
  const uj = Number(text.trim());
  if (!Number.isFinite(uj)) throw new Error(`bad energy_uj value ${JSON.stringify(text)}`);
  return uj / 1e6;
}

/** Resolves the powercap root: option, then INFERENCEBENCH_RAPL_ROOT, then /sys/class/powercap. */
export function raplRoot(opt: string | undefined, env: Record<string, string | undefined>): string {
  return opt ?? env.INFERENCEBENCH_RAPL_ROOT ?? DEFAULT_RAPL_ROOT;
}

/** A meter over the CPU packages' RAPL energy counters (for CPU engines such as llama.cpp on CPU). */
export async function createRaplMeter(opts: { root: string; sampleHz: number }): Promise<PowerMeter> {
  const zones = listRaplZones(opts.root);
  if (zones.length === 0) {
    throw new BenchError('BENCH_ERR_POWER', `no RAPL package zones (intel-rapl:N) under ${opts.root}`, {
      hint: 'RAPL needs an Intel or AMD (Zen) CPU with the powercap driver loaded; or pick --power-source none',
    });
  }
  for (const z of zones) {
    try {
      readEnergyJ(z);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') {
        throw new BenchError(
          'BENCH_ERR_POWER',
          `reading RAPL energy needs root (${join(z.dir, 'energy_uj')} is readable by root only)`,
          {
            hint: 'run as root, or grant read access: sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj; or pick --power-source none',
            cause: err,
          },
        );
      }
      throw new BenchError(
        'BENCH_ERR_POWER',
        `cannot read ${join(z.dir, 'energy_uj')}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  const recorder = new PowerRecorder(true);
  const wraps = zones.map((z) => z.maxRangeJ);
  let prev: { tMs: number; energyJ: number[] } | null = null;
  const tick = (): void => {
    const energyJ = zones.map(readEnergyJ);
    const tMs = performance.now();
    recorder.addCounter(tMs, energyJ, wraps);
    // The time series shows power derived from successive counter readings, per package.
    if (prev && tMs > prev.tMs) {
      const dtS = (tMs - prev.tMs) / 1000;
      const perDeviceW = energyJ.map((e, i) => {
        let d = e - prev!.energyJ[i]!;
        const w = wraps[i];
        if (d < 0 && w) d += w;
        return Math.max(0, d) / dtS;
      });
      recorder.addSample({ tMs, watts: perDeviceW.reduce((a, b) => a + b, 0), perDeviceW });
    }
    prev = { tMs, energyJ };
  };
  return polledMeter({
    source: 'rapl',
    devices: zones.map((z) => ({ index: z.index, name: z.name, powerLimitW: null })),
    periodMs: 1000 / opts.sampleHz,
    tick,
    recorder,
  });
}
