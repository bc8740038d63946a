import type { Progress, Rng } from 'inferencebench';
import type { RequestRecord } from '../metrics/request-metrics.js';
import { mean } from '../metrics/stats.js';
import type { ClientResult, PromptItem } from '../types.js';

/** Requests per warm-up run: max(2C, 16) (SPEC §3). */
export const WARMUP_MIN_REQUESTS = 16;

export interface WarmupOptions {
  runs: number;
  concurrency: number;
  items: readonly PromptItem[];
  /** Picks each warm-up prompt (`warmup/level-<i>`). */
  rng: Rng;
  signal: AbortSignal;
  now: () => number;
  send(item: PromptItem, ctrl: AbortController): Promise<ClientResult>;
  /** Builds, stores and returns the record of one finished warm-up request sent at `t0`. */
  record(item: PromptItem, t0: number, result: ClientResult): RequestRecord;
  progress?: Progress;
  label: string;
}

/**
 * Warm-up (SPEC §3): `runs` closed-loop runs of max(2C, 16) requests at C, all discarded. Returns the
 * last run's mean e2e of successful requests (L for `--rate auto`) and how many were sent.
 */
export async function runWarmup(o: WarmupOptions): Promise<{ requests: number; meanE2eMs: number | null }> {
  const perRun = Math.max(2 * o.concurrency, WARMUP_MIN_REQUESTS);
  let last: number[] = [];
  let requests = 0;
  for (let run = 0; run < o.runs && !o.signal.aborted; run++) {
    o.progress?.phase(`${o.label} warm-up ${run + 1}/${o.runs}`, perRun);
    const e2e: number[] = [];
    let issued = 0;
    // One controller per warm-up run, linked once to the level's signal (not a listener per request).
    const ctrl = new AbortController();
    const onAbort = (): void => ctrl.abort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    const worker = async (): Promise<void> => {
      while (issued < perRun && !o.signal.aborted) {
        issued++;
        const item = o.items[o.rng.int(o.items.length)]!;
        const t0 = o.now();
        const rec = o.record(item, t0, await o.send(item, ctrl));
        requests++;
        if (rec.status === 'ok' && rec.e2eMs !== null) e2e.push(rec.e2eMs);
        o.progress?.tick();
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    o.signal.removeEventListener('abort', onAbort);
    last = e2e;
  }
  return { requests, meanE2eMs: last.length > 0 ? mean(last) : null };
}
