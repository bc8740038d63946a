import type { EnergyWindow, PowerSample } from './types.js';

/** A gap between consecutive readings longer than this makes a window's figures invalid (SPEC §8). */
export const MAX_GAP_MS = 1000;

/** One reading of an energy counter, already summed over the selected devices and made monotonic. */
export interface CounterReading {
  tMs: number;
  /** Accumulated energy since the meter started, joules (wraps already unfolded). */
  energyJ: number;
  /** Set when, between the previous reading and this one, a device's counter went backwards. */
  backwards: string | null;
}

/** Index of the last element with `t <= x` in an ascending array of times, or -1. */
function lastAtOrBefore(times: readonly number[], x: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= x) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/**
 * Largest gap, ms, between consecutive readings whose interval overlaps [startMs, endMs]; the stretch from
 * a window edge to the nearest reading counts too when no reading lies beyond that edge.
 */
export function maxGapInWindow(times: readonly number[], startMs: number, endMs: number): number {
  if (times.length === 0) return endMs - startMs;
  let maxGap = 0;
  const first = times[0]!;
  const last = times[times.length - 1]!;
  if (first > startMs) maxGap = Math.max(maxGap, Math.min(first, endMs) - startMs);
  if (last < endMs) maxGap = Math.max(maxGap, endMs - Math.max(last, startMs));
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1]!;
    const b = times[i]!;
    if (b < startMs) continue;
    if (a > endMs) break;
    maxGap = Math.max(maxGap, b - a);
  }
  return maxGap;
}

/** Count of readings inside [startMs, endMs]. */
export function countInWindow(times: readonly number[], startMs: number, endMs: number): number {
  return lastAtOrBefore(times, endMs) - lastAtOrBefore(times, startMs - 1e-9);
}

/**
 * Value of a piecewise-linear series at `x`: interpolated between neighbours, extrapolated along the
 * nearest segment outside the series (the gap rule bounds how far), constant when there is one point.
 */
export function interpolateAt(times: readonly number[], values: readonly number[], x: number): number {
  const n = times.length;
  if (n === 1) return values[0]!;
  let i = lastAtOrBefore(times, x);
  // Use the segment [i, i+1], clamped to the series so the ends extrapolate along their last segment.
  if (i < 0) i = 0;
  if (i > n - 2) i = n - 2;
  const t0 = times[i]!;
  const t1 = times[i + 1]!;
  const v0 = values[i]!;
  const v1 = values[i + 1]!;
  if (t1 === t0) return v1;
  return v0 + ((v1 - v0) * (x - t0)) / (t1 - t0);
}

/**
 * Trapezoid integral, watt-milliseconds, of sampled power over [startMs, endMs]. Power is linear between
 * samples and held at the end samples' values outside them (a sample's power is not a counter).
 */
export function integratePowerWms(
  times: readonly number[],
  watts: readonly number[],
  startMs: number,
  endMs: number,
): number {
  const n = times.length;
  const at = (x: number): number => {
    if (x <= times[0]!) return watts[0]!;
    if (x >= times[n - 1]!) return watts[n - 1]!;
    return interpolateAt(times, watts, x);
  };
  // Break points: the window edges and every sample strictly inside.
  const xs = [startMs];
  for (let i = 0; i < n; i++) if (times[i]! > startMs && times[i]! < endMs) xs.push(times[i]!);
  xs.push(endMs);
  let total = 0;
  for (let i = 1; i < xs.length; i++) {
    const a = xs[i - 1]!;
    const b = xs[i]!;
    total += ((at(a) + at(b)) / 2) * (b - a);
  }
  return total;
}

function invalidWindow(
  method: EnergyWindow['method'],
  samples: number,
  sampleHz: number,
  maxGapMs: number,
  reason: string,
): EnergyWindow {
  return {
    energyJ: null,
    powerAvgW: null,
    method,
    samples,
    sampleHz,
    maxGapMs,
    valid: false,
    invalidReason: reason,
  };
}

/**
 * Energy over a window from power samples and, when the source has one, an energy counter (preferred).
 * Pure: everything it needs is passed in. `sourceNote` explains a death of the source for the reason.
 */
export function computeEnergyWindow(input: {
  samples: readonly PowerSample[];
  counter: readonly CounterReading[] | null;
  startMs: number;
  endMs: number;
  sourceNote?: string | null;
}): EnergyWindow {
  const { samples, counter, startMs, endMs } = input;
  const method: EnergyWindow['method'] = counter ? 'counter' : 'integral';
  const durationMs = endMs - startMs;
  const sampleTimes = samples.map((s) => s.tMs);
  const nSamples = countInWindow(sampleTimes, startMs, endMs);
  const sampleHz = durationMs > 0 ? nSamples / (durationMs / 1000) : 0;
  // Gaps are judged on the series the figure rests on.
  const times = counter ? counter.map((r) => r.tMs) : sampleTimes;
  const maxGapMs = durationMs > 0 ? maxGapInWindow(times, startMs, endMs) : 0;
  if (!(durationMs > 0)) return invalidWindow(method, nSamples, sampleHz, maxGapMs, 'empty window');
  if (times.length < 2)
    return invalidWindow(method, nSamples, sampleHz, maxGapMs, 'fewer than two power readings');
  if (maxGapMs > MAX_GAP_MS) {
    const note = input.sourceNote ? ` (${input.sourceNote})` : '';
    return invalidWindow(
      method,
      nSamples,
      sampleHz,
      maxGapMs,
      `gap of ${Math.round(maxGapMs)} ms between power readings exceeds ${MAX_GAP_MS} ms${note}`,
    );
  }
  let energyJ: number;
  if (counter) {
    // Readings that bracket the window: a backwards step anywhere in between spoils it.
    const first = Math.max(0, lastAtOrBefore(times, startMs));
    const last = Math.min(times.length - 1, lastAtOrBefore(times, endMs) + 1);
    for (let i = first + 1; i <= last; i++) {
      const why = counter[i]!.backwards;
      if (why) return invalidWindow(method, nSamples, sampleHz, maxGapMs, why);
    }
    const energies = counter.map((r) => r.energyJ);
    energyJ = interpolateAt(times, energies, endMs) - interpolateAt(times, energies, startMs);
  } else {
    energyJ =
      integratePowerWms(
        times,
        samples.map((s) => s.watts),
        startMs,
        endMs,
      ) / 1000;
  }
  return {
    energyJ,
    powerAvgW: energyJ / (durationMs / 1000),
    method,
    samples: nSamples,
    sampleHz,
    maxGapMs,
    valid: true,
    invalidReason: null,
  };
}

/**
 * Collects what a source reads: power samples and per-device energy counters, unfolded into one monotonic
 * sum. Sources push into it; `window()` is the pure computation above.
 */
export class PowerRecorder {
  readonly samples: PowerSample[] = [];
  readonly counter: CounterReading[] = [];
  private lastPerDevice: number[] | null = null;
  private accumulatedJ = 0;
  /** Set by a source that stopped delivering (child exited, library failed). */
  sourceNote: string | null = null;

  constructor(readonly hasCounter: boolean) {}

  addSample(sample: PowerSample): void {
    this.samples.push(sample);
  }

  /**
   * Adds one reading of each selected device's energy counter, joules. `wrapJ[i]`, when given, is the
   * value at which device i's counter wraps (RAPL's max_energy_range_uj): a drop that fits a wrap is one.
   */
  addCounter(tMs: number, perDeviceJ: readonly number[], wrapJ?: readonly (number | null)[]): void {
    let backwards: string | null = null;
    const prev = this.lastPerDevice;
    if (prev && prev.length === perDeviceJ.length) {
      for (let i = 0; i < perDeviceJ.length; i++) {
        let delta = perDeviceJ[i]! - prev[i]!;
        const wrap = wrapJ?.[i] ?? null;
        if (delta < 0 && wrap !== null && delta + wrap >= 0 && delta + wrap < wrap / 2) {
          delta += wrap;
        } else if (delta < 0) {
          backwards = `energy counter of device ${i} went backwards by ${(-delta).toFixed(3)} J`;
          delta = 0;
        }
        this.accumulatedJ += delta;
      }
    }
    this.lastPerDevice = [...perDeviceJ];
    this.counter.push({ tMs, energyJ: this.accumulatedJ, backwards });
  }

  window(startMs: number, endMs: number): EnergyWindow {
    return computeEnergyWindow({
      samples: this.samples,
      counter: this.hasCounter && this.counter.length > 0 ? this.counter : null,
      startMs,
      endMs,
      sourceNote: this.sourceNote,
    });
  }
}
