import type { StoredRequest } from 'inferencebench';

/**
 * The metrics a comparison reports, in one table (so it can switch to the metric registry in one place).
 * `percentile` metrics are recomputed from the stored per-request records of the measured phase (ok
 * requests only, as in the level document) and resampled request by request; `rate` metrics are one
 * number per launch (a window count): only launches are resampled, or, for a side of one launch, its
 * request count as Poisson.
 */
export type CompareMetric =
  | {
      name: string;
      unit: string;
      better: 'lower' | 'higher';
      kind: 'percentile';
      /** Which per-request quantity. */
      source: RequestQuantity;
      p: number;
    }
  | {
      name: string;
      unit: string;
      better: 'lower' | 'higher';
      kind: 'rate';
      /** The launch's value for the level: from its measured records and window, or its stored level. */
      value: (level: LaunchLevel) => number | null;
    };

/** Per-request quantities a percentile is taken over. */
export type RequestQuantity = 'ttft' | 'tpot' | 'itl' | 'e2e';

/** What a comparison knows of one launch at one level, all from the store. */
export interface LaunchLevel {
  concurrency: number;
  windowS: number;
  /** Measured requests, and those that succeeded. */
  measured: number;
  ok: number;
  /** Sorted values of each quantity over the measured ok requests. */
  sorted: Record<RequestQuantity, Float64Array>;
  /** The stored level document's metric values (for window token counts the records do not keep). */
  storedMetrics: Record<string, { value: number | null } | undefined>;
}

const pct = (source: RequestQuantity, p: number, better: 'lower' | 'higher' = 'lower'): CompareMetric => ({
  name: `${source}_p${p}_ms`,
  unit: 'ms',
  better,
  kind: 'percentile',
  source,
  p,
});

export const COMPARE_METRICS: CompareMetric[] = [
  pct('ttft', 50),
  pct('ttft', 90),
  pct('ttft', 99),
  pct('tpot', 50),
  pct('tpot', 90),
  pct('tpot', 99),
  pct('itl', 50),
  pct('itl', 99),
  pct('e2e', 50),
  pct('e2e', 99),
  {
    name: 'throughput_tok_s',
    unit: 'tok/s',
    better: 'higher',
    kind: 'rate',
    // Output tokens arriving inside the window need chunk times, which the stored rows do not keep yet.
    value: (l) => l.storedMetrics.throughput_tok_s?.value ?? null,
  },
  {
    name: 'throughput_req_s',
    unit: 'req/s',
    better: 'higher',
    kind: 'rate',
    value: (l) => (l.windowS > 0 ? l.ok / l.windowS : null),
  },
];

/** A metric by name, or undefined. */
export function compareMetric(name: string): CompareMetric | undefined {
  return COMPARE_METRICS.find((m) => m.name === name);
}

/** One quantity's values from stored request rows (ITL: every chunk gap of every row). */
export function quantityValues(rows: readonly StoredRequest[], q: RequestQuantity): Float64Array {
  const out: number[] = [];
  for (const r of rows) {
    if (q === 'itl') {
      const gaps = (r.data as { itl_ms?: unknown } | null)?.itl_ms;
      if (Array.isArray(gaps)) for (const g of gaps) if (typeof g === 'number') out.push(g);
      continue;
    }
    const v = q === 'ttft' ? r.ttft_ms : q === 'tpot' ? r.tpot_ms : r.e2e_ms;
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}
