import { expect, it } from 'vitest';
import { coefficientOfVariation, mean, sampleStdev } from '../src/stats/index.js';

it('mean, sample stdev (n-1) and CoV against hand-computed values', () => {
  // Sum 40 over 8 -> mean 5; squared deviations sum to 32; 32/7 = 4.571428...; sqrt = 2.1380899352993950.
  const a = [2, 4, 4, 4, 5, 5, 7, 9];
  expect(mean(a)).toBe(5);
  expect(sampleStdev(Float64Array.from(a))).toBeCloseTo(2.138089935299395, 14);
  expect(coefficientOfVariation(a)).toBeCloseTo(2.138089935299395 / 5, 14);
  // Large offset, tiny spread: the two-pass stdev keeps its precision.
  expect(sampleStdev(a.map((x) => x + 1e9))).toBeCloseTo(2.138089935299395, 6);
  expect(mean([])).toBeNaN();
  expect(sampleStdev([1])).toBeNaN();
  expect(coefficientOfVariation([0, 0])).toBeNaN();
});
