import type { Rng } from 'inferencebench';
import { AutoRate, type AutoRateRecord } from './auto-rate.js';
import type { InFlightMeter } from './in-flight-meter.js';
import { poissonGapsMs } from './poisson-schedule.js';

/**
 * How a level's requests arrive (SPEC §4), one small object per mode (GuideLLM's scheduling strategies):
 * the driver asks it for the next gap, the cap, and tells it of completed gate requests.
 */
export interface ArrivalStrategy {
  readonly mode: 'auto' | 'inf' | 'fixed';
  /** A new request the moment a slot frees (no schedule of its own). */
  readonly closedLoop: boolean;
  /** Client cap on requests in flight; Infinity for none. */
  readonly cap: number;
  /** λ now, req/s (Infinity for closed loop). */
  rateReqS(): number;
  /** Gap to the next scheduled arrival, ms (open loop only). */
  nextGapMs(): number;
  /** The tag of a request scheduled now (the auto rate's epoch). */
  epoch(): number;
  /** The rate needs no more gate time (auto: mean in-flight within 10% of C). */
  settled(): boolean;
  /** The measured pattern starts at `tMs`; `meter` counts its requests in flight. */
  start(tMs: number, meter: InFlightMeter): void;
  /** A gate request of `epoch` completed at `tMs` after `latencyMs` in the system. */
  gateCompleted(epoch: number, latencyMs: number, tMs: number): void;
  /** How an auto rate was chosen (null otherwise). */
  record(): AutoRateRecord | null;
  /** Why the level did not run as asked (e.g. auto fell back to closed loop), or null. */
  readonly note: string | null;
}

/** `--rate N`: Poisson at λ = N with at most `cap` (C) in flight, the rest in a FIFO client queue. */
export class PoissonArrivals implements ArrivalStrategy {
  readonly mode = 'fixed' as const;
  readonly closedLoop = false;
  readonly note = null;
  private readonly gap: () => number;
  constructor(
    private readonly lambda: number,
    readonly cap: number,
    rng: Rng,
  ) {
    this.gap = poissonGapsMs(rng, lambda);
  }
  rateReqS = (): number => this.lambda;
  nextGapMs = (): number => this.gap();
  epoch = (): number => 0;
  settled = (): boolean => true;
  start(): void {}
  gateCompleted(): void {}
  record = (): null => null;
}

/** `--rate inf`: closed loop, a new request the moment one of the `cap` slots frees. */
export class ClosedLoopArrivals implements ArrivalStrategy {
  readonly closedLoop = true;
  constructor(
    readonly cap: number,
    readonly mode: 'inf' | 'auto' = 'inf',
    readonly note: string | null = null,
  ) {}
  rateReqS = (): number => Number.POSITIVE_INFINITY;
  nextGapMs = (): number => 0;
  epoch = (): number => 0;
  settled = (): boolean => true;
  start(): void {}
  gateCompleted(): void {}
  record = (): null => null;
}

/** `--rate auto`: Poisson at the λ whose mean in-flight is C, found epoch by epoch during the gate. */
export class AutoArrivals implements ArrivalStrategy {
  readonly mode = 'auto' as const;
  readonly closedLoop = false;
  readonly note = null;
  private readonly auto: AutoRate;
  private meter: InFlightMeter | null = null;
  constructor(
    concurrency: number,
    warmMeanE2eMs: number,
    readonly cap: number,
    private readonly rng: Rng,
  ) {
    this.auto = new AutoRate({
      concurrency,
      initialRateReqS: concurrency / (warmMeanE2eMs / 1000),
      initialLatencyMs: warmMeanE2eMs,
    });
  }
  rateReqS = (): number => this.auto.rateReqS;
  // Each gap is drawn at the λ of the moment (it changes only during the gate).
  nextGapMs = (): number => this.rng.exponential(this.auto.rateReqS / 1000);
  epoch = (): number => this.auto.currentEpoch();
  settled = (): boolean => this.auto.converged;
  start(tMs: number, meter: InFlightMeter): void {
    this.meter = meter;
    this.auto.start(tMs);
    meter.startSpan(this.auto.settledFromMs());
  }
  gateCompleted(epoch: number, latencyMs: number, tMs: number): void {
    const meter = this.meter;
    if (meter === null || this.auto.converged) return;
    if (this.auto.complete(epoch, latencyMs, tMs, () => meter.spanMean(tMs)))
      meter.startSpan(this.auto.settledFromMs());
  }
  record = (): AutoRateRecord => this.auto.record;
}

/**
 * The strategy for a level: explicit rate, closed loop, or auto from the warm-up's mean latency. An auto
 * level has no client cap unless `maxInflight` sets one; the other modes cap at C (SPEC §4).
 */
export function arrivalStrategy(o: {
  rate: number | 'auto' | 'inf';
  concurrency: number;
  maxInflight?: number;
  /** The last warm-up run's mean e2e (null when no warm-up request succeeded). */
  warmMeanE2eMs: number | null;
  rng: Rng;
}): ArrivalStrategy {
  const capped = o.maxInflight ?? o.concurrency;
  if (o.rate === 'inf' || o.rate === Number.POSITIVE_INFINITY) return new ClosedLoopArrivals(capped);
  if (o.rate === 'auto') {
    if (o.warmMeanE2eMs !== null && o.warmMeanE2eMs > 0)
      return new AutoArrivals(
        o.concurrency,
        o.warmMeanE2eMs,
        o.maxInflight ?? Number.POSITIVE_INFINITY,
        o.rng,
      );
    return new ClosedLoopArrivals(
      capped,
      'auto',
      "rate auto: no successful warm-up request to apply Little's law; ran closed loop",
    );
  }
  return new PoissonArrivals(o.rate, capped, o.rng);
}
