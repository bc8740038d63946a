import type { StoredRequestView } from '../metrics/stored-request.js';
import type { Phase } from '../metrics/request-metrics.js';
import { tokensPerChunk } from '../metrics/request-metrics.js';

/**
 * The measurement window's accounting (SPEC §3, §5), pure: which phase a scheduled arrival belongs to,
 * and what the window saw of every request, measured or not. Times are ms from the level's pattern start,
 * as stored.
 */
export interface WindowEdges {
  /** Null while the gate has not opened the window. */
  startMs: number | null;
  endMs: number;
}

/** A request is measured when its *scheduled* arrival falls inside the window; after it, drain load. */
export function phaseOf(scheduledMs: number, w: WindowEdges): Phase {
  if (w.startMs === null || scheduledMs < w.startMs) return 'gate';
  return scheduledMs < w.endMs ? 'measured' : 'drain';
}

export interface WindowTotals {
  /** Output tokens whose chunk arrived inside the window, from every request (SPEC §5 throughput). */
  outputTokens: number;
  /** Prompt tokens of requests whose first token arrived inside the window. */
  inputTokens: number;
  /** Requests sent inside the window (scheduled arrival + queue wait). */
  sent: number;
}

/** Chunk arrival times of one stored request: the first at schedMs + ttft, then its stored gaps. */
export function chunkTimesOf(r: StoredRequestView): Float64Array {
  if (r.ttftMs === null) return new Float64Array(0);
  const out = new Float64Array(r.itlMs.length + 1);
  let t = r.schedMs + r.ttftMs;
  out[0] = t;
  for (let i = 0; i < r.itlMs.length; i++) {
    t += r.itlMs[i]!;
    out[i + 1] = t;
  }
  return out;
}

/** Tokens carried by each of a stored request's chunks (known counts, else n_out spread evenly). */
export function chunkTokensOf(r: StoredRequestView, nChunks: number): Float64Array {
  return tokensPerChunk(r.chunkTokens ?? [], nChunks, r.nOut);
}

/** What the window [startMs, endMs) saw of these requests (in the order given: sort them first). */
export function windowTotals(
  records: readonly StoredRequestView[],
  startMs: number,
  endMs: number,
): WindowTotals {
  let outputTokens = 0;
  let inputTokens = 0;
  let sent = 0;
  for (const r of records) {
    if (r.queueWaitMs !== null) {
      const s = r.schedMs + r.queueWaitMs;
      if (s >= startMs && s < endMs) sent++;
    }
    const times = chunkTimesOf(r);
    if (times.length === 0) continue;
    const tpc = chunkTokensOf(r, times.length);
    for (let i = 0; i < times.length; i++)
      if (times[i]! >= startMs && times[i]! < endMs) outputTokens += tpc[i]!;
    if (times[0]! >= startMs && times[0]! < endMs) inputTokens += r.nIn;
  }
  return { outputTokens, inputTokens, sent };
}
