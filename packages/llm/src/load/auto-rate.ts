/**
 * `--rate auto` (SPEC §4): the Poisson rate λ whose mean number of requests in flight is the level's
 * concurrency C. Little's law gives λ = C / L with L the mean time in system *at that rate*, so λ starts
 * from the closed-loop warm-up's L and is re-estimated, epoch by epoch during the gate, from the requests
 * scheduled at the current λ that have completed, until the mean in-flight measured over the epoch is within
 * `tolerance` (10%) of C. There is no client cap by default, so the client queue stays empty and TTFT is the
 * server's.
 *
 * An epoch's mean in-flight is the time-average of the in-flight count over its settled part (after one
 * latency). That reading is noisy: for Poisson arrivals its standard error is about sqrt(2 L / (C T)) of C
 * (20% at C = 8 over 0.5 s). So an epoch that reads outside the tolerance changes λ at once only when it
 * is clearly outside (by more than two standard errors); otherwise it keeps measuring at the same λ, for
 * up to three epoch lengths, then changes λ. Little's law's λ × L (L from the epoch's completed requests,
 * which favour the short ones while latency still rises) is recorded beside it, not judged by.
 */
export interface AutoRateStep {
  /** The rate this epoch ran at. */
  rate_req_s: number;
  /** Time-average of requests in flight over the epoch's settled part (what is judged). */
  mean_in_flight: number;
  /** Little's law at this rate: rate × mean latency of the epoch's completed requests (recorded). */
  little_in_flight: number;
  /** Mean time in system (completion − scheduled arrival) of the epoch's completed requests, ms. */
  mean_latency_ms: number;
  completed: number;
}

export interface AutoRateRecord {
  target_in_flight: number;
  initial_rate_req_s: number;
  converged: boolean;
  tolerance: number;
  steps: AutoRateStep[];
}

export interface AutoRateOptions {
  concurrency: number;
  /** λ from the warm-up (C / L_warm-up), req/s. */
  initialRateReqS: number;
  /** The warm-up's mean latency, ms: the first epoch's settling time. */
  initialLatencyMs: number;
  tolerance?: number;
  /** Completions of the epoch's own requests needed before it is judged. */
  minCompleted?: number;
  /** An epoch lasts at least this many of its own mean latencies (so long requests have completed too). */
  latenciesPerEpoch?: number;
  /** ...and at least this long, ms. */
  minEpochMs?: number;
}

/** Accumulates one epoch's completions and in-flight integral; decides when λ is right. */
export class AutoRate {
  rateReqS: number;
  converged = false;
  readonly record: AutoRateRecord;
  private epoch = 0;
  private epochStartMs = 0;
  /** In-flight integral is taken from here (the epoch start plus one latency of settling). */
  private settleMs: number;
  private latencyMs: number;
  private sumLatencyMs = 0;
  private completed = 0;
  private readonly c: number;
  private readonly tolerance: number;
  private readonly minCompleted: number;
  private readonly latenciesPerEpoch: number;
  private readonly minEpochMs: number;

  constructor(o: AutoRateOptions) {
    this.c = o.concurrency;
    this.rateReqS = o.initialRateReqS;
    this.latencyMs = o.initialLatencyMs;
    this.settleMs = o.initialLatencyMs;
    this.tolerance = o.tolerance ?? 0.1;
    this.minCompleted = o.minCompleted ?? Math.max(2 * o.concurrency, 20);
    this.latenciesPerEpoch = o.latenciesPerEpoch ?? 4;
    this.minEpochMs = o.minEpochMs ?? 500;
    this.record = {
      target_in_flight: o.concurrency,
      initial_rate_req_s: o.initialRateReqS,
      converged: false,
      tolerance: this.tolerance,
      steps: [],
    };
  }

  /** The epoch a request scheduled now belongs to. */
  currentEpoch(): number {
    return this.epoch;
  }

  /** Start the first epoch at `tMs` (the start of the measured pattern). */
  start(tMs: number): void {
    this.epochStartMs = tMs;
  }

  /** When the epoch's in-flight integral begins (the meter reads it from here). */
  settledFromMs(): number {
    return this.epochStartMs + this.settleMs;
  }

  /**
   * A request of `epoch` completed at `tMs` after `latencyMs` in the system. `meanInFlight()` reads the
   * level's in-flight meter over the span since `settledFromMs()`. Returns true when λ changed (a new epoch
   * began: the caller restarts the span at `settledFromMs()`).
   */
  complete(epoch: number, latencyMs: number, tMs: number, meanInFlight: () => number): boolean {
    if (this.converged || epoch !== this.epoch) return false;
    this.completed++;
    this.sumLatencyMs += latencyMs;
    const elapsed = tMs - this.epochStartMs;
    const long = Math.max(this.minEpochMs, this.latenciesPerEpoch * this.latencyMs, this.settleMs * 2);
    if (this.completed < this.minCompleted || elapsed < long) return false;
    const l = this.sumLatencyMs / this.completed;
    const n = meanInFlight();
    const off = Math.abs(n - this.c);
    const within = off <= this.tolerance * this.c;
    const stderr = Math.sqrt((2 * this.c * l) / Math.max(1, tMs - this.settledFromMs()));
    // Outside only by the reading's own noise: measure on at this λ, but not forever.
    if (!within && off <= this.tolerance * this.c + 2 * stderr && elapsed < 3 * long) return false;
    this.record.steps.push({
      rate_req_s: this.rateReqS,
      mean_in_flight: n,
      little_in_flight: this.rateReqS * (l / 1000),
      mean_latency_ms: l,
      completed: this.completed,
    });
    if (within) {
      this.converged = true;
      this.record.converged = true;
      return false;
    }
    // Little's law at the rate just measured: λ = C / L.
    this.rateReqS = this.c / (l / 1000);
    this.epoch++;
    this.epochStartMs = tMs;
    this.latencyMs = l;
    this.settleMs = l;
    this.sumLatencyMs = 0;
    this.completed = 0;
    return true;
  }
}
