/**
 * Sleeping until an instant with sub-millisecond lateness. Node timers fire up to a millisecond or two
 * late, so we sleep with setTimeout until SPIN_MS before the deadline and then poll with setImmediate,
 * which still lets I/O callbacks (the responses we are timing) run between polls.
 */
const SPIN_MS = 2;

export class PreciseSleeper {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private pending: ((woke: boolean) => void) | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Resolves true at `deadlineMs` (performance.now() ms), or false if cancel() came first. */
  until(deadlineMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending = resolve;
      const step = (): void => {
        this.timer = null;
        this.immediate = null;
        const remaining = deadlineMs - this.now();
        if (remaining <= 0) {
          this.pending = null;
          resolve(true);
        } else if (remaining > SPIN_MS) this.timer = setTimeout(step, remaining - SPIN_MS);
        else this.immediate = setImmediate(step);
      };
      step();
    });
  }

  /** Wake the current sleep (if any) with false. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    const p = this.pending;
    this.pending = null;
    p?.(false);
  }
}
