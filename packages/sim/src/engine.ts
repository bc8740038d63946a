/**
 * The real-time driver of the scheduler: each step's modelled duration is waited out on real timers
 * aimed at absolute target times (so timer lateness never accumulates), then the step's tokens are
 * handed to the sequences' sinks. Also keeps the engine's counters, histograms and the energy meter.
 *
 * At a step end the next step is planned and its timer armed before the tokens go out, so the (long,
 * at a thousand running sequences) hand-off burst never delays the model's clock; both when the step
 * end fired and when its last token reached its socket are recorded against the model's end time.
 */
import { performance } from 'node:perf_hooks';
import { createRng, type Rng } from 'inferencebench';
import { Histogram, ITL_BUCKETS_S, TTFT_BUCKETS_S } from './histogram.js';
import { idlePowerW, Scheduler, type SimSequence, type StepPlan, sampledEosTokens } from './model.js';
import type { Profile } from './profile.js';

/** Receives a sequence's events at step ends. */
export interface SequenceSink {
  /** One new token; `finished` on the last one. */
  token(seq: SimSequence, finished: boolean): void;
  /** The engine gave up on the sequence (preempted too often, or it can never fit). */
  aborted(seq: SimSequence, message: string): void;
}

/** What a generation request asks of the engine. */
export interface SubmitRequest {
  promptTokens: number;
  maxTokens: number;
  /** ignore_eos honoured: generate exactly maxTokens. */
  ignoreEos: boolean;
  /** min_tokens honoured (0 when absent). */
  minTokens: number;
}

interface Timing {
  arrivalMs: number;
  lastTokenMs: number;
  sink: SequenceSink;
}

/** Last this many step latenesses are kept for the benchmark. */
const LATENESS_RING = 1 << 17;
/** Below this many ms before the target the timer hands over to setImmediate polling. */
const SPIN_MS = 1;
/** Lateness up to this is made up by shortening the next step; beyond it the schedule re-anchors. */
const CATCH_UP_LIMIT_MS = 50;

export class SimEngine {
  readonly profile: Profile;
  readonly scheduler: Scheduler;
  private readonly rng: Rng;
  private readonly now: () => number;

  // Step in flight.
  private plan: StepPlan | null = null;
  private stepTargetMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closed = false;

  // Energy meter: integral of the modelled power over time, in mJ (W x ms).
  private energyMj = 0;
  private energyAtMs: number;
  private segPowerW = 0;
  private segEndMs = Number.NEGATIVE_INFINITY;
  readonly idleW: number;

  // Counters and histograms for /metrics.
  promptTokensTotal = 0;
  generationTokensTotal = 0;
  requestsFinished = 0;
  requestsAborted = 0;
  readonly ttftHist = new Histogram(TTFT_BUCKETS_S);
  readonly itlHist = new Histogram(ITL_BUCKETS_S);

  // Step bookkeeping for the benchmark and the energy test.
  steps = 0;
  busyMs = 0;
  busyEnergyMj = 0;
  private readonly lateness = new Float64Array(LATENESS_RING);
  private readonly handoff = new Float64Array(LATENESS_RING);
  private readonly handoffCpu = new Float64Array(LATENESS_RING);

  constructor(profile: Profile, options: { seed: number; now?: () => number }) {
    this.profile = profile;
    this.scheduler = new Scheduler(profile);
    this.rng = createRng(options.seed);
    this.now = options.now ?? (() => performance.now());
    this.energyAtMs = this.now();
    this.idleW = idlePowerW(profile);
  }

  /**
   * Queues a request. Its random stream comes from its arrival order, so the same request sequence gives
   * the same output lengths (and texts) for the same seed. Returns the sequence and that stream.
   */
  submit(req: SubmitRequest, sink: SequenceSink): { seq: SimSequence; rng: Rng } {
    const id = this.scheduler.nextSequenceId;
    const rng = this.rng.fork(`request-${id}`);
    const eos = sampledEosTokens(rng.next(), this.profile.output.eosMeanTokens, req.maxTokens);
    let target = req.ignoreEos ? req.maxTokens : Math.max(eos, Math.min(req.minTokens, req.maxTokens));
    target = Math.max(1, Math.min(target, req.maxTokens));
    const seq = this.scheduler.add(req.promptTokens, target, target >= req.maxTokens ? 'length' : 'stop');
    seq.sink = { arrivalMs: this.now(), lastTokenMs: -1, sink } satisfies Timing;
    // Deferred so the caller can wire the sink up before any event can reach it.
    queueMicrotask(this.kick);
    return { seq, rng };
  }

  /** The client went away: free the sequence. */
  cancel(seq: SimSequence): void {
    this.scheduler.cancel(seq);
  }

  /** Preemptions so far (all sequences). */
  preemptions(): number {
    return this.scheduler.preemptionsTotal;
  }

  get running(): number {
    return this.scheduler.running.length;
  }

  get waiting(): number {
    return this.scheduler.waitingCount;
  }

  /** Power of all GPUs now, W. */
  powerW(): number {
    return this.plan || this.now() < this.segEndMs ? this.segPowerW : this.idleW;
  }

  /** Energy of all GPUs since start, mJ. */
  energyMjNow(): number {
    // A step whose timer is late has not ended in model time yet: integrate no further than its end,
    // so that the next step (which starts at that end) is not counted twice.
    const now = this.now();
    this.advanceEnergy(this.plan ? Math.min(now, this.segEndMs) : now);
    return this.energyMj;
  }

  /**
   * How late each step end fired versus the model, which is when its first token was handed to its
   * socket (the most recent up to 131,072 steps), ms.
   */
  stepLatenessMs(sinceStep = 0): Float64Array {
    return this.ringSince(this.lateness, sinceStep);
  }

  /** How late the last token of each step was handed to its socket versus the model's step end, ms. */
  stepHandoffMs(sinceStep = 0): Float64Array {
    return this.ringSince(this.handoff, sinceStep);
  }

  /**
   * CPU time this process spent handing each step's tokens to the sockets, ms: the simulator's own cost
   * of the hand-off, which `stepHandoffMs` exceeds only when something else holds the core.
   */
  stepHandoffCpuMs(sinceStep = 0): Float64Array {
    return this.ringSince(this.handoffCpu, sinceStep);
  }

  private ringSince(ring: Float64Array, sinceStep: number): Float64Array {
    const from = Math.max(sinceStep, this.steps - LATENESS_RING);
    const out = new Float64Array(Math.max(0, this.steps - from));
    for (let i = 0; i < out.length; i++) out[i] = ring[(from + i) % LATENESS_RING]!;
    return out;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private advanceEnergy(t: number): void {
    if (t <= this.energyAtMs) return;
    if (this.energyAtMs < this.segEndMs) {
      const e = Math.min(t, this.segEndMs);
      this.energyMj += this.segPowerW * (e - this.energyAtMs);
      this.energyAtMs = e;
    }
    if (t > this.energyAtMs) {
      this.energyMj += this.idleW * (t - this.energyAtMs);
      this.energyAtMs = t;
    }
  }

  /** Starts a step if the engine is idle and has work. */
  private readonly kick = (): void => {
    if (this.plan || this.closed) return;
    this.startStep(this.now());
  };

  private startStep(startMs: number): void {
    const aborted: SimSequence[] = [];
    this.planStep(startMs, aborted);
    this.reportAborted(aborted);
  }

  /** Plans the step starting at `startMs` and arms its timer; false when there is nothing to run. */
  private planStep(startMs: number, aborted: SimSequence[]): boolean {
    const plan = this.scheduler.schedule(aborted);
    if (!plan) return false;
    this.advanceEnergy(startMs);
    this.plan = plan;
    this.stepTargetMs = startMs + plan.durationMs;
    this.segPowerW = plan.powerW;
    this.segEndMs = this.stepTargetMs;
    this.busyMs += plan.durationMs;
    this.busyEnergyMj += plan.powerW * plan.durationMs;
    this.arm();
    return true;
  }

  /** Arms the wait for the step end; never ends a step synchronously, so steps cannot nest. */
  private arm(): void {
    const remainingMs = this.stepTargetMs - this.now();
    if (remainingMs > SPIN_MS + 1) {
      // Coarse wait with a timer (whole ms, often late by up to ~1 ms), then poll for the last stretch.
      this.timer = setTimeout(this.wait, Math.floor(remainingMs - SPIN_MS));
    } else {
      this.immediate = setImmediate(this.wait);
    }
  }

  private readonly wait = (): void => {
    this.timer = null;
    this.immediate = null;
    if (this.closed) return;
    if (this.now() >= this.stepTargetMs) this.endStep();
    else this.arm();
  };

  private endStep(): void {
    const plan = this.plan!;
    const endMs = this.stepTargetMs;
    const nowMs = this.now();
    const slot = this.steps % LATENESS_RING;
    const lateMs = nowMs - endMs;
    this.lateness[slot] = lateMs;
    this.steps++;
    const result = this.scheduler.commit(plan);
    this.plan = null;
    // Plan the next step first: it starts at this one's model end, not at "now", so neither timer
    // lateness nor the hand-off below adds up. A stall beyond CATCH_UP_LIMIT_MS (the host starved of
    // CPU) is not paid back, as a real engine would not. Aborts are told after this step's tokens.
    const aborted: SimSequence[] = [];
    if (this.scheduler.hasWork() && !this.closed) {
      this.planStep(lateMs > CATCH_UP_LIMIT_MS ? nowMs : endMs, aborted);
    }
    // The /metrics histograms stamp tokens when the step end fired, as an engine stamps its outputs.
    const emitted = result.emitted;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < emitted.length; i++) {
      const seq = emitted[i]!;
      const t = seq.sink as Timing;
      if (t.lastTokenMs < 0) {
        this.promptTokensTotal += seq.promptTokens;
        this.ttftHist.observe((nowMs - t.arrivalMs) / 1000);
      } else {
        this.itlHist.observe((nowMs - t.lastTokenMs) / 1000);
      }
      t.lastTokenMs = nowMs;
      this.generationTokensTotal++;
      const finished = seq.state === 'finished';
      if (finished) this.requestsFinished++;
      t.sink.token(seq, finished);
    }
    this.handoff[slot] = this.now() - endMs;
    const cpu = process.cpuUsage(cpu0);
    this.handoffCpu[slot] = (cpu.user + cpu.system) / 1000;
    this.reportAborted(aborted);
  }

  private reportAborted(aborted: SimSequence[]): void {
    for (const seq of aborted) {
      this.requestsAborted++;
      const reason =
        seq.preemptions > this.profile.scheduler.maxPreemptions
          ? `request preempted ${seq.preemptions} times (KV cache exhausted); aborted by the engine`
          : 'request does not fit in the KV cache; aborted by the engine';
      (seq.sink as Timing).sink.aborted(seq, reason);
    }
  }
}
