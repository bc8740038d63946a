import { expect, it } from 'vitest';
import { cdfPoints, evenSample, meanOccupancy, minMaxDownsample } from '../src/report/downsample.js';
import { createRng } from '../src/rng.js';

it('a CDF of 100,000 values keeps about the budget, its extremes, and every rank of the top 1% it can', () => {
  const rng = createRng(3);
  const values = Array.from({ length: 100_000 }, () => -Math.log(1 - rng.next()) * 100);
  const cdf = cdfPoints(values, 400);
  expect(cdf.x.length).toBeLessThanOrEqual(402);
  expect(cdf.x.length).toBeGreaterThan(350);
  const sorted = [...values].sort((a, b) => a - b);
  expect(cdf.x[0]).toBe(sorted[0]);
  expect(cdf.x[cdf.x.length - 1]).toBe(sorted[sorted.length - 1]);
  expect(cdf.y[cdf.y.length - 1]).toBe(1);
  // Each kept point is exact: its share is the rank of its value.
  for (let k = 0; k < cdf.x.length; k += 37)
    expect(sorted[Math.round(cdf.y[k]! * 100_000) - 1]).toBe(cdf.x[k]);
  // The p99 region is densely sampled: at least 30 points above p99.
  expect(Array.from(cdf.y).filter((p) => p > 0.99).length).toBeGreaterThanOrEqual(30);
  // Small inputs are kept whole; NaN and infinities dropped.
  expect(Array.from(cdfPoints([3, Number.NaN, 1, 2, Number.POSITIVE_INFINITY]).x)).toEqual([1, 2, 3]);
});

it('min/max thinning keeps every spike of a long series', () => {
  const t = Array.from({ length: 50_000 }, (_v, i) => i * 10);
  const v = t.map((_x, i) => (i === 12_345 ? 900 : i === 40_000 ? -5 : 100));
  const d = minMaxDownsample(t, v, 500);
  expect(d.x.length).toBeLessThanOrEqual(500);
  expect(Math.max(...d.y)).toBe(900);
  expect(Math.min(...d.y)).toBe(-5);
  expect(d.x[Array.from(d.y).indexOf(900)]).toBe(123_450);
  for (let i = 1; i < d.x.length; i++) expect(d.x[i]!).toBeGreaterThanOrEqual(d.x[i - 1]!);
});

it('time-averaged occupancy per bin equals a brute-force count', () => {
  const rng = createRng(5);
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < 300; i++) {
    const s = rng.next() * 1000;
    starts.push(s);
    ends.push(s + rng.next() * 200);
  }
  const bins = 40;
  const occ = meanOccupancy(starts, ends, 0, 1000, bins);
  for (let b = 0; b < bins; b++) {
    // Brute force: integrate the count over the bin on a fine grid.
    const lo = b * 25;
    let sum = 0;
    const steps = 2500;
    for (let k = 0; k < steps; k++) {
      const t = lo + ((k + 0.5) * 25) / steps;
      for (let i = 0; i < starts.length; i++) if (starts[i]! <= t && t < ends[i]!) sum++;
    }
    expect(occ.y[b]).toBeCloseTo(sum / steps, 1);
    expect(occ.x[b]).toBe(lo + 12.5);
  }
});

it('an even sample of values spread over many arrays keeps their quantiles, and takes all when few', () => {
  const arrays = Array.from({ length: 5000 }, (_v, i) => Array.from({ length: 199 }, (_w, j) => i * 199 + j));
  const all = evenSample(arrays.slice(0, 3), 1000);
  expect(all.total).toBe(597);
  expect(Array.from(all.values)).toEqual(arrays.slice(0, 3).flat());
  const s = evenSample(arrays, 10_000);
  expect(s.total).toBe(995_000);
  expect(s.values.length).toBe(10_000);
  // Values are 0..994,999 in order: an even sample's k-th value sits at (k + 0.5) * step.
  const step = 995_000 / 10_000;
  for (const k of [0, 1234, 5000, 9999]) expect(s.values[k]).toBe(Math.floor((k + 0.5) * step));
});
