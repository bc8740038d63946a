/**
 * Runs the scheduler in virtual time: no timers, no HTTP. Used to fit and check profiles (a closed loop at
 * a fixed batch reaches steady state in milliseconds of CPU) and by tests of the model itself.
 */
import { Scheduler, type SimSequence } from './model.js';
import type { Profile } from './profile.js';

/** Steady-state numbers of a closed loop measured in virtual time. */
export interface ClosedLoopStats {
  batch: number;
  /** Median gap between successive tokens of a sequence, ms. */
  itlP50Ms: number;
  itlMeanMs: number;
  /** Output tokens per second over the measured span. */
  throughputTokS: number;
  /** Time-averaged power of all GPUs over the measured span, W. */
  powerAvgW: number;
  /** Median time to first token, ms. */
  ttftP50Ms: number;
  steps: number;
  preemptions: number;
  maxWaiting: number;
}

interface Track {
  arrivalMs: number;
  lastTokenMs: number;
}

/** Median of a numeric array (sorts a copy). */
function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const mid = (s.length - 1) / 2;
  return (s[Math.floor(mid)]! + s[Math.ceil(mid)]!) / 2;
}

/**
 * Closed loop at `batch`: each finished request is replaced at once by a new one with the same lengths.
 * The first `warmupRequests` completions (default 2 x batch) are discarded, then `measureRequests` are timed.
 */
export function simulateClosedLoop(
  profile: Profile,
  options: {
    batch: number;
    promptTokens: number;
    outputTokens: number;
    warmupRequests?: number;
    measureRequests?: number;
  },
): ClosedLoopStats {
  const { batch, promptTokens, outputTokens } = options;
  const warmup = options.warmupRequests ?? 2 * batch;
  const measure = options.measureRequests ?? 3 * batch;
  const sched = new Scheduler(profile);
  let nowMs = 0;
  let completed = 0;
  const itls: number[] = [];
  const ttfts: number[] = [];
  let measureStartMs = -1;
  let measuredTokens = 0;
  let energyWms = 0;
  let steps = 0;
  let maxWaiting = 0;
  let preemptions = 0;

  const submit = (): void => {
    const seq = sched.add(promptTokens, outputTokens, 'length');
    seq.sink = { arrivalMs: nowMs, lastTokenMs: -1 } satisfies Track;
  };
  for (let i = 0; i < batch; i++) submit();

  while (completed < warmup + measure) {
    const aborted: SimSequence[] = [];
    const plan = sched.schedule(aborted);
    if (!plan) throw new Error('virtual closed loop stalled');
    nowMs += plan.durationMs;
    steps++;
    maxWaiting = Math.max(maxWaiting, sched.waitingCount);
    const measuring = measureStartMs >= 0;
    if (measuring) energyWms += plan.powerW * plan.durationMs;
    const result = sched.commit(plan);
    for (const seq of result.emitted) {
      const t = seq.sink as Track;
      if (measuring) {
        measuredTokens++;
        if (t.lastTokenMs >= 0) itls.push(nowMs - t.lastTokenMs);
        else ttfts.push(nowMs - t.arrivalMs);
      }
      t.lastTokenMs = nowMs;
    }
    for (const _ of result.finished) {
      completed++;
      if (completed === warmup) measureStartMs = nowMs;
      submit();
    }
    for (const _ of aborted) submit();
    preemptions += aborted.length;
  }
  const spanS = (nowMs - measureStartMs) / 1000;
  return {
    batch,
    itlP50Ms: median(itls),
    itlMeanMs: itls.reduce((a, b) => a + b, 0) / itls.length,
    throughputTokS: measuredTokens / spanS,
    powerAvgW: energyWms / (nowMs - measureStartMs),
    ttftP50Ms: median(ttfts),
    steps,
    preemptions,
    maxWaiting,
  };
}
