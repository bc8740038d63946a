import { BenchError, type StoredRequest } from 'inferencebench';
import type { LevelMetricsInput } from './metrics/level-metrics.js';
import type { RequestRecord, TokenCountSource } from './metrics/request-metrics.js';
import type { LlmPlan } from './options.js';
import type { RequestStatus } from './types.js';

/** This process's place among the shards of a level (docs/scale.md). */
export interface Shard {
  index: number;
  count: number;
  group: string;
}

/**
 * Checks a sharded plan and fills the shard index from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's
 * pod index) when --shard-index is not given. Shards need a fixed rate: the seeded schedule they split.
 */
export function validateShards(plan: LlmPlan): LlmPlan {
  if (plan.shards <= 1) return plan;
  if (!Array.isArray(plan.rate))
    throw bad(
      '--shards needs a fixed --rate',
      'shards split one seeded arrival schedule: give --rate R (req/s)',
    );
  if (plan.search !== undefined)
    throw bad('--shards cannot be combined with --search', 'run the search unsharded');
  const small = plan.concurrency.find((c) => c < plan.shards);
  if (small !== undefined)
    throw bad(
      `--concurrency ${small} is smaller than --shards ${plan.shards}`,
      'each shard needs at least one slot',
    );
  if (!plan.endpoint)
    throw bad(
      '--shards needs --endpoint',
      'shards share one serving endpoint; each would launch its own engine',
    );
  return plan;
}

const bad = (message: string, hint: string) => new BenchError('BENCH_ERR_BAD_OPTION', message, { hint });

/**
 * The shard index and group a sharded run needs when it starts (not when it is rendered for Kubernetes,
 * where each pod gets its index from $JOB_COMPLETION_INDEX and the group is the Job's name).
 */
export function resolveShardIndex(plan: LlmPlan, env: NodeJS.ProcessEnv = process.env): LlmPlan {
  if (plan.shards <= 1) return plan;
  const fromEnv = env.JOB_COMPLETION_INDEX;
  const index = plan.shardIndex ?? (fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : undefined);
  if (index === undefined || !Number.isInteger(index) || index < 0 || index >= plan.shards)
    throw bad(
      `--shards ${plan.shards} needs a shard index 0..${plan.shards - 1}`,
      'give --shard-index I, or run in a Kubernetes Indexed Job ($JOB_COMPLETION_INDEX)',
    );
  if (!plan.shardGroup)
    throw bad('--shards needs --shard-group', 'the same id for every shard of the run, e.g. the Job name');
  return { ...plan, shardIndex: index };
}

export function shardOf(plan: LlmPlan): Shard | null {
  return plan.shards > 1 && plan.shardIndex !== undefined && plan.shardGroup
    ? { index: plan.shardIndex, count: plan.shards, group: plan.shardGroup }
    : null;
}

/** Shard i's share of C: C/N rounded down, the remainder going one each to the first shards. */
export function concurrencyShare(c: number, shard: Shard): number {
  return Math.floor(c / shard.count) + (shard.index < c % shard.count ? 1 : 0);
}

/** What a shard stores beside its own level document, so that the parent can add them up exactly. */
export interface ShardRaw {
  window_s: number;
  window_output_tokens: number;
  window_input_tokens: number;
  window_scheduled: number;
  window_dispatched: number;
  mean_in_flight: number;
  unmeasured: { gate: number; drain: number };
  drain_timed_out: boolean;
  aborted: boolean;
}

export function shardRaw(run: LevelMetricsInput): ShardRaw {
  return {
    window_s: run.windowS,
    window_output_tokens: run.windowOutputTokens,
    window_input_tokens: run.windowInputTokens,
    window_scheduled: run.windowScheduled,
    window_dispatched: run.windowDispatched,
    mean_in_flight: run.meanInFlight,
    unmeasured: run.unmeasured,
    drain_timed_out: run.drainTimedOut,
    aborted: run.aborted,
  };
}

/** A stored request back as the record the metrics take (chunk times rebuilt from TTFT and the ITL gaps). */
export function recordFromStored(row: StoredRequest): RequestRecord {
  const d = (row.data ?? {}) as {
    itl_ms?: number[];
    chunk_tokens?: (number | null)[];
    n_out_source?: TokenCountSource;
    http_status?: number | null;
    error?: string | null;
  };
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const ttft = num(row.ttft_ms);
  const gaps = d.itl_ms ?? [];
  const times = new Float64Array(ttft === null ? 0 : gaps.length + 1);
  if (ttft !== null) {
    times[0] = ttft;
    for (let i = 0; i < gaps.length; i++) times[i + 1] = times[i]! + gaps[i]!;
  }
  return {
    seq: row.seq,
    phase: 'measured',
    status: row.status as RequestStatus,
    scheduledMs: 0,
    dispatchMs: null,
    sentMs: ttft === null ? null : 0,
    firstMs: ttft,
    lastMs: ttft === null ? null : times[times.length - 1]!,
    nIn: num(row.n_in) ?? 0,
    nOut: num(row.n_out) ?? 0,
    nOutSource: d.n_out_source ?? 'usage',
    ttftMs: ttft,
    e2eMs: num(row.e2e_ms),
    tpotMs: num(row.tpot_ms),
    queueWaitMs: num(row.queue_wait_ms),
    serverTtftMs: num(row.server_ttft_ms),
    chunkTimesMs: times,
    chunkTokens: d.chunk_tokens ?? [],
    httpStatus: d.http_status ?? null,
    error: d.error ?? null,
  };
}

/**
 * The level as one process would have measured it, from every shard's raw records and counters: latency
 * distributions over the merged records (never averaged across shards), counts and token totals summed.
 */
export function mergedLevelInput(
  base: LevelMetricsInput,
  concurrency: number,
  peers: { levels: unknown[]; requests: StoredRequest[] }[],
): LevelMetricsInput {
  const measured: RequestRecord[] = [];
  const lags: number[] = [];
  const sum = { out: 0, inp: 0, sched: 0, disp: 0, inflight: 0, gate: 0, drain: 0 };
  let drainTimedOut = false;
  let aborted = false;
  for (const peer of peers) {
    const level = peer.levels[base.levelIndex] as { shard_raw?: ShardRaw } | undefined;
    const raw = level?.shard_raw;
    if (!raw) throw new BenchError('BENCH_ERR_STORE', `a shard stored no level ${base.levelIndex}`);
    sum.out += raw.window_output_tokens;
    sum.inp += raw.window_input_tokens;
    sum.sched += raw.window_scheduled;
    sum.disp += raw.window_dispatched;
    sum.inflight += raw.mean_in_flight;
    sum.gate += raw.unmeasured.gate;
    sum.drain += raw.unmeasured.drain;
    drainTimedOut ||= raw.drain_timed_out;
    aborted ||= raw.aborted;
    for (const row of peer.requests) {
      if (row.level !== base.levelIndex || row.phase !== 'measured') continue;
      measured.push(recordFromStored(row));
      const lag = (row.data as { lag_ms?: number | null } | null)?.lag_ms;
      if (typeof lag === 'number') lags.push(lag);
    }
  }
  return {
    ...base,
    concurrency,
    measured,
    windowOutputTokens: sum.out,
    windowInputTokens: sum.inp,
    windowScheduled: sum.sched,
    windowDispatched: sum.disp,
    meanInFlight: sum.inflight,
    lagMs: Float64Array.from(lags),
    unmeasured: { gate: sum.gate, drain: sum.drain },
    drainTimedOut,
    aborted,
  };
}
