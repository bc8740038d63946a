import type { NumericArray } from './descriptive.js';

export interface PercentileOptions {
  /** The values are already sorted ascending: skip the copy and the sort. */
  sorted?: boolean;
}

/** From this many values on, sortedCopy uses the radix sort (3-4x the built-in sort at 1e6). */
export const RADIX_SORT_MIN_N = 4096;
// The radix sort reads a double as two 32-bit words, low word first.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A sorted Float64Array copy of the values (numeric order, -0 before +0, NaN last). */
export function sortedCopy(values: NumericArray): Float64Array {
  if (values.length >= RADIX_SORT_MIN_N && LITTLE_ENDIAN) return radixSortedCopy(values);
  const out = Float64Array.from(values as ArrayLike<number>);
  out.sort();
  return out;
}

/**
 * The same order as Float64Array.prototype.sort, by an LSD radix sort on the IEEE-754 bits: negative
 * numbers get all bits flipped and the rest the sign bit, so the 64-bit keys compare as unsigned integers
 * in numeric order; then four stable passes of 16 bits (one histogram pass for all four), and back.
 * NaNs are made the positive quiet NaN first so they sort last, as the built-in sort puts them.
 */
export function radixSortedCopy(values: NumericArray): Float64Array {
  const n = values.length;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    data[i] = Number.isNaN(v) ? Number.NaN : v;
  }
  // Little-endian words: [2i] is the low 32 bits of element i, [2i+1] the high (sign, exponent).
  let src = new Uint32Array(data.buffer);
  let dst = new Uint32Array(2 * n);
  const counts = new Uint32Array(4 * 65536);
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = src[i]!;
    let hi = src[i + 1]!;
    if (hi & 0x80000000) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    src[i] = lo;
    src[i + 1] = hi;
    counts[lo & 0xffff]!++;
    counts[65536 + (lo >>> 16)]!++;
    counts[131072 + (hi & 0xffff)]!++;
    counts[196608 + (hi >>> 16)]!++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65536;
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    // A digit all elements share changes nothing: skip the pass (common for the high exponent bits).
    let first = 0;
    while (counts[base + first] === 0) first++;
    if (counts[base + first] === n) continue;
    let sum = 0;
    for (let d = base; d < base + 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < 2 * n; i += 2) {
      const lo = src[i]!;
      const hi = src[i + 1]!;
      const at = 2 * counts[base + (((word === 0 ? lo : hi) >>> shift) & 0xffff)]!++;
      dst[at] = lo;
      dst[at + 1] = hi;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = src[i + 1]!;
    if (hi & 0x80000000) src[i + 1] = (hi & 0x7fffffff) >>> 0;
    else {
      src[i] = ~src[i]! >>> 0;
      src[i + 1] = ~hi >>> 0;
    }
  }
  return new Float64Array(src.buffer);
}

/**
 * The p-th percentile (p in 0..100) of sorted values by linear interpolation between order statistics,
 * numpy's default method ("linear"): h = (n-1)·p/100, result = x[floor(h)] + (h - floor(h))·(x[floor(h)+1] - x[floor(h)]).
 */
export function percentileOfSorted(sorted: NumericArray, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = sorted[lo]!;
  // At p = 100 (or h an integer) there is no upper neighbour to interpolate with.
  if (frac === 0 || lo + 1 >= n) return a;
  return a + frac * (sorted[lo + 1]! - a);
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile p must be in 0..100, got ${p}`);
}

/** The p-th percentile (0..100) with numpy's default linear interpolation; NaN for an empty array. */
export function percentile(values: NumericArray, p: number, options: PercentileOptions = {}): number {
  checkP(p);
  return percentileOfSorted(options.sorted ? values : sortedCopy(values), p);
}

/** Several percentiles at once with a single sort; results in the order of `ps`. */
export function percentiles(
  values: NumericArray,
  ps: readonly number[],
  options: PercentileOptions = {},
): number[] {
  for (const p of ps) checkP(p);
  const sorted = options.sorted ? values : sortedCopy(values);
  return ps.map((p) => percentileOfSorted(sorted, p));
}
