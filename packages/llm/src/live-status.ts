import type { Progress, RequestRecordInput } from 'inferencebench';
import { percentileSorted } from './metrics/stats.js';

/** p50s are over the level's last this many requests. */
const RECENT_REQUESTS = 200;
/** tok/s is over the requests that finished in the last this many ms. */
const RATE_WINDOW_MS = 5000;
/** At most one status update per this many ms (the progress redraw is throttled again). */
const UPDATE_MS = 250;

export interface LiveStatusFeed {
  /** A level (or search probe) starts. */
  level(index: number, concurrency: number): void;
  /** A request finished (any phase): counted, and its latencies join the rolling p50s. */
  record(record: RequestRecordInput): void;
  /** The level ended: its wall time feeds the run's ETA. */
  levelDone(): void;
}

/**
 * Feeds the terminal's live status block (Progress.status) from the request records as they finish:
 * completed/failed in the level, rolling TTFT/TPOT p50, recent tok/s and an ETA for the whole run. The
 * ETA counts the remaining levels at the mean wall time of the finished ones (before the first ends:
 * the window plus a third for warm-up, gate and drain); a goodput search has no known level count.
 */
export function createLiveStatus(
  plan: { concurrency: number[]; durationS: number; search?: string },
  progress: Progress,
  now: () => number = () => performance.now(),
): LiveStatusFeed {
  const levelsTotal = plan.search ? null : plan.concurrency.length;
  const levelTimesMs: number[] = [];
  let index = 0;
  let concurrency = 0;
  let levelStartMs = now();
  let completed = 0;
  let failed = 0;
  let ttft: number[] = [];
  let tpot: number[] = [];
  let finished: { tMs: number; tokens: number }[] = [];
  let lastUpdateMs = Number.NEGATIVE_INFINITY;

  const p50 = (xs: number[]): number | null =>
    xs.length === 0 ? null : percentileSorted(Float64Array.from(xs).sort(), 50);
  const runEtaS = (t: number): number | null => {
    if (levelsTotal === null) return null;
    const perLevelMs =
      levelTimesMs.length > 0
        ? levelTimesMs.reduce((s, x) => s + x, 0) / levelTimesMs.length
        : plan.durationS * 1000 * 1.33;
    const current = Math.max(0, perLevelMs - (t - levelStartMs));
    return (current + Math.max(0, levelsTotal - index - 1) * perLevelMs) / 1000;
  };
  const push = (force: boolean): void => {
    const t = now();
    if (!progress.status || (!force && t - lastUpdateMs < UPDATE_MS)) return;
    lastUpdateMs = t;
    while (finished.length > 0 && finished[0]!.tMs < t - RATE_WINDOW_MS) finished.shift();
    const tokens = finished.reduce((s, f) => s + f.tokens, 0);
    const spanMs = Math.min(RATE_WINDOW_MS, t - levelStartMs);
    progress.status({
      level: `level ${index + 1}${levelsTotal === null ? '' : `/${levelsTotal}`} c=${concurrency}`,
      completed,
      failed,
      ttftP50Ms: p50(ttft),
      tpotP50Ms: p50(tpot),
      tokS: spanMs > 0 && finished.length > 0 ? (tokens * 1000) / spanMs : null,
      runEtaS: runEtaS(t),
    });
  };
  const recent = (xs: number[], v: unknown): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    xs.push(v);
    if (xs.length > RECENT_REQUESTS) xs.shift();
  };
  return {
    level(i, c) {
      index = i;
      concurrency = c;
      levelStartMs = now();
      completed = 0;
      failed = 0;
      ttft = [];
      tpot = [];
      finished = [];
      push(true);
    },
    record(r) {
      if (r.status === 'ok') completed++;
      else failed++;
      recent(ttft, r.fields?.ttft_ms);
      recent(tpot, r.fields?.tpot_ms);
      const nOut = r.fields?.n_out;
      finished.push({ tMs: now(), tokens: typeof nOut === 'number' ? nOut : 0 });
      push(false);
    },
    levelDone() {
      levelTimesMs.push(now() - levelStartMs);
    },
  };
}
