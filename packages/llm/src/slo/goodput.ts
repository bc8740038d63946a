import type { RequestRecord } from '../metrics/request-metrics.js';
import type { Slo } from './templates.js';

/**
 * A request meets the SLO when it succeeded and its own TTFT and TPOT are within the thresholds
 * (SPEC §6). A request with n_out < 2 has no TPOT; it is judged on TTFT alone (it cannot have been slow
 * between tokens), which is how MLPerf's per-token constraint treats single-token outputs too.
 */
export function requestMeetsSlo(rec: Pick<RequestRecord, 'status' | 'ttftMs' | 'tpotMs'>, slo: Slo): boolean {
  if (rec.status !== 'ok') return false;
  if (slo.ttftP99Ms !== null && (rec.ttftMs === null || rec.ttftMs > slo.ttftP99Ms)) return false;
  if (slo.tpotP99Ms !== null && rec.tpotMs !== null && rec.tpotMs > slo.tpotP99Ms) return false;
  return true;
}

export interface GoodputFigures {
  /** Share of measured requests (every status) that meet the SLO. */
  sloAttainment: number | null;
  goodputReqS: number | null;
  goodputTokS: number | null;
  meeting: number;
}

/** slo_attainment, goodput_req_s and goodput_tok_s over a level's measured requests. */
export function goodput(
  measured: readonly Pick<RequestRecord, 'status' | 'ttftMs' | 'tpotMs' | 'nOut'>[],
  windowS: number,
  slo: Slo,
): GoodputFigures {
  let meeting = 0;
  let tokens = 0;
  for (const r of measured) {
    if (requestMeetsSlo(r, slo)) {
      meeting++;
      tokens += r.nOut;
    }
  }
  return {
    sloAttainment: measured.length > 0 ? meeting / measured.length : null,
    goodputReqS: windowS > 0 ? meeting / windowS : null,
    goodputTokS: windowS > 0 ? tokens / windowS : null,
    meeting,
  };
}

/**
 * A level holds the SLO when its p99 TTFT and p99 TPOT are within the thresholds. A level without a
 * single successful request, or whose p99 is undefined where a threshold exists, does not hold.
 */
export function levelHoldsSlo(
  ttftP99Ms: number | null,
  tpotP99Ms: number | null,
  okCount: number,
  slo: Slo,
): boolean {
  if (okCount === 0) return false;
  if (slo.ttftP99Ms !== null && (ttftP99Ms === null || ttftP99Ms > slo.ttftP99Ms)) return false;
  // A level where no request produced 2+ tokens has no TPOT: judged on TTFT alone, like its requests.
  if (slo.tpotP99Ms !== null && tpotP99Ms !== null && tpotP99Ms > slo.tpotP99Ms) return false;
  return true;
}

export interface LevelSloView {
  concurrency: number;
  holds: boolean;
  throughputReqS: number | null;
  throughputTokS: number | null;
  rateReqS: number | 'inf';
  index: number;
}

export interface GoodputAtSlo {
  req_s: number;
  tok_s: number;
  concurrency: number | null;
  rate_req_s: number | 'inf' | null;
  level: number | null;
  note: string | null;
}

/** Headline: the highest achieved throughput_req_s among levels that hold the SLO; 0 and a note if none. */
export function goodputAtSlo(levels: readonly LevelSloView[], slo: Slo): GoodputAtSlo {
  let best: LevelSloView | null = null;
  for (const l of levels) {
    if (!l.holds || l.throughputReqS === null) continue;
    if (best === null || l.throughputReqS > (best.throughputReqS ?? 0)) best = l;
  }
  if (best === null) {
    return {
      req_s: 0,
      tok_s: 0,
      concurrency: null,
      rate_req_s: null,
      level: null,
      note: `no level holds the SLO ${slo.id} (p99 TTFT <= ${slo.ttftP99Ms ?? 'n/a'} ms, p99 TPOT <= ${slo.tpotP99Ms ?? 'n/a'} ms)`,
    };
  }
  return {
    req_s: best.throughputReqS ?? 0,
    tok_s: best.throughputTokS ?? 0,
    concurrency: best.concurrency,
    rate_req_s: best.rateReqS,
    level: best.index,
    note: null,
  };
}
