/**
 * Reduce large series to what a chart a few hundred pixels wide can show. Pure functions over numeric
 * arrays; a report of 100,000 requests embeds a few thousand points, not millions.
 */

export interface XY {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Empirical CDF as at most about `maxPoints` (x = value, y = share of values <= x): evenly spaced ranks,
 * plus every rank of the top 1% up to a tenth of the budget, so the tail that p99 lives in stays exact.
 */
export function cdfPoints(values: ArrayLike<number>, maxPoints = 400): XY {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) n++;
  const sorted = new Float64Array(n);
  for (let i = 0, k = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) sorted[k++] = v;
  }
  sorted.sort();
  if (n === 0) return { x: new Float64Array(0), y: new Float64Array(0) };
  const ranks = new Set<number>();
  if (n <= maxPoints) for (let i = 0; i < n; i++) ranks.add(i);
  else {
    const body = Math.max(2, Math.floor(maxPoints * 0.9));
    for (let k = 0; k < body; k++) ranks.add(Math.round((k * (n - 1)) / (body - 1)));
    const tailStart = Math.floor(n * 0.99);
    const tailCount = Math.max(1, maxPoints - body);
    for (let k = 0; k <= tailCount; k++)
      ranks.add(Math.min(n - 1, tailStart + Math.round((k * (n - 1 - tailStart)) / tailCount)));
  }
  const idx = [...ranks].sort((a, b) => a - b);
  const x = new Float64Array(idx.length);
  const y = new Float64Array(idx.length);
  idx.forEach((r, k) => {
    x[k] = sorted[r]!;
    y[k] = (r + 1) / n;
  });
  return { x, y };
}

/**
 * At most `max` of the values held in many arrays (one per request: chunk gaps), taken at evenly spaced
 * positions of their concatenation: every value when there are few enough, else a systematic sample that
 * keeps the distribution's shape without reading the skipped values. Deterministic.
 */
export function evenSample(
  arrays: ArrayLike<number>[],
  max: number,
): { values: Float64Array; total: number } {
  let total = 0;
  for (const a of arrays) total += a.length;
  if (total <= max) {
    const values = new Float64Array(total);
    let k = 0;
    for (const a of arrays) for (let i = 0; i < a.length; i++) values[k++] = a[i]!;
    return { values, total };
  }
  const step = total / max;
  const values = new Float64Array(max);
  let k = 0;
  let next = step / 2;
  let base = 0;
  for (const a of arrays) {
    // Positions next, next + step, ... that fall inside this array.
    while (k < max && next < base + a.length) {
      values[k++] = a[Math.floor(next - base)]!;
      next += step;
    }
    base += a.length;
  }
  return { values: k === max ? values : values.subarray(0, k), total };
}

/**
 * A series thinned to at most `maxPoints` by keeping the minimum and the maximum of each of
 * `maxPoints / 2` equal time buckets (in time order), so spikes stay visible. `t` must be ascending.
 */
export function minMaxDownsample(t: ArrayLike<number>, v: ArrayLike<number>, maxPoints = 1000): XY {
  const n = t.length;
  if (n <= maxPoints) return { x: Float64Array.from(t), y: Float64Array.from(v) };
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const t0 = t[0]!;
  const span = t[n - 1]! - t0 || 1;
  const xs: number[] = [];
  const ys: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    const end = t0 + ((b + 1) * span) / buckets;
    let minI = i;
    let maxI = i;
    for (; i < n && (t[i]! <= end || b === buckets - 1); i++) {
      if (v[i]! < v[minI]!) minI = i;
      if (v[i]! > v[maxI]!) maxI = i;
    }
    const [a, c] = minI <= maxI ? [minI, maxI] : [maxI, minI];
    xs.push(t[a]!);
    ys.push(v[a]!);
    if (c !== a) {
      xs.push(t[c]!);
      ys.push(v[c]!);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

/**
 * Time-averaged number of open intervals [start, end) in each of `bins` equal bins over [t0, t1): for
 * requests in flight (sent to done) or waiting in the client queue (scheduled to sent). O(n + bins).
 * Returns the bin centres and the mean count in each bin.
 */
export function meanOccupancy(
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
  t0: number,
  t1: number,
  bins: number,
): XY {
  const w = (t1 - t0) / bins;
  const acc = new Float64Array(bins);
  const diff = new Float64Array(bins + 1);
  if (w > 0) {
    for (let i = 0; i < starts.length; i++) {
      const s = Math.max(t0, starts[i]!);
      const e = Math.min(t1, ends[i]!);
      if (!(e > s)) continue;
      const fs = (s - t0) / w;
      const fe = (e - t0) / w;
      const bs = Math.min(bins - 1, Math.floor(fs));
      const be = Math.min(bins - 1, Math.floor(fe));
      if (bs === be) {
        acc[bs]! += fe - fs;
        continue;
      }
      // Partial first and last bins, whole bins between them through the difference array.
      acc[bs]! += bs + 1 - fs;
      acc[be]! += fe - be;
      diff[bs + 1]! += 1;
      diff[be]! -= 1;
    }
  }
  const x = new Float64Array(bins);
  const y = new Float64Array(bins);
  let run = 0;
  for (let b = 0; b < bins; b++) {
    run += diff[b]!;
    x[b] = t0 + (b + 0.5) * w;
    y[b] = acc[b]! + run;
  }
  return { x, y };
}
