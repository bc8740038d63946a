import { type RetryAfterSummary, retryAfterSummary } from './retry-after.js';
import type { Rng } from 'inferencebench';
import type { AutoRateRecord } from '../load/auto-rate.js';
import type { GateRecord, LevelRunResult } from '../load/level-runner.js';
import { goodput, levelHoldsSlo } from '../slo/goodput.js';
import type { Slo } from '../slo/templates.js';
import type { RequestStatus } from '../types.js';
import { chunkGapsMs, perTokenGapsMs, type RequestRecord, tokensPerChunk } from './request-metrics.js';
import { bootstrapMeanCi, bootstrapPercentilesCi, percentileSorted, sortedCopy } from './stats.js';

/** One metric in a level document (SPEC §12): value and, for percentiles and means, its 95% CI. */
export interface MetricValue {
  value: number | null;
  ci95?: [number, number] | null;
  unit?: string;
}

/** Power figures for the window, from the PowerMeter seam (`window(startMs, endMs)`); absent = not measured. */
export interface LevelPower {
  powerAvgW: number | null;
  energyJ: number | null;
  valid: boolean;
  source: string;
  invalidReason?: string | null;
}

/** The level document stored with `ctx.writer.level(i, doc)` (SPEC §12 shape, plus extra fields). */
export interface LevelDocument {
  index: number;
  concurrency: number;
  rate_req_s: number | 'inf';
  rate_mode: 'auto' | 'inf' | 'fixed';
  converged: boolean;
  window_s: number;
  requests: {
    measured: number;
    ok: number;
    errors: Partial<Record<Exclude<RequestStatus, 'ok'>, number>>;
    unmeasured: { gate: number; drain: number };
    /** Measured requests the server asked to retry later (429/503 with Retry-After). */
    retry_after: RetryAfterSummary;
  };
  metrics: Record<string, MetricValue>;
  gate: GateRecord;
  warmup: { runs: number; requests: number; mean_e2e_ms: number | null };
  driver: {
    offered_rate_req_s: number | 'inf';
    scheduled_rate_req_s: number | null;
    achieved_rate_req_s: number | null;
    mean_in_flight: number;
    max_in_flight: number;
    /** The client cap on requests in flight (null: none, the `--rate auto` default). */
    cap_in_flight: number | null;
    /** Share of the window spent with the cap reached (null without a cap). */
    at_cap_share: number | null;
    /** How `--rate auto` chose λ: the epochs of the gate and whether mean in-flight reached C ± 10%. */
    auto_rate: AutoRateRecord | null;
    lag_p50_ms: number | null;
    lag_p99_ms: number | null;
    lag_max_ms: number | null;
    client_limited: boolean;
  };
  /**
   * The SLO verdict. `ttft_p99_ms` / `tpot_p99_ms` here are the p99s that judge it: over every measured
   * request, a failed one counted as a miss (infinite latency, `inf`), so a level with 2% errors cannot hold
   * a p99 SLO (SPEC §6). `valid: false` (error rate above `--max-error-rate`) cannot hold either.
   */
  slo: {
    id: string;
    holds: boolean;
    meeting: number;
    ttft_p99_ms: number | 'inf' | null;
    tpot_p99_ms: number | 'inf' | null;
  };
  /** False when the error rate exceeds `--max-error-rate` (SPEC §14): the level's figures are not a result. */
  valid: boolean;
  flags: {
    converged: boolean;
    error_rate_exceeded: boolean;
    thin_tail: boolean;
    client_limited: boolean;
    drain_timed_out: boolean;
    aborted: boolean;
    n_out_source: string;
  };
  errors_sample: { seq: number; status: string; error: string | null }[];
  notes: string[];
  search?: { probe: number; rate_req_s: number; holds: boolean };
}

/** p99 needs at least this many measured requests to mean anything (SPEC §5). */
export const THIN_TAIL_MIN = 100;
/** Scheduling lag p99 above this means the client, not the server, shaped the result (SPEC §4). */
export const CLIENT_LIMITED_LAG_MS = 5;

const PS = [50, 90, 99] as const;

/** p50/p90/p99 and mean with bootstrap CIs for one per-request quantity, into `out` as `<name>_pXX_ms`. */
export function describeMs(
  name: string,
  values: ArrayLike<number>,
  rng: Rng,
  out: Record<string, MetricValue>,
  resamples = 1000,
): void {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  if (n === 0) {
    for (const p of PS) out[`${name}_p${p}_ms`] = { value: null, ci95: null };
    out[`${name}_mean_ms`] = { value: null, ci95: null };
    return;
  }
  // Percentile CIs are exact and O(1) per resample at any n; so is the mean's above 2,000 values (core).
  const cis = bootstrapPercentilesCi(sorted, [...PS], { rng: rng.fork('percentiles'), resamples });
  PS.forEach((p, k) => {
    out[`${name}_p${p}_ms`] = { value: percentileSorted(sorted, p), ci95: cis[k]! };
  });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  out[`${name}_mean_ms`] = {
    value: sum / n,
    ci95: bootstrapMeanCi(sorted, { rng: rng.fork('mean'), resamples }),
  };
}

export interface LevelMetricsInput
  extends Pick<
    LevelRunResult,
    | 'levelIndex'
    | 'concurrency'
    | 'rateMode'
    | 'rateReqS'
    | 'rateNote'
    | 'warmup'
    | 'gate'
    | 'windowS'
    | 'measured'
    | 'windowOutputTokens'
    | 'windowInputTokens'
    | 'windowScheduled'
    | 'windowDispatched'
    | 'meanInFlight'
    | 'maxInFlight'
    | 'capInFlight'
    | 'atCapShare'
    | 'autoRate'
    | 'lagMs'
    | 'unmeasured'
    | 'drainTimedOut'
    | 'aborted'
    | 'failedFast'
  > {}

/** Default `--max-error-rate` (SPEC §14). */
export const MAX_ERROR_RATE = 0.05;

/**
 * p99 (linear interpolation) of a latency over every measured request, failures as +Infinity; null when
 * there is no value at all. Interpolation that touches an infinite order statistic is infinite.
 */
export function p99WithMisses(
  measured: readonly RequestRecord[],
  f: (r: RequestRecord) => number | null,
): number | null {
  const values: number[] = [];
  for (const r of measured) {
    if (r.status !== 'ok') values.push(Number.POSITIVE_INFINITY);
    else {
      const v = f(r);
      if (v !== null) values.push(v);
    }
  }
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const h = (sorted.length - 1) * 0.99;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = sorted[lo]!;
  if (frac === 0) return a;
  const b = sorted[lo + 1]!;
  if (!Number.isFinite(b)) return Number.POSITIVE_INFINITY;
  return a + (b - a) * frac;
}

const infJson = (x: number | null): number | 'inf' | null =>
  x === null ? null : Number.isFinite(x) ? x : 'inf';

/** Turn one level's run into its document: every metric of SPEC §5 over the measured requests. */
export function levelDocument(
  run: LevelMetricsInput,
  slo: Slo,
  rng: Rng,
  options: { power?: LevelPower | null; resamples?: number; maxErrorRate?: number } = {},
): LevelDocument {
  const maxErrorRate = options.maxErrorRate ?? MAX_ERROR_RATE;
  const resamples = options.resamples ?? 1000;
  const measured = run.measured;
  const ok = measured.filter((r) => r.status === 'ok');
  const errors: LevelDocument['requests']['errors'] = {};
  for (const r of measured) if (r.status !== 'ok') errors[r.status] = (errors[r.status] ?? 0) + 1;

  // Latency distributions are over successful measured requests; failures count in error_rate and goodput.
  const metrics: Record<string, MetricValue> = {};
  const pick = (f: (r: RequestRecord) => number | null): number[] => {
    const out: number[] = [];
    for (const r of ok) {
      const v = f(r);
      if (v !== null) out.push(v);
    }
    return out;
  };
  const itlChunk: number[] = [];
  const itlToken: number[] = [];
  for (const r of ok) {
    for (const g of chunkGapsMs(r.chunkTimesMs)) itlChunk.push(g);
    const tpc = tokensPerChunk(r.chunkTokens, r.chunkTimesMs.length, r.nOut);
    for (const g of perTokenGapsMs(r.chunkTimesMs, tpc)) itlToken.push(g);
  }
  describeMs(
    'ttft',
    pick((r) => r.ttftMs),
    rng.fork('ttft'),
    metrics,
    resamples,
  );
  describeMs(
    'tpot',
    pick((r) => r.tpotMs),
    rng.fork('tpot'),
    metrics,
    resamples,
  );
  describeMs('itl', itlChunk, rng.fork('itl'), metrics, resamples);
  describeMs('itl_token', itlToken, rng.fork('itl_token'), metrics, resamples);
  describeMs(
    'e2e',
    pick((r) => r.e2eMs),
    rng.fork('e2e'),
    metrics,
    resamples,
  );
  describeMs(
    'queue_wait',
    pick((r) => r.queueWaitMs),
    rng.fork('queue_wait'),
    metrics,
    resamples,
  );
  describeMs(
    'server_ttft',
    pick((r) => r.serverTtftMs),
    rng.fork('server_ttft'),
    metrics,
    resamples,
  );

  const w = run.windowS;
  const perS = (x: number): number | null => (w > 0 ? x / w : null);
  const throughputTokS = perS(run.windowOutputTokens);
  metrics.throughput_tok_s = { value: throughputTokS, unit: 'tok/s' };
  metrics.throughput_req_s = { value: perS(ok.length), unit: 'req/s' };
  metrics.total_tok_s = { value: perS(run.windowOutputTokens + run.windowInputTokens), unit: 'tok/s' };
  const gp = goodput(measured, w, slo);
  metrics.goodput_req_s = { value: gp.goodputReqS, unit: 'req/s' };
  metrics.goodput_tok_s = { value: gp.goodputTokS, unit: 'tok/s' };
  metrics.slo_attainment = { value: gp.sloAttainment };
  metrics.error_rate = {
    value: measured.length > 0 ? (measured.length - ok.length) / measured.length : null,
  };
  Object.assign(metrics, promptCacheAndRetries(measured));

  // Power seam: filled when a PowerMeter window is passed in; null (not zero) when not measured.
  const power = options.power ?? null;
  const validPower = power?.valid ? power : null;
  metrics.power_avg_w = { value: validPower ? validPower.powerAvgW : null, unit: 'W' };
  metrics.energy_j = { value: validPower ? validPower.energyJ : null, unit: 'J' };
  metrics.joules_per_token = {
    value:
      validPower && validPower.energyJ !== null && run.windowOutputTokens > 0
        ? validPower.energyJ / run.windowOutputTokens
        : null,
    unit: 'J/tok',
  };
  metrics.cost_usd_per_mtok = { value: null, unit: 'USD/Mtok' };

  const lagSorted = sortedCopy(run.lagMs);
  const lagP99 = lagSorted.length > 0 ? percentileSorted(lagSorted, 99) : null;
  const clientLimited = lagP99 !== null && lagP99 > CLIENT_LIMITED_LAG_MS;
  const thinTail = ok.length < THIN_TAIL_MIN;
  // The SLO is judged on p99s where failures are misses; a level above --max-error-rate is invalid.
  const errorRate = metrics.error_rate!.value;
  const valid = errorRate !== null && errorRate <= maxErrorRate && run.failedFast === null;
  const sloTtftP99 = p99WithMisses(measured, (r) => r.ttftMs);
  const sloTpotP99 = p99WithMisses(measured, (r) => r.tpotMs);
  const holds = valid && levelHoldsSlo(sloTtftP99, sloTpotP99, ok.length, slo);

  const notes: string[] = [];
  if (run.failedFast) notes.push(`stopped: ${run.failedFast}`);
  if (errorRate !== null && errorRate > maxErrorRate)
    notes.push(
      `invalid: error rate ${(errorRate * 100).toFixed(1)}% > --max-error-rate ${(maxErrorRate * 100).toFixed(1)}%; the level cannot hold the SLO`,
    );
  if (run.rateNote) notes.push(run.rateNote);
  if (!run.gate.converged) {
    const covOk = run.gate.cov !== null && run.gate.cov < run.gate.cov_threshold;
    const a = run.autoRate;
    const last = a?.steps[a.steps.length - 1];
    if (a && !a.converged && covOk) {
      notes.push(
        `not converged: rate auto: mean in-flight ${last ? last.mean_in_flight.toFixed(1) : 'n/a'} not within ${a.tolerance * 100}% of ${a.target_in_flight} after ${run.gate.duration_s.toFixed(1)} s gate timeout`,
      );
    } else {
      notes.push(
        `not converged: ${run.gate.metric} CoV ${run.gate.cov === null ? 'n/a' : run.gate.cov.toFixed(3)} >= ${run.gate.cov_threshold} after ${run.gate.duration_s.toFixed(1)} s gate timeout${a && !a.converged ? ' (and the auto rate had not settled)' : ''}`,
      );
    }
  }
  if (thinTail) {
    notes.push(
      `thin tail: p99 rests on ${ok.length} successful requests (needs >= ${THIN_TAIL_MIN}; MLPerf's early stopping needs 459 with no miss for p99 at 99% confidence)`,
    );
  }
  if (clientLimited)
    notes.push(`client limited: scheduling lag p99 ${lagP99!.toFixed(2)} ms > ${CLIENT_LIMITED_LAG_MS} ms`);
  if (run.drainTimedOut) notes.push('drain timeout: unfinished measured requests counted as timeout');
  const cacheShare = metrics.prompt_cache_share?.value ?? null;
  if (cacheShare !== null && cacheShare > 0)
    notes.push(
      `prompt cache: ${(cacheShare * 100).toFixed(1)}% of prompt tokens served from the engine's cache`,
    );
  const retried = metrics.keepalive_retries?.value ?? 0;
  if (retried > 0)
    notes.push(
      `keep-alive: ${retried} request(s) sent again on a fresh connection (the server had closed the reused one)`,
    );
  if (power !== null && !power.valid)
    notes.push(`power invalid (${power.source}): ${power.invalidReason ?? 'unknown'}`);

  const retryAfter = retryAfterSummary(measured);
  if (retryAfter.count > 0)
    notes.push(
      `server pushed back: ${retryAfter.count} measured request(s) answered with Retry-After (max ${retryAfter.max_s} s)`,
    );
  const sources = new Set(ok.map((r) => r.nOutSource));
  return {
    index: run.levelIndex,
    concurrency: run.concurrency,
    rate_req_s: run.rateReqS === Number.POSITIVE_INFINITY ? 'inf' : run.rateReqS,
    rate_mode: run.rateMode,
    converged: run.gate.converged,
    window_s: w,
    requests: {
      measured: measured.length,
      ok: ok.length,
      errors,
      unmeasured: run.unmeasured,
      retry_after: retryAfter,
    },
    metrics,
    gate: run.gate,
    warmup: { runs: run.warmup.runs, requests: run.warmup.requests, mean_e2e_ms: run.warmup.meanE2eMs },
    driver: {
      offered_rate_req_s: run.rateReqS === Number.POSITIVE_INFINITY ? 'inf' : run.rateReqS,
      scheduled_rate_req_s: perS(run.windowScheduled),
      achieved_rate_req_s: perS(run.windowDispatched),
      mean_in_flight: run.meanInFlight,
      max_in_flight: run.maxInFlight,
      cap_in_flight: run.capInFlight,
      at_cap_share: run.atCapShare,
      auto_rate: run.autoRate,
      lag_p50_ms: lagSorted.length > 0 ? percentileSorted(lagSorted, 50) : null,
      lag_p99_ms: lagP99,
      lag_max_ms: lagSorted.length > 0 ? lagSorted[lagSorted.length - 1]! : null,
      client_limited: clientLimited,
    },
    slo: {
      id: slo.id,
      holds,
      meeting: gp.meeting,
      ttft_p99_ms: infJson(sloTtftP99),
      tpot_p99_ms: infJson(sloTpotP99),
    },
    valid,
    flags: {
      converged: run.gate.converged,
      error_rate_exceeded: errorRate !== null && errorRate > maxErrorRate,
      thin_tail: thinTail,
      client_limited: clientLimited,
      drain_timed_out: run.drainTimedOut,
      aborted: run.aborted,
      n_out_source: sources.size === 0 ? 'none' : [...sources].sort().join('+'),
    },
    errors_sample: measured
      .filter((r) => r.status !== 'ok')
      .slice(0, 20)
      .map((r) => ({ seq: r.seq, status: r.status, error: r.error })),
    notes,
  };
}

/**
 * SPEC §4, §5: the share of prompt tokens the engine served from its cache (null when it never says), and
 * how many measured requests were sent again after a stale keep-alive connection.
 */
export function promptCacheAndRetries(measured: readonly RequestRecord[]): Record<string, MetricValue> {
  let cached = 0;
  let prompt = 0;
  let reported = 0;
  let retries = 0;
  for (const r of measured) {
    retries += r.retries ?? 0;
    if (r.cachedPromptTokens === null || r.cachedPromptTokens === undefined) continue;
    reported++;
    cached += r.cachedPromptTokens;
    prompt += r.nIn;
  }
  return {
    prompt_cache_share: { value: reported > 0 && prompt > 0 ? cached / prompt : null },
    cached_prompt_tokens: { value: reported > 0 ? cached : null, unit: 'tok' },
    keepalive_retries: { value: retries },
  };
}
