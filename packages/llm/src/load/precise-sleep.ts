/**
 * Sleeping until an instant with sub-millisecond lateness, without spinning the event loop.
 *
 * Node timers cannot do it: libuv keeps loop time in whole milliseconds, so on a 2-core EPYC VM
 * (Node 20.20) setTimeout fired from 1 ms early to 0.2 ms late at p50 and 1-4 ms late at p99. The old
 * answer, polling with setImmediate for the last 2 ms, allocated an Immediate per loop turn (a scavenge
 * every ~14 ms) and at 500 req/s kept the core busy about half the time, the core the responses need.
 *
 * Here a worker thread does the waiting: Atomics.wait takes a fractional timeout (a futex with a
 * nanosecond deadline), and its postMessage wakes the main loop's epoll at once, so the main thread sleeps
 * in the kernel and keeps handling I/O until the deadline. The worker posts WAKE_EARLY_MS ahead to cover
 * the thread hand-over; the main thread spins synchronously for what is left, never more than
 * MAX_SPIN_MS. A plain timer set 1 ms past the deadline backs the worker up (still booting, or gone).
 */
import { Worker } from 'node:worker_threads';

/**
 * How far ahead of the deadline the worker posts: the futex slack (50 µs) plus the hand-over to the main
 * thread, measured at 0.07-0.2 ms p50 on the 2-core VM (0.1 left the median wake 0.1-0.17 ms late there).
 */
const WAKE_EARLY_MS = 0.2;
/** The longest synchronous spin on the main thread; a wake earlier than this is re-armed instead. */
const MAX_SPIN_MS = 0.35;
/** The backup timer's delay past the deadline (it matters only when the worker cannot wake us). */
const BACKUP_MS = 1;
/** Sequence value that tells the worker to exit. */
const STOP = -1;

// The worker: wait for a new sequence number, then sleep on it until the deadline (minus the lead)
// unless a newer sequence (a new deadline, a cancel, STOP) interrupts the sleep. Times are uv_hrtime in
// ms, the clock behind performance.now() in every thread, so no per-thread time origin is involved.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const seqOf = new Int32Array(workerData.sab, 0, 2);
const deadlineOf = new Float64Array(workerData.sab, 8, 1);
const early = workerData.earlyMs;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
let seen = 0;
for (;;) {
  Atomics.wait(seqOf, 0, seen);
  let seq = Atomics.load(seqOf, 0);
  while (seq !== ${STOP}) {
    const leftMs = deadlineOf[0] - early - nowMs();
    if (leftMs <= 0) { parentPort.postMessage(seq); break; }
    if (Atomics.wait(seqOf, 0, seq, leftMs) !== 'timed-out') seq = Atomics.load(seqOf, 0);
  }
  if (seq === ${STOP}) break;
  seen = seq;
}
`;

/**
 * uv_hrtime (ms) minus performance.now(), read between two performance.now() calls, the tightest pair of
 * five: the first use of `performance` loads it lazily, which once skewed a single reading by 1.7 ms.
 */
function hrOffsetMs(): number {
  let best = Number.POSITIVE_INFINITY;
  let offsetMs = 0;
  for (let i = 0; i < 5; i++) {
    const beforeMs = performance.now();
    const hrMs = Number(process.hrtime.bigint()) / 1e6;
    const afterMs = performance.now();
    if (afterMs - beforeMs < best) {
      best = afterMs - beforeMs;
      offsetMs = hrMs - (beforeMs + afterMs) / 2;
    }
  }
  return offsetMs;
}

export class PreciseSleeper {
  private worker: Worker | null = null;
  private seqOf: Int32Array | null = null;
  private deadlineOf: Float64Array | null = null;
  /** uv_hrtime (ms) minus performance.now(): a constant, the same in every thread. */
  private hrOffsetMs = 0;
  private seq = 0;
  private deadlineMs = 0;
  private backup: NodeJS.Timeout | null = null;
  private pending: ((woke: boolean) => void) | null = null;
  private readonly now: () => number;
  private readonly custom: boolean;

  /** With an injected clock the worker (which reads the real one) is not used: plain timers only. */
  constructor(now?: () => number) {
    this.now = now ?? (() => performance.now());
    this.custom = now !== undefined;
  }

  /** Start the waiting thread ahead of the first sleep (it takes tens of ms to boot); idempotent. */
  prepare(): void {
    if (this.worker !== null || this.custom) return;
    const sab = new SharedArrayBuffer(16);
    this.seqOf = new Int32Array(sab, 0, 2);
    this.deadlineOf = new Float64Array(sab, 8, 1);
    this.hrOffsetMs = hrOffsetMs();
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sab, earlyMs: WAKE_EARLY_MS } });
    } catch {
      // No thread to be had (a resource limit): the timers alone still sleep, less precisely.
      return;
    }
    worker.on('message', (seq: number) => {
      if (seq === this.seq && this.pending !== null) this.wake();
    });
    // A worker that dies leaves the backup timers in charge: later sleeps are late, never lost.
    worker.on('error', () => {
      this.worker = null;
    });
    worker.unref();
    this.worker = worker;
  }

  /** Resolves true at `deadlineMs` (performance.now() ms), or false if cancel() came first. */
  until(deadlineMs: number): Promise<boolean> {
    if (deadlineMs - this.now() <= 0) return Promise.resolve(true);
    this.prepare();
    return new Promise((resolve) => {
      this.pending = resolve;
      this.deadlineMs = deadlineMs;
      this.arm();
    });
  }

  /** Wake the current sleep (if any) with false. */
  cancel(): void {
    this.disarm();
    const p = this.pending;
    this.pending = null;
    p?.(false);
  }

  /** Cancel, and let the waiting thread exit. The sleeper still works afterwards, on timers alone. */
  close(): void {
    this.cancel();
    if (this.worker !== null && this.seqOf !== null) {
      Atomics.store(this.seqOf, 0, STOP);
      Atomics.notify(this.seqOf, 0);
    }
    this.worker = null;
  }

  private arm(): void {
    const leftMs = this.deadlineMs - this.now();
    if (this.worker !== null && this.seqOf !== null && this.deadlineOf !== null) {
      // The sequence wraps long before 2^31 sleeps matter; it must only differ from the last one and STOP.
      this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
      this.deadlineOf[0] = this.deadlineMs + this.hrOffsetMs;
      Atomics.store(this.seqOf, 0, this.seq);
      Atomics.notify(this.seqOf, 0);
      this.backup = setTimeout(this.onBackup, leftMs + BACKUP_MS);
    } else this.backup = setTimeout(this.onBackup, leftMs);
  }

  private disarm(): void {
    if (this.backup !== null) clearTimeout(this.backup);
    this.backup = null;
    // A newer sequence with an infinite deadline parks the worker without a wake-up to post.
    if (this.worker !== null && this.seqOf !== null && this.deadlineOf !== null) {
      this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
      this.deadlineOf[0] = Number.POSITIVE_INFINITY;
      Atomics.store(this.seqOf, 0, this.seq);
      Atomics.notify(this.seqOf, 0);
    }
  }

  private readonly onBackup = (): void => {
    this.backup = null;
    if (this.pending !== null) this.wake();
  };

  private wake(): void {
    let leftMs = this.deadlineMs - this.now();
    if (leftMs > MAX_SPIN_MS) {
      // Woken too early (a timer firing ahead of time, a clock step): sleep again for the rest.
      if (this.backup !== null) clearTimeout(this.backup);
      this.arm();
      return;
    }
    // At most MAX_SPIN_MS, usually a few tens of µs: no allocation, no I/O callbacks missed for longer.
    while (leftMs > 0) leftMs = this.deadlineMs - this.now();
    if (this.backup !== null) clearTimeout(this.backup);
    this.backup = null;
    const p = this.pending;
    this.pending = null;
    p?.(true);
  }
}
