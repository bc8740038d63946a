import type { Rng } from 'inferencebench';

/**
 * Arrival schedules (SPEC §4). Gaps are drawn i.i.d. Exp(λ) from a generator forked per purpose, so the
 * schedule is a function of the seed alone and never of how the server behaves.
 *
 * Generator names (forked from the run's generator, which the core builds from `--seed`; comparisons give
 * each launch its own seed): `arrivals/level-<i>` for level i, `requests/level-<i>` for the prompt drawn
 * by each request, `warmup/level-<i>` for warm-up prompts. A goodput-search probe is a level like any
 * other and uses its own level index.
 */

/** Closed loop: a request is sent the moment a slot frees. */
export const CLOSED_LOOP = Number.POSITIVE_INFINITY;

/** Seeded Exp(rateReqS) gaps in ms, one per call; rate `inf` gives 0 (closed loop). */
export function poissonGapsMs(rng: Rng, rateReqS: number): () => number {
  if (!(rateReqS > 0)) throw new RangeError(`rate must be > 0, got ${rateReqS}`);
  if (rateReqS === CLOSED_LOOP) return () => 0;
  const rateMs = rateReqS / 1000;
  return () => rng.exponential(rateMs);
}

/** The first `count` arrival offsets (ms from the pattern start), cumulative sums of the gaps. */
export function poissonSchedule(rng: Rng, rateReqS: number, count: number): Float64Array {
  const gap = poissonGapsMs(rng, rateReqS);
  const out = new Float64Array(count);
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += gap();
    out[i] = t;
  }
  return out;
}

/** Fork names used by the driver, kept in one place so documentation and code agree. */
export const scheduleStreams = {
  arrivals: (levelIndex: number) => `arrivals/level-${levelIndex}`,
  requests: (levelIndex: number) => `requests/level-${levelIndex}`,
  warmup: (levelIndex: number) => `warmup/level-${levelIndex}`,
  bootstrap: (levelIndex: number) => `bootstrap/level-${levelIndex}`,
} as const;
