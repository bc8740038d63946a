import { type RetryAfterSummary, retryAfterSummary } from './retry-after.js';
import type { Rng } from 'inferencebench';
import { type LevelCostContext, levelCost } from '../cost/level-cost.js';
import type { AutoRateRecord } from '../load/auto-rate.js';
import type { GateRecord, LevelRunResult } from '../load/level-runner.js';
import { windowTotals } from '../load/window-accounting.js';
import { goodput, levelHoldsSlo } from '../slo/goodput.js';
import type { Slo } from '../slo/templates.js';
import type { RequestStatus } from '../types.js';
import { DISTRIBUTIONS, type LevelFigures, type MetricKey, SCALARS } from './registry.js';
import { asStored, type StoredRequestView } from './stored-request.js';
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
  /** Every metric of the registry (metrics/registry.ts), keyed as declared there. */
  metrics: Record<MetricKey, MetricValue>;
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
  /** Wall-clock edges of the window (epoch ms, the clock of stored samples). */
  window_epoch_ms: [number, number];
  /** What the level was computed from besides its request records: stored, so the store can recompute it. */
  inputs: LevelInputs;
}

/**
 * The facts of a level run that are not in its request records (SPEC §3-§4): how the load was set, the
 * gate, the window's edges, the in-flight meter, power. Times are ms from the level's origin (when it started), as
 * the stored records' `sched_ms`.
 */
export interface LevelInputs {
  version: 1;
  index: number;
  concurrency: number;
  rate_mode: 'auto' | 'inf' | 'fixed';
  rate_req_s: number | 'inf';
  rate_note: string | null;
  warmup: { runs: number; mean_e2e_ms: number | null };
  gate: GateRecord;
  window: { start_ms: number; end_ms: number; s: number; epoch_ms: [number, number] };
  in_flight: { mean: number; max: number; cap: number | null; at_cap_share: number | null };
  auto_rate: AutoRateRecord | null;
  drain_timed_out: boolean;
  aborted: boolean;
  failed_fast: string | null;
  power: LevelPower | null;
  /** The probe number when the level was a `--search goodput` probe. */
  search_probe: number | null;
}

/** Everything besides the level's own facts that its document depends on: from the stored plan and environment. */
export interface LevelContext {
  slo: Slo;
  maxErrorRate: number;
  resamples?: number;
  /** Cost inputs; null computes no cost (tests of the metrics alone). */
  cost: LevelCostContext | null;
  engineName: string;
  /** The engine can force the requested output length (else a note says n_out is what it chose). */
  outputLengthEnforced: boolean;
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
    for (const p of PS) out[`${name}_p${p}_ms`] = { value: null, ci95: null, unit: 'ms' };
    out[`${name}_mean_ms`] = { value: null, ci95: null, unit: 'ms' };
    return;
  }
  // Percentile CIs are exact and O(1) per resample at any n; so is the mean's above 2,000 values (core).
  const cis = bootstrapPercentilesCi(sorted, [...PS], { rng: rng.fork('percentiles'), resamples });
  PS.forEach((p, k) => {
    out[`${name}_p${p}_ms`] = { value: percentileSorted(sorted, p), ci95: cis[k]!, unit: 'ms' };
  });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  out[`${name}_mean_ms`] = {
    value: sum / n,
    ci95: bootstrapMeanCi(sorted, { rng: rng.fork('mean'), resamples }),
    unit: 'ms',
  };
}

/** Bootstrap resamples of a level cut by Ctrl-C: its statistics must not hold up the exit. */
export const ABORTED_RESAMPLES = 100;

/** Default `--max-error-rate` (SPEC §14). */
export const MAX_ERROR_RATE = 0.05;

/**
 * p99 (linear interpolation) of a latency over every measured request, failures as +Infinity; null when
 * there is no value at all. Interpolation that touches an infinite order statistic is infinite.
 */
export function p99WithMisses<R extends { status: RequestStatus }>(
  measured: readonly R[],
  f: (r: R) => number | null,
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

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The level's facts from the driver's result (the window edges rounded as stored records' times are). */
export function levelInputsOf(
  run: LevelRunResult,
  extra: { power?: LevelPower | null; searchProbe?: number | null } = {},
): LevelInputs {
  const startMs = r3(run.windowStartMs - run.originMs);
  return {
    version: 1,
    index: run.levelIndex,
    concurrency: run.concurrency,
    rate_mode: run.rateMode,
    rate_req_s: run.rateReqS === Number.POSITIVE_INFINITY ? 'inf' : run.rateReqS,
    rate_note: run.rateNote,
    warmup: { runs: run.warmup.runs, mean_e2e_ms: run.warmup.meanE2eMs },
    gate: run.gate,
    window: {
      start_ms: startMs,
      end_ms: r3(startMs + run.windowS * 1000),
      s: run.windowS,
      epoch_ms: [performance.timeOrigin + run.windowStartMs, performance.timeOrigin + run.windowEndMs],
    },
    in_flight: {
      mean: run.meanInFlight,
      max: run.maxInFlight,
      cap: run.capInFlight,
      at_cap_share: run.atCapShare,
    },
    auto_rate: run.autoRate,
    drain_timed_out: run.drainTimedOut,
    aborted: run.aborted,
    failed_fast: run.failedFast,
    power: extra.power ?? null,
    search_probe: extra.searchProbe ?? null,
  };
}

/**
 * A level's document from a driver result, computed exactly as the store would recompute it: the records
 * pass through their stored form first. Tests and the plugin use this; `bench runs show` uses
 * `computeLevelDocument` on what it reads.
 */
export function levelDocument(
  run: LevelRunResult,
  slo: Slo,
  rng: Rng,
  options: {
    power?: LevelPower | null;
    resamples?: number;
    maxErrorRate?: number;
    searchProbe?: number | null;
    context?: Omit<LevelContext, 'slo' | 'maxErrorRate' | 'resamples'>;
  } = {},
): LevelDocument {
  // The facts go through JSON too: the document is computed from exactly what is stored.
  const inputs = JSON.parse(
    JSON.stringify(
      levelInputsOf(run, { power: options.power ?? null, searchProbe: options.searchProbe ?? null }),
    ),
  ) as LevelInputs;
  return computeLevelDocument(inputs, run.records.map(asStored), rng, {
    slo,
    maxErrorRate: options.maxErrorRate ?? MAX_ERROR_RATE,
    ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
    ...(options.context ?? { cost: null, engineName: 'unknown', outputLengthEnforced: true }),
  });
}

/**
 * THE level document (SPEC §5, §12): every metric of the registry over the level's measured requests,
 * from its stored request records and facts. Pure: the run, `bench runs show`, `compare` and `report` all
 * call it, and the same inputs give the same document to the last digit. `rng` is the level's bootstrap
 * generator (`bootstrap/level-<i>` forked from the run's seed).
 */
export function computeLevelDocument(
  inputs: LevelInputs,
  stored: readonly StoredRequestView[],
  rng: Rng,
  ctx: LevelContext,
): LevelDocument {
  // Ctrl-C must end the run within 2 s (SPEC §14): an aborted level's CIs come from fewer resamples.
  const resamples = ctx.resamples ?? (inputs.aborted ? ABORTED_RESAMPLES : 1000);
  const slo = ctx.slo;
  const maxErrorRate = ctx.maxErrorRate;
  // One order for every sum, whatever order the records were written or read in.
  const records = [...stored].sort((a, b) => a.seq - b.seq);
  const measured = records.filter((r) => r.phase === 'measured');
  const ok = measured.filter((r) => r.status === 'ok');
  const errors: LevelDocument['requests']['errors'] = {};
  for (const r of measured) if (r.status !== 'ok') errors[r.status] = (errors[r.status] ?? 0) + 1;
  const unmeasured = {
    gate: records.filter((r) => r.phase === 'gate').length,
    drain: records.filter((r) => r.phase === 'drain').length,
  };
  const w = inputs.window.s;
  const window = windowTotals(records, inputs.window.start_ms, inputs.window.end_ms);
  const power = inputs.power ?? null;
  const figures: LevelFigures = {
    windowS: w,
    measured,
    ok,
    window,
    goodput: goodput(measured, w, slo),
    power: power?.valid ? power : null,
  };

  // Latency distributions are over successful measured requests; failures count in error_rate and goodput.
  const metrics = {} as Record<MetricKey, MetricValue>;
  for (const d of DISTRIBUTIONS) describeMs(d.name, d.values(ok), rng.fork(d.name), metrics, resamples);
  for (const m of SCALARS) metrics[m.key] = { value: m.value(figures), unit: m.unit };
  if (ctx.cost) Object.assign(metrics, levelCost({ measured }, { metrics }, slo, ctx.cost));
  else {
    metrics.cost_usd_per_mtok = { value: null, unit: 'USD/Mtok' };
    metrics.cost_usd_per_mtok_slo = { value: null, unit: 'USD/Mtok' };
  }

  const lagSorted = sortedCopy(measured.flatMap((r) => (r.lagMs === null ? [] : [r.lagMs])));
  const lagP99 = lagSorted.length > 0 ? percentileSorted(lagSorted, 99) : null;
  const clientLimited = lagP99 !== null && lagP99 > CLIENT_LIMITED_LAG_MS;
  const thinTail = ok.length < THIN_TAIL_MIN;
  // The SLO is judged on p99s where failures are misses; a level above --max-error-rate is invalid.
  const errorRate = metrics.error_rate.value;
  const valid = errorRate !== null && errorRate <= maxErrorRate && inputs.failed_fast === null;
  const sloTtftP99 = p99WithMisses(measured, (r) => r.ttftMs);
  const sloTpotP99 = p99WithMisses(measured, (r) => r.tpotMs);
  const holds = valid && levelHoldsSlo(sloTtftP99, sloTpotP99, ok.length, slo);

  const gate = inputs.gate;
  const notes: string[] = [];
  if (inputs.failed_fast) notes.push(`stopped: ${inputs.failed_fast}`);
  if (inputs.aborted && ctx.resamples === undefined)
    notes.push(`aborted: 95% CIs from ${ABORTED_RESAMPLES} bootstrap resamples, not 1000`);
  if (errorRate !== null && errorRate > maxErrorRate)
    notes.push(
      `invalid: error rate ${(errorRate * 100).toFixed(1)}% > --max-error-rate ${(maxErrorRate * 100).toFixed(1)}%; the level cannot hold the SLO`,
    );
  if (inputs.rate_note) notes.push(inputs.rate_note);
  if (!gate.converged) notes.push(notConvergedNote(gate, inputs.auto_rate));
  if (thinTail) {
    notes.push(
      `thin tail: p99 rests on ${ok.length} successful requests (needs >= ${THIN_TAIL_MIN}; MLPerf's early stopping needs 459 with no miss for p99 at 99% confidence)`,
    );
  }
  if (clientLimited)
    notes.push(`client limited: scheduling lag p99 ${lagP99!.toFixed(2)} ms > ${CLIENT_LIMITED_LAG_MS} ms`);
  if (inputs.drain_timed_out) notes.push('drain timeout: unfinished measured requests counted as timeout');
  if (power !== null && !power.valid)
    notes.push(`power invalid (${power.source}): ${power.invalidReason ?? 'unknown'}`);
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
  const retryAfter = retryAfterSummary(measured);
  if (retryAfter.count > 0)
    notes.push(
      `server pushed back: ${retryAfter.count} measured request(s) answered with Retry-After (max ${retryAfter.max_s} s)`,
    );
  const sources = new Set(ok.map((r) => r.nOutSource));
  const nOutSource = sources.size === 0 ? 'none' : [...sources].sort().join('+');
  // MLX, TRT-LLM (strict fields) and hosted APIs cannot force the requested output length.
  if (!ctx.outputLengthEnforced)
    notes.push(
      `output length not enforced: ${ctx.engineName} cannot force the requested length (no ignore_eos/min_tokens); n_out from ${nOutSource}`,
    );

  const perS = (x: number): number | null => (w > 0 ? x / w : null);
  const rateNum = inputs.rate_req_s === 'inf' ? Number.POSITIVE_INFINITY : inputs.rate_req_s;
  return {
    index: inputs.index,
    concurrency: inputs.concurrency,
    rate_req_s: inputs.rate_req_s,
    rate_mode: inputs.rate_mode,
    converged: gate.converged,
    window_s: w,
    requests: { measured: measured.length, ok: ok.length, errors, unmeasured, retry_after: retryAfter },
    metrics,
    gate,
    warmup: {
      runs: inputs.warmup.runs,
      requests: records.filter((r) => r.phase === 'warmup').length,
      mean_e2e_ms: inputs.warmup.mean_e2e_ms,
    },
    driver: {
      offered_rate_req_s: inputs.rate_req_s,
      scheduled_rate_req_s: perS(measured.length),
      achieved_rate_req_s: perS(window.sent),
      mean_in_flight: inputs.in_flight.mean,
      max_in_flight: inputs.in_flight.max,
      cap_in_flight: inputs.in_flight.cap,
      at_cap_share: inputs.in_flight.at_cap_share,
      auto_rate: inputs.auto_rate,
      lag_p50_ms: lagSorted.length > 0 ? percentileSorted(lagSorted, 50) : null,
      lag_p99_ms: lagP99,
      lag_max_ms: lagSorted.length > 0 ? lagSorted[lagSorted.length - 1]! : null,
      client_limited: clientLimited,
    },
    slo: {
      id: slo.id,
      holds,
      meeting: figures.goodput.meeting,
      ttft_p99_ms: infJson(sloTtftP99),
      tpot_p99_ms: infJson(sloTpotP99),
    },
    valid,
    flags: {
      converged: gate.converged,
      error_rate_exceeded: errorRate !== null && errorRate > maxErrorRate,
      thin_tail: thinTail,
      client_limited: clientLimited,
      drain_timed_out: inputs.drain_timed_out,
      aborted: inputs.aborted,
      n_out_source: nOutSource,
    },
    errors_sample: measured
      .filter((r) => r.status !== 'ok')
      .slice(0, 20)
      .map((r) => ({ seq: r.seq, status: r.status, error: r.error })),
    notes,
    ...(inputs.search_probe !== null
      ? { search: { probe: inputs.search_probe, rate_req_s: rateNum, holds } }
      : {}),
    window_epoch_ms: inputs.window.epoch_ms,
    inputs,
  };
}

function notConvergedNote(gate: GateRecord, a: AutoRateRecord | null): string {
  const covOk = gate.cov !== null && gate.cov < gate.cov_threshold;
  const last = a?.steps[a.steps.length - 1];
  if (a && !a.converged && covOk)
    return `not converged: rate auto: mean in-flight ${last ? last.mean_in_flight.toFixed(1) : 'n/a'} not within ${a.tolerance * 100}% of ${a.target_in_flight} after ${gate.duration_s.toFixed(1)} s gate timeout`;
  return `not converged: ${gate.metric} CoV ${gate.cov === null ? 'n/a' : gate.cov.toFixed(3)} >= ${gate.cov_threshold} after ${gate.duration_s.toFixed(1)} s gate timeout${a && !a.converged ? ' (and the auto rate had not settled)' : ''}`;
}
