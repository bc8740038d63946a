import type { RequestRecord } from '../metrics/request-metrics.js';
import { coefficientOfVariation } from '../metrics/stats.js';

/**
 * The convergence gate (SPEC §3): the coefficient of variation of the gate metric over the last `window`
 * successful gate requests must fall below `threshold`.
 */
export class GateTracker {
  cov: number | null = null;
  completed = 0;
  passed = false;
  private readonly values: number[] = [];

  constructor(
    readonly metric: 'tpot' | 'ttft' | 'e2e',
    readonly window: number,
    readonly threshold: number,
  ) {}

  /** A gate request completed; returns whether the CoV is now below the threshold. */
  add(rec: Pick<RequestRecord, 'status' | 'tpotMs' | 'ttftMs' | 'e2eMs'>): boolean {
    this.completed++;
    const v = this.metric === 'tpot' ? rec.tpotMs : this.metric === 'ttft' ? rec.ttftMs : rec.e2eMs;
    if (rec.status !== 'ok' || v === null) return this.passed;
    this.values.push(v);
    if (this.values.length > this.window) this.values.shift();
    if (this.values.length === this.window) {
      this.cov = coefficientOfVariation(this.values);
      this.passed = this.cov < this.threshold;
    }
    return this.passed;
  }
}

/** A level whose first `n` completions of a phase all failed stops at once (SPEC §14). */
export class FailFast {
  private done = 0;
  private ok = 0;
  constructor(readonly n: number) {}

  /** Count one completion; true exactly when the n-th one completes and none succeeded. */
  add(ok: boolean): boolean {
    if (this.done >= this.n) return false;
    this.done++;
    if (ok) this.ok++;
    return this.done === this.n && this.ok === 0;
  }
}
