import { describe, expect, it } from 'vitest';
import { percentile, percentiles } from '../src/stats/index.js';

// Expected values worked out by hand with numpy's default "linear" method, which is what
// numpy.percentile(a, p) returns: sort a, h = (n-1)*p/100, result = a[floor(h)] + (h-floor(h))*(a[floor(h)+1]-a[floor(h)]).
describe('percentile matches numpy.percentile (method="linear")', () => {
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it.each([
    [0, 1], // h = 0
    [25, 3.25], // h = 2.25 -> 3 + 0.25*(4-3)
    [50, 5.5], // h = 4.5 -> 5 + 0.5
    [90, 9.1], // h = 8.1 -> 9 + 0.1
    [99, 9.91], // h = 8.91 -> 9 + 0.91
    [100, 10], // h = 9, last element
  ])('[1..10] p%d = %d', (p, expected) => {
    expect(percentile(oneToTen, p)).toBeCloseTo(expected, 12);
  });

  it('sorts unsorted input: [15, 20, 35, 40, 50] shuffled', () => {
    const a = [40, 15, 50, 35, 20];
    expect(percentile(a, 40)).toBeCloseTo(29, 12); // h = 1.6 -> 20 + 0.6*(35-20)
    expect(percentile(a, 5)).toBeCloseTo(16, 12); // h = 0.2 -> 15 + 0.2*(20-15)
    expect(percentile(a, 75)).toBe(40); // h = 3, exact
    expect(a).toEqual([40, 15, 50, 35, 20]); // input untouched
  });

  it('typed arrays, presorted input, several at once, edge cases', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentiles(sorted, [50, 90, 99], { sorted: true })).toEqual([5.5, 9.1, percentile(sorted, 99)]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});
