import { BenchError } from '../errors.js';
import type { PowerRecorder } from './power-window.js';
import type { EnergyWindow, PowerMeter, PowerSample } from './types.js';

/**
 * GPU indices parsed from CUDA_VISIBLE_DEVICES when it holds indices only (`0,2`); null when it is unset,
 * empty or holds UUIDs/MIG ids, which we cannot map to a power source's indices.
 */
export function cudaVisibleIndices(value: string | undefined): number[] | null {
  if (value === undefined || value.trim() === '') return null;
  const parts = value.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^\d+$/.test(p))) return null;
  return parts.map(Number);
}

/**
 * The GPUs whose power counts: `--gpus` (or the tuned config) first, else CUDA_VISIBLE_DEVICES when it
 * holds indices, else every GPU the source sees. Asking for a GPU the source lacks is a user error.
 */
export function selectGpus(
  available: readonly number[],
  requested: readonly number[] | undefined,
  env: Record<string, string | undefined>,
): number[] {
  const wanted =
    requested && requested.length > 0 ? [...requested] : cudaVisibleIndices(env.CUDA_VISIBLE_DEVICES);
  if (!wanted) return [...available].sort((a, b) => a - b);
  const missing = wanted.filter((g) => !available.includes(g));
  if (missing.length > 0) {
    throw new BenchError(
      'BENCH_ERR_POWER',
      `GPU ${missing.join(',')} not found by the power source (it sees ${available.join(',') || 'none'})`,
      { hint: 'check --gpus and CUDA_VISIBLE_DEVICES against the GPUs the machine has' },
    );
  }
  return [...new Set(wanted)].sort((a, b) => a - b);
}

/** A self-rescheduling poll loop: the next tick starts after the previous one finished, never overlapping. */
export function startPollLoop(periodMs: number, tick: () => Promise<void> | void): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const run = (): void => {
    if (stopped) return;
    const began = performance.now();
    inFlight = Promise.resolve()
      .then(tick)
      .catch(() => {
        // A failed read leaves a gap in the series; the window's gap rule reports it.
      })
      .finally(() => {
        if (stopped) return;
        const wait = Math.max(0, periodMs - (performance.now() - began));
        timer = setTimeout(run, wait);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

/**
 * A PowerMeter over a poll loop: the shape shared by every polled source (DCGM, NVML, RAPL). `tick`
 * reads the source and feeds the recorder; `onStop` releases what the source holds (NVML's handle).
 */
export function polledMeter(o: {
  source: string;
  devices: PowerMeter['devices'];
  periodMs: number;
  tick: () => Promise<void> | void;
  recorder: PowerRecorder;
  onStop?: () => void;
}): PowerMeter {
  let loop: { stop(): Promise<void> } | null = null;
  return {
    source: o.source,
    devices: o.devices,
    async start() {
      if (!loop) loop = startPollLoop(o.periodMs, o.tick);
    },
    samples: (): readonly PowerSample[] => o.recorder.samples,
    window: (startMs: number, endMs: number): EnergyWindow => o.recorder.window(startMs, endMs),
    async stop() {
      await loop?.stop();
      loop = null;
      o.onStop?.();
    },
  };
}
