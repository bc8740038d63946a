/**
 * Requests in flight over time (SPEC §4): the mean and max in the measurement window, the share of the
 * window spent at the client cap, and the mean over a span (the auto rate's epochs read it).
 */
export class InFlightMeter {
  count = 0;
  private lastMs: number;
  private spanStartMs = Number.POSITIVE_INFINITY;
  private spanArea = 0;
  private windowStartMs: number | null = null;
  private windowEndMs = Number.POSITIVE_INFINITY;
  private windowArea = 0;
  private windowAtCapMs = 0;
  private windowMax = 0;

  constructor(
    startMs: number,
    /** The client cap (Infinity when there is none). */
    readonly cap: number,
  ) {
    this.lastMs = startMs;
  }

  /** Advance the clock to `tMs` with the count unchanged since the last call. */
  accrue(tMs: number): void {
    const dt = tMs - this.lastMs;
    if (dt > 0) {
      const s0 = Math.max(this.lastMs, this.spanStartMs);
      if (tMs > s0) this.spanArea += this.count * (tMs - s0);
      if (this.windowStartMs !== null) {
        const a = Math.max(this.lastMs, this.windowStartMs);
        const b = Math.min(tMs, this.windowEndMs);
        if (b > a) {
          this.windowArea += this.count * (b - a);
          if (this.count >= this.cap) this.windowAtCapMs += b - a;
        }
      }
    }
    this.lastMs = Math.max(this.lastMs, tMs);
  }

  /** A request was sent (+1) or finished (−1) at `tMs`. */
  change(tMs: number, delta: 1 | -1): void {
    this.accrue(tMs);
    this.count += delta;
    if (this.windowStartMs !== null && tMs >= this.windowStartMs && tMs < this.windowEndMs)
      this.windowMax = Math.max(this.windowMax, this.count);
  }

  /** Start a span at `fromMs` (now or later); `spanMean` reads its mean in flight. */
  startSpan(fromMs: number): void {
    this.spanStartMs = fromMs;
    this.spanArea = 0;
  }

  /** Mean in flight from the span's start to `nowMs`. */
  spanMean(nowMs: number): number {
    this.accrue(nowMs);
    const span = nowMs - this.spanStartMs;
    return span > 0 ? this.spanArea / span : this.count;
  }

  openWindow(startMs: number, endMs: number): void {
    this.accrue(startMs);
    this.windowStartMs = startMs;
    this.windowEndMs = endMs;
    this.windowMax = this.count;
  }

  /** The window's figures, `lengthMs` long (shorter when it was cut). */
  windowFigures(lengthMs: number): { mean: number; max: number; atCapShare: number | null } {
    return {
      mean: lengthMs > 0 ? this.windowArea / lengthMs : 0,
      max: this.windowMax,
      atCapShare: Number.isFinite(this.cap) ? (lengthMs > 0 ? this.windowAtCapMs / lengthMs : 0) : null,
    };
  }
}
