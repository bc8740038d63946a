import type { RequestRecord } from './request-metrics.js';

/** The level's view of servers pushing back: how many measured requests carried a Retry-After, and how long. */
export interface RetryAfterSummary {
  /** Measured requests whose response (a 429 or 503, typically) had a Retry-After header. */
  count: number;
  /** Of those, how many were HTTP 429 and 503. */
  by_status: Record<string, number>;
  mean_s: number | null;
  max_s: number | null;
}

/** Summarises the Retry-After of measured requests (SPEC §14: 429s get a recorded status, no lost data). */
export function retryAfterSummary(
  measured: readonly Pick<RequestRecord, 'retryAfterS' | 'httpStatus'>[],
): RetryAfterSummary {
  let count = 0;
  let sum = 0;
  let max: number | null = null;
  const byStatus: Record<string, number> = {};
  for (const r of measured) {
    const s = r.retryAfterS;
    if (s === null || s === undefined) continue;
    count++;
    sum += s;
    max = max === null ? s : Math.max(max, s);
    const key = String(r.httpStatus ?? 'none');
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  return { count, by_status: byStatus, mean_s: count > 0 ? sum / count : null, max_s: max };
}
