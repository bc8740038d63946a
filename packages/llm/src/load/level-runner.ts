import { BenchError, type Progress, type RequestRecordInput, type Rng } from 'inferencebench';
import {
  buildRecord,
  type Phase,
  type RequestRecord,
  type TokenCounter,
  wordCounter,
} from '../metrics/request-metrics.js';
import { toStoreRecord } from '../metrics/stored-request.js';
import type { ApiKind, ClientResult, PromptItem, RequestStatus, StreamingClient } from '../types.js';
import { arrivalStrategy } from './arrival-strategy.js';
import type { AutoRateRecord } from './auto-rate.js';
import { FailFast, GateTracker } from './gate-tracker.js';
import { InFlightMeter } from './in-flight-meter.js';
import { scheduleStreams } from './poisson-schedule.js';
import { phaseOf } from './window-accounting.js';
import { PreciseSleeper } from './precise-sleep.js';
import { runWarmup } from './warmup.js';

/** Everything one level needs (SPEC §3, §4). Durations in seconds as in the plan. */
export interface LevelRunOptions {
  levelIndex: number;
  concurrency: number;
  /** req/s, `auto` (Little's law from the warm-up) or `inf` (closed loop). */
  rate: number | 'auto' | 'inf';
  /** Client cap on requests in flight; default none for `auto`, C for a number or `inf` (SPEC §4). */
  maxInflight?: number;
  durationS: number;
  warmupRuns: number;
  gateWindow: number;
  gateCov: number;
  gateMetric: 'tpot' | 'ttft' | 'e2e';
  gateTimeoutS: number;
  drainTimeoutS: number;
  requestTimeoutS: number;
  client: StreamingClient;
  items: PromptItem[];
  api: ApiKind;
  model: string;
  /** The run's generator; the level forks its own named streams from it. */
  rng: Rng;
  signal?: AbortSignal;
  /** Where per-request records go as they finish (the run writer's `request`). */
  onRecord?: (record: RequestRecordInput) => void;
  progress?: Progress;
  tokenCounter?: TokenCounter;
  now?: () => number;
  /** Load shard (docs/scale.md): only arrivals whose index is `index` mod `count` are sent here. */
  shard?: { index: number; count: number };
  /** Awaited after the warm-up, before the measured pattern starts (shards meet at a common start). */
  beforePattern?: () => Promise<void>;
}

export interface GateRecord {
  metric: 'tpot' | 'ttft' | 'e2e';
  window: number;
  cov_threshold: number;
  converged: boolean;
  /** CoV over the last window when the gate closed (null if never enough samples). */
  cov: number | null;
  /** Seconds from the start of the measured pattern until measurement began. */
  duration_s: number;
  completed: number;
}

export interface LevelRunResult {
  levelIndex: number;
  concurrency: number;
  rateMode: 'auto' | 'inf' | 'fixed';
  /** λ used (req/s); Infinity for closed loop. */
  rateReqS: number;
  rateNote: string | null;
  warmup: { runs: number; requests: number; meanE2eMs: number | null };
  gate: GateRecord;
  /** The level's time origin (performance.now() ms when it started): stored times are relative to it. */
  originMs: number;
  windowStartMs: number;
  windowEndMs: number;
  /** Length of the measurement window actually run (shorter only when aborted). */
  windowS: number;
  /** Measured requests (scheduled inside the window), every status, chunk times kept. */
  measured: RequestRecord[];
  /** Every request of the level (warm-up, gate, measured, drain) in its stored form, as written. */
  records: RequestRecordInput[];
  meanInFlight: number;
  maxInFlight: number;
  /** The client cap (null: none), and the share of the window spent at it (null without a cap). */
  capInFlight: number | null;
  atCapShare: number | null;
  /** How `--rate auto` chose λ (null for other modes). */
  autoRate: AutoRateRecord | null;
  unmeasured: { gate: number; drain: number };
  drainTimedOut: boolean;
  aborted: boolean;
  /** Why the level stopped early because its requests all failed (SPEC §14), or null. */
  failedFast: string | null;
}

/** A level whose first this-many gate (or measured) requests all fail stops at once (SPEC §14). */
export const FAIL_FAST_REQUESTS = 20;

interface Pending {
  seq: number;
  /** The auto rate's epoch it was scheduled in (0 otherwise). */
  epoch: number;
  scheduledMs: number;
  phase: Phase;
  item: PromptItem;
  /** A slot was free when it arrived: its dispatch delay is the client's own lag. */
  slotFree: boolean;
}

interface InFlight {
  pending: Pending;
  override: { status: RequestStatus; error: string } | null;
}

/**
 * Run one level: warm-up, convergence gate, measurement window, drain (SPEC §3). This is the driver loop;
 * the parts it drives are small objects tested on their own: the warm-up (`warmup.ts`), the arrivals and
 * their rate (`arrival-strategy.ts`, `auto-rate.ts`), the gate and the early stop (`gate-tracker.ts`), the
 * in-flight meter (`in-flight-meter.ts`) and the window's accounting (`window-accounting.ts`).
 */
export async function runLevel(options: LevelRunOptions): Promise<LevelRunResult> {
  const now = options.now ?? (() => performance.now());
  const counter = options.tokenCounter ?? wordCounter;
  const c = options.concurrency;
  const timeoutMs = options.requestTimeoutS * 1000;
  const signal = options.signal ?? new AbortController().signal;
  let seq = 0;
  const origin = now();
  const records: RequestRecordInput[] = [];

  const emit = (rec: RequestRecord, lagMs: number | null): void => {
    const stored = toStoreRecord(options.levelIndex, rec, lagMs, origin);
    records.push(stored);
    options.onRecord?.(stored);
  };
  const send = (item: PromptItem, ctrl: AbortController): Promise<ClientResult> =>
    options.client
      .send({ item, api: options.api, model: options.model }, { signal: ctrl.signal, timeoutMs })
      .catch((err: unknown) => failedResult(now(), err));

  // The open loop's sleeper starts its waiting thread now, so that it has booted before the first arrival.
  const sleeper = new PreciseSleeper(options.now);
  if (options.rate !== 'inf' && options.rate !== Number.POSITIVE_INFINITY) sleeper.prepare();

  // --- Warm-up: closed loop at C, discarded; its mean e2e gives L for --rate auto.
  const warm = await runWarmup({
    runs: options.warmupRuns,
    concurrency: c,
    items: options.items,
    rng: options.rng.fork(scheduleStreams.warmup(options.levelIndex)),
    signal,
    now,
    send,
    record: (item, t0, res) => {
      const rec = buildRecord(
        { seq: seq++, phase: 'warmup', scheduledMs: t0, dispatchMs: t0, nInFallback: item.promptTokens },
        res,
        counter,
      );
      emit(rec, null);
      return rec;
    },
    ...(options.progress ? { progress: options.progress } : {}),
    label: `level ${options.levelIndex + 1} c=${c}`,
  });

  // --- Rate and arrivals: explicit, closed loop, or auto (mean in-flight C) from the warm-up's latency.
  const arrivals = arrivalStrategy({
    rate: options.rate,
    concurrency: c,
    ...(options.maxInflight !== undefined ? { maxInflight: options.maxInflight } : {}),
    warmMeanE2eMs: warm.meanE2eMs,
    rng: options.rng.fork(scheduleStreams.arrivals(options.levelIndex)),
  });
  const cap = arrivals.cap;
  const closedLoop = arrivals.closedLoop;

  await options.beforePattern?.();
  // --- The measured pattern: gate, window, drain, one continuous stream of load.
  const reqRng = options.rng.fork(scheduleStreams.requests(options.levelIndex));
  const measured: RequestRecord[] = [];
  const queue: Pending[] = [];
  let qHead = 0;
  const inflight = new Set<InFlight>();
  // One controller cancels every request of the measured pattern (finish() stops them all at once): no
  // AbortController per request on the send path, and the client keeps one listener on it, not one each.
  const patternCtrl = new AbortController();
  const settling = new Set<Promise<void>>();
  let stopped = false;
  let windowStart: number | null = null;
  let windowEnd = Number.POSITIVE_INFINITY;
  let nextArrival = Number.NEGATIVE_INFINITY;
  let measuredOutstanding = 0;
  let drainTimedOut = false;
  let overflowedAtMs: number | null = null;
  let endedAt = Number.POSITIVE_INFINITY;
  const unmeasured = { gate: 0, drain: 0 };
  // The first FAIL_FAST_REQUESTS completions of the gate and of the window: all failed stops the level.
  const failFast = { gate: new FailFast(FAIL_FAST_REQUESTS), measured: new FailFast(FAIL_FAST_REQUESTS) };
  let failedFast: string | null = null;
  const gate = new GateTracker(options.gateMetric, options.gateWindow, options.gateCov);
  let converged = false;
  let draining = false;
  const patternStart = now();
  const meter = new InFlightMeter(patternStart, cap);
  arrivals.start(patternStart, meter);
  const timers: NodeJS.Timeout[] = [];
  let finishResolve: () => void = () => {};
  const finished = new Promise<void>((r) => {
    finishResolve = r;
  });

  const startWindow = (passed: boolean): void => {
    if (windowStart !== null || stopped) return;
    // No gate: the window is the pattern from its start, so which arrivals are measured is the schedule's alone.
    const t = options.gateTimeoutS <= 0 ? patternStart : now();
    windowStart = t;
    windowEnd = t + options.durationS * 1000;
    meter.openWindow(windowStart, windowEnd);
    converged = passed;
    options.progress?.phase(`level ${options.levelIndex + 1} c=${c} measuring`, options.durationS);
    // At the window's end: done, or the drain, shown as its own phase (the measured requests still in
    // flight, counted down), so a long drain does not look like a stalled window.
    timers.push(
      setTimeout(
        () => {
          checkEnd();
          if (stopped) return;
          draining = true;
          options.progress?.phase(`level ${options.levelIndex + 1} c=${c} draining`, measuredOutstanding);
        },
        windowEnd - t + 1,
      ),
    );
    timers.push(
      setTimeout(
        () => {
          drainTimedOut = true;
          finish('drain');
        },
        windowEnd - t + options.drainTimeoutS * 1000,
      ),
    );
    const tickTimer = setInterval(
      () => options.progress?.update(Math.min(options.durationS, (now() - t) / 1000)),
      1000,
    );
    tickTimer.unref();
    timers.push(tickTimer);
  };

  const onComplete = (entry: InFlight, res: ClientResult, dispatchMs: number): void => {
    const t = now();
    meter.change(t, -1);
    inflight.delete(entry);
    const p = entry.pending;
    const rec = buildRecord(
      {
        seq: p.seq,
        phase: p.phase,
        scheduledMs: p.scheduledMs,
        dispatchMs,
        nInFallback: p.item.promptTokens,
        statusOverride: entry.override?.status,
        errorOverride: entry.override?.error,
      },
      res,
      counter,
    );
    const lag = p.slotFree ? dispatchMs - p.scheduledMs : null;
    emit(rec, lag);
    if ((p.phase === 'gate' || p.phase === 'measured') && failFast[p.phase].add(rec.status === 'ok')) {
      failedFast = `the first ${FAIL_FAST_REQUESTS} ${p.phase === 'gate' ? 'requests of the gate' : 'measured requests'} all failed (last: ${rec.status}${rec.error ? `: ${firstLine(rec.error)}` : ''})`;
      finish('failing');
    }
    if (p.phase === 'measured') {
      measured.push(rec);
      measuredOutstanding--;
      options.progress?.tick(draining ? 1 : 0);
    } else {
      unmeasured[p.phase === 'gate' ? 'gate' : 'drain']++;
      // Unmeasured records need no chunk times after this point.
      rec.chunkTimesMs = EMPTY;
    }
    if (windowStart === null && p.phase === 'gate') {
      arrivals.gateCompleted(p.epoch, t - p.scheduledMs, t);
      // The window opens when the CoV gate has passed and the rate has settled (auto: in-flight ≈ C).
      if (gate.add(rec) && arrivals.settled()) startWindow(true);
    }
    pump();
    checkEnd();
  };

  const dispatch = (p: Pending): void => {
    const t = now();
    meter.change(t, 1);
    const entry: InFlight = { pending: p, override: null };
    inflight.add(entry);
    const done = send(p.item, patternCtrl).then((res) => onComplete(entry, res, t));
    settling.add(done);
    void done.finally(() => settling.delete(done));
  };

  // Shard hook: every arrival of the seeded schedule draws its item, only this shard's are sent.
  let arrivalIndex = 0;
  const ours = (): boolean => {
    const s = options.shard;
    const mine = s === undefined || arrivalIndex % s.count === s.index;
    arrivalIndex++;
    if (!mine) {
      reqRng.int(options.items.length);
      seq++;
    }
    return mine;
  };

  const schedule = (scheduledMs: number, slotFree: boolean): Pending => {
    const phase = phaseOf(scheduledMs, { startMs: windowStart, endMs: windowEnd });
    if (phase === 'measured') measuredOutstanding++;
    return {
      seq: seq++,
      epoch: arrivals.epoch(),
      scheduledMs,
      phase,
      item: options.items[reqRng.int(options.items.length)]!,
      slotFree,
    };
  };

  const pump = (): void => {
    while (!stopped && meter.count < cap && qHead < queue.length) {
      const p = queue[qHead]!;
      queue[qHead++] = undefined as unknown as Pending;
      dispatch(p);
    }
    if (qHead > 1024 && qHead * 2 > queue.length) {
      queue.splice(0, qHead);
      qHead = 0;
    }
    // Closed loop: every free slot takes a new request at once; its schedule is the moment it is sent.
    while (closedLoop && !stopped && meter.count < cap) {
      const t = now();
      if (windowStart !== null && t >= windowEnd) break;
      dispatch(schedule(t, true));
    }
  };

  const checkEnd = (): void => {
    if (stopped || windowStart === null) return;
    const arrivalsPast = closedLoop || nextArrival >= windowEnd;
    if (now() >= windowEnd && arrivalsPast && measuredOutstanding === 0) finish('done');
  };

  const finish = (reason: 'done' | 'drain' | 'abort' | 'failing'): void => {
    if (stopped) return;
    stopped = true;
    endedAt = now();
    meter.accrue(endedAt);
    for (const tm of timers) clearTimeout(tm);
    sleeper.close();
    // Measured requests cut off by the drain timeout did not finish in the time the level allows: timeout.
    // Everything else stopped here (unmeasured load, or all of it on abort) is cancelled.
    for (const entry of inflight) {
      const isMeasured = entry.pending.phase === 'measured';
      entry.override =
        reason === 'drain' && isMeasured
          ? { status: 'timeout', error: 'unfinished at the end of the drain timeout' }
          : {
              status: 'cancelled',
              error:
                reason === 'abort'
                  ? 'run aborted'
                  : reason === 'failing'
                    ? 'level stopped: its requests all failed'
                    : 'level ended',
            };
    }
    patternCtrl.abort();
    for (let i = qHead; i < queue.length; i++) {
      const p = queue[i]!;
      const status: RequestStatus = reason === 'drain' && p.phase === 'measured' ? 'timeout' : 'cancelled';
      const rec = buildRecord(
        {
          seq: p.seq,
          phase: p.phase,
          scheduledMs: p.scheduledMs,
          dispatchMs: null,
          nInFallback: p.item.promptTokens,
          statusOverride: status,
          errorOverride: 'never sent: still queued on the client when the level ended',
        },
        null,
        counter,
      );
      emit(rec, null);
      if (p.phase === 'measured') {
        measured.push(rec);
        measuredOutstanding--;
      } else unmeasured[p.phase === 'gate' ? 'gate' : 'drain']++;
    }
    queue.length = 0;
    qHead = 0;
    finishResolve();
  };

  const onAbort = (): void => finish('abort');
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) finish('abort');

  options.progress?.phase(`level ${options.levelIndex + 1} c=${c} gate`);
  if (options.gateTimeoutS <= 0) startWindow(false);
  else timers.push(setTimeout(() => startWindow(false), options.gateTimeoutS * 1000));

  if (closedLoop) pump();
  else {
    // Open loop: the schedule alone decides when requests arrive; a full client queues them FIFO.
    void (async () => {
      let next = patternStart + arrivals.nextGapMs();
      nextArrival = next;
      while (!stopped) {
        if (!(await sleeper.until(next))) break;
        const t = now();
        while (next <= t && !stopped) {
          if (queue.length - qHead >= MAX_QUEUED_ARRIVALS) {
            // An absurd rate (or a dead server): stop before the queue exhausts memory (SPEC §15).
            overflowedAtMs = t;
            finish('abort');
            break;
          }
          // Arrivals caught up in one wake (a late timer) still find free slots if there are enough for all
          // of them: their lateness is the driver's own and must count in the lag.
          const waiting = queue.length - qHead;
          if (ours()) queue.push(schedule(next, meter.count + waiting < cap));
          next += arrivals.nextGapMs();
        }
        nextArrival = next;
        pump();
        checkEnd();
      }
    })();
  }

  await finished;
  signal.removeEventListener('abort', onAbort);
  while (settling.size > 0) await Promise.all([...settling]);
  if (overflowedAtMs !== null)
    throw queueOverflowError(arrivals.rateReqS(), c, (overflowedAtMs - patternStart) / 1000);

  // The window is the full duration unless an abort cut it short.
  const ws = windowStart ?? endedAt;
  // A window that ran to its end is exactly --duration long (no float residue); an aborted one is cut short.
  const windowMs =
    windowStart === null
      ? 0
      : endedAt >= windowEnd
        ? options.durationS * 1000
        : Math.max(0, endedAt - windowStart);
  measured.sort((a, b) => a.seq - b.seq);
  const inFlight = meter.windowFigures(windowMs);
  return {
    levelIndex: options.levelIndex,
    concurrency: c,
    rateMode: arrivals.mode,
    rateReqS: arrivals.rateReqS(),
    rateNote: arrivals.note,
    warmup: { runs: options.warmupRuns, requests: warm.requests, meanE2eMs: warm.meanE2eMs },
    gate: {
      metric: gate.metric,
      window: gate.window,
      cov_threshold: gate.threshold,
      converged,
      cov: gate.cov,
      duration_s: (ws - patternStart) / 1000,
      completed: gate.completed,
    },
    originMs: origin,
    windowStartMs: ws,
    windowEndMs: ws + windowMs,
    windowS: windowMs / 1000,
    measured,
    records,
    meanInFlight: inFlight.mean,
    maxInFlight: inFlight.max,
    capInFlight: Number.isFinite(cap) ? cap : null,
    atCapShare: inFlight.atCapShare,
    autoRate: arrivals.record(),
    unmeasured,
    drainTimedOut,
    aborted: signal.aborted,
    failedFast,
  };
}

const EMPTY = new Float64Array(0);

/** The first line of an error text, at most 200 characters (a server's error page can be long). */
export function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** A result for a client that threw instead of returning a status (it should not; we still keep data). */
function failedResult(t: number, err: unknown): ClientResult {
  return {
    status: 'stream_error',
    sentAt: t,
    chunkTimes: [],
    chunkTokens: [],
    usageCompletionTokens: null,
    usagePromptTokens: null,
    text: '',
    httpStatus: null,
    error: err instanceof Error ? err.message : String(err),
    systemFingerprint: null,
  };
}

/**
 * Arrivals that may wait on the client for a free slot (about 100 bytes each). More means the rate is far
 * beyond what the server completes, and the queue wait, not the server, would be measured.
 */
export const MAX_QUEUED_ARRIVALS = 100_000;

function queueOverflowError(rateReqS: number, c: number, afterS: number): BenchError {
  return new BenchError(
    'BENCH_ERR_BAD_OPTION',
    `--rate ${rateReqS} req/s is more than the server completes: ${MAX_QUEUED_ARRIVALS} arrivals were waiting for one of the ${c} slots after ${afterS.toFixed(1)} s, so the run stopped`,
    { hint: 'lower --rate, or use --rate auto (sized to the server) or --rate inf (closed loop)' },
  );
}
