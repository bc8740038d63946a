/**
 * The performance model of a continuous-batching engine, free of timers and I/O: a scheduler that plans
 * one step at a time (`schedule`) and applies it (`commit`). The real-time driver (engine.ts) and the
 * virtual-time driver (virtual.ts) both run this same code, so tests can check the model without clocks.
 */
import type { Profile } from './profile.js';

export type SequenceState = 'waiting' | 'running' | 'finished' | 'aborted' | 'cancelled';

/** One request inside the engine. */
export interface SimSequence {
  /** Arrival order, from 0. */
  readonly id: number;
  readonly promptTokens: number;
  /** Output length at which the sequence stops (already resolved from max_tokens, ignore_eos, EOS). */
  readonly targetTokens: number;
  /** `length` when stopped by max_tokens, `stop` when by the sampled EOS. */
  readonly finishReason: 'length' | 'stop';
  generated: number;
  /** Tokens whose KV is in the cache (prompt + generated, minus the last sampled one). */
  computed: number;
  /** KV tokens reserved for this sequence (rounded up to whole blocks). */
  allocated: number;
  preemptions: number;
  state: SequenceState;
  /** Tokens this sequence computes in the step in flight. */
  scheduledTokens: number;
  /** Free slot for the driver (callbacks, timestamps). */
  sink: unknown;
}

/** What one step does: its modelled duration and power and who takes part. */
export interface StepPlan {
  durationMs: number;
  /** Power of all GPUs together during the step, W. */
  powerW: number;
  prefillTokens: number;
  decodeSeqs: number;
  cachedTokens: number;
  /** Sequences that compute tokens in this step (their `scheduledTokens` is set). */
  seqs: SimSequence[];
}

/** What a committed step produced. */
export interface StepResult {
  /** Sequences that received one new token this step. */
  emitted: SimSequence[];
  /** Sequences that reached their target length this step (also in `emitted`). */
  finished: SimSequence[];
  /** Sequences aborted by the engine (preempted too often). */
  aborted: SimSequence[];
}

/** Busyness of a step in [0, 1): saturates with the tokens it processes (Michaelis-Menten form). */
export function stepBusyness(batchTokens: number, busyTokensHalf: number): number {
  if (batchTokens <= 0) return 0;
  return batchTokens / (batchTokens + busyTokensHalf);
}

/** Power of all GPUs during a step that processes `batchTokens` tokens (idle when 0), capped at the limit. */
export function stepPowerW(profile: Profile, batchTokens: number): number {
  const { idleWPerGpu, dynamicWPerGpu, busyTokensHalf } = profile.power;
  const perGpu = Math.min(
    profile.gpu.powerLimitW,
    idleWPerGpu + dynamicWPerGpu * stepBusyness(batchTokens, busyTokensHalf),
  );
  return perGpu * profile.gpu.count;
}

/** Idle power of all GPUs, W. */
export function idlePowerW(profile: Profile): number {
  return Math.min(profile.gpu.powerLimitW, profile.power.idleWPerGpu) * profile.gpu.count;
}

/** Modelled step duration: overhead + prefill tokens + decoding sequences + attention over cached tokens. */
export function stepDurationMs(
  timing: Profile['timing'],
  prefillTokens: number,
  decodeSeqs: number,
  cachedTokens: number,
): number {
  return (
    timing.overheadMs +
    timing.prefillMsPerToken * prefillTokens +
    timing.decodeMsPerSeq * decodeSeqs +
    timing.attnMsPerCachedToken * cachedTokens
  );
}

/** Output length chosen by the "model" when nothing forces it: 1 + Exp(mean), clamped to [1, maxTokens]. */
export function sampledEosTokens(uniform01: number, meanTokens: number, maxTokens: number): number {
  const drawn = 1 + Math.floor(-Math.log(1 - uniform01) * meanTokens);
  return Math.max(1, Math.min(maxTokens, drawn));
}

/** FIFO of waiting sequences with O(1) push, pop and push-front (for preempted sequences). */
class SeqQueue {
  private items: (SimSequence | undefined)[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(s: SimSequence): void {
    this.items.push(s);
  }
  pushFront(s: SimSequence): void {
    if (this.head > 0) this.items[--this.head] = s;
    else this.items.unshift(s);
  }
  peek(): SimSequence | undefined {
    return this.items[this.head];
  }
  shift(): SimSequence | undefined {
    const s = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact once the dead prefix dominates, so memory stays bounded under steady load.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return s;
  }
}

/** The scheduler state of one engine (vLLM V1-like: running first, then admissions; recompute preemption). */
export class Scheduler {
  readonly profile: Profile;
  private readonly waiting = new SeqQueue();
  /** Running sequences in admission order (the newest is last, and is preempted first). */
  running: SimSequence[] = [];
  waitingCount = 0;
  kvUsedTokens = 0;
  preemptionsTotal = 0;
  private nextId = 0;

  constructor(profile: Profile) {
    this.profile = profile;
  }

  /** Adds a request to the back of the waiting queue. */
  add(promptTokens: number, targetTokens: number, finishReason: 'length' | 'stop'): SimSequence {
    const seq: SimSequence = {
      id: this.nextId++,
      promptTokens,
      targetTokens,
      finishReason,
      generated: 0,
      computed: 0,
      allocated: 0,
      preemptions: 0,
      state: 'waiting',
      scheduledTokens: 0,
      sink: undefined,
    };
    this.waiting.push(seq);
    this.waitingCount++;
    return seq;
  }

  /** Id the next added sequence will get (its arrival order). */
  get nextSequenceId(): number {
    return this.nextId;
  }

  /** The client went away: the sequence leaves the queue now, or the running set at the next step edge. */
  cancel(seq: SimSequence): void {
    if (seq.state === 'waiting') {
      seq.state = 'cancelled';
      this.waitingCount--;
    } else if (seq.state === 'running') {
      seq.state = 'cancelled';
    }
  }

  hasWork(): boolean {
    return this.running.length > 0 || this.waitingCount > 0;
  }

  /** KV-cache use in [0, 1]. */
  kvUsage(): number {
    return this.kvUsedTokens / this.profile.scheduler.kvCacheTokens;
  }

  private blocksFor(tokens: number): number {
    const b = this.profile.scheduler.blockSizeTokens;
    return Math.ceil(tokens / b) * b;
  }

  private free(seq: SimSequence): void {
    this.kvUsedTokens -= seq.allocated;
    seq.allocated = 0;
  }

  /** Reserve KV for `seq` to hold `tokens`; false when the cache cannot. */
  private reserve(seq: SimSequence, tokens: number): boolean {
    const need = this.blocksFor(tokens) - seq.allocated;
    if (need <= 0) return true;
    if (this.kvUsedTokens + need > this.profile.scheduler.kvCacheTokens) return false;
    this.kvUsedTokens += need;
    seq.allocated += need;
    return true;
  }

  /** Recompute preemption: drop the KV, send the sequence back to the front of the queue. */
  private preempt(seq: SimSequence, aborted: SimSequence[]): void {
    this.free(seq);
    seq.computed = 0;
    seq.scheduledTokens = 0;
    seq.preemptions++;
    this.preemptionsTotal++;
    if (seq.preemptions > this.profile.scheduler.maxPreemptions) {
      seq.state = 'aborted';
      aborted.push(seq);
      return;
    }
    seq.state = 'waiting';
    this.waiting.pushFront(seq);
    this.waitingCount++;
  }

  /**
   * Plans the next step. Sequences aborted while planning (preempted too often) are pushed onto
   * `aborted` so the driver can tell their clients. Returns null when there is nothing to run.
   */
  schedule(aborted: SimSequence[] = []): StepPlan | null {
    // A step whose only work was preempted plans nothing; planning again admits the preempted sequence.
    for (let attempt = 0; attempt < 3; attempt++) {
      const plan = this.scheduleOnce(aborted);
      if (plan || !this.hasWork()) return plan;
    }
    return null;
  }

  private scheduleOnce(aborted: SimSequence[]): StepPlan | null {
    const sched = this.profile.scheduler;
    let budget = sched.maxNumBatchedTokens;
    let prefillTokens = 0;
    let decodeSeqs = 0;
    let cachedTokens = 0;
    const seqs: SimSequence[] = [];
    let preempted = false;

    // Drop sequences whose clients left since the last step.
    if (this.running.some((s) => s.state !== 'running')) {
      for (const s of this.running) if (s.state !== 'running') this.free(s);
      this.running = this.running.filter((s) => s.state === 'running');
    }

    // Running sequences first, oldest first; the newest are preempted when the cache runs out.
    const running = this.running;
    let i = 0;
    while (i < running.length && budget > 0) {
      const seq = running[i]!;
      const todo = seq.promptTokens + seq.generated - seq.computed;
      const n = Math.min(todo, budget);
      let ok = this.reserve(seq, seq.computed + n);
      while (!ok) {
        const victim = running.pop()!;
        preempted = true;
        this.preempt(victim, aborted);
        if (victim === seq) break;
        ok = this.reserve(seq, seq.computed + n);
      }
      if (!ok) break;
      seq.scheduledTokens = n;
      cachedTokens += seq.computed;
      if (seq.generated > 0 && todo === 1) decodeSeqs++;
      else prefillTokens += n;
      budget -= n;
      seqs.push(seq);
      i++;
    }

    // Admit waiting sequences while there is room, budget and cache for their first chunk.
    while (!preempted && budget > 0 && running.length < sched.maxNumSeqs && this.waitingCount > 0) {
      const seq = this.waiting.peek()!;
      if (seq.state === 'cancelled') {
        this.waiting.shift();
        continue;
      }
      const todo = seq.promptTokens + seq.generated - seq.computed;
      const n = Math.min(todo, budget);
      if (!this.reserve(seq, seq.computed + n)) {
        // Alone in an empty cache and still no room: it can never run, so the engine gives up on it.
        if (running.length === 0) {
          this.waiting.shift();
          this.waitingCount--;
          seq.state = 'aborted';
          aborted.push(seq);
          continue;
        }
        break;
      }
      this.waiting.shift();
      this.waitingCount--;
      seq.state = 'running';
      running.push(seq);
      seq.scheduledTokens = n;
      cachedTokens += seq.computed;
      prefillTokens += n;
      budget -= n;
      seqs.push(seq);
    }
    // Skip cancelled heads so waitingCount and the queue agree.
    while (this.waitingCount === 0 && this.waiting.size > 0) this.waiting.shift();

    if (seqs.length === 0) return null;
    const timing = this.profile.timing;
    return {
      durationMs: stepDurationMs(timing, prefillTokens, decodeSeqs, cachedTokens),
      powerW: stepPowerW(this.profile, prefillTokens + decodeSeqs),
      prefillTokens,
      decodeSeqs,
      cachedTokens,
      seqs,
    };
  }

  /** Applies a planned step: KV grows, sequences whose context is complete sample one token. */
  commit(plan: StepPlan): StepResult {
    const emitted: SimSequence[] = [];
    const finished: SimSequence[] = [];
    let anyDone = false;
    for (const seq of plan.seqs) {
      const n = seq.scheduledTokens;
      seq.scheduledTokens = 0;
      if (seq.state !== 'running') continue;
      seq.computed += n;
      if (seq.computed === seq.promptTokens + seq.generated) {
        seq.generated++;
        emitted.push(seq);
        if (seq.generated >= seq.targetTokens) {
          seq.state = 'finished';
          this.free(seq);
          finished.push(seq);
          anyDone = true;
        }
      }
    }
    if (anyDone) this.running = this.running.filter((s) => s.state === 'running');
    return { emitted, finished, aborted: [] };
  }
}
