import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import { RADIX_SORT_MIN_N, radixSortedCopy, sortedCopy } from '../src/stats/index.js';

const builtinSorted = (values: ArrayLike<number>): Float64Array => Float64Array.from(values).sort();
const sameBits = (a: Float64Array, b: Float64Array): boolean =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

it('the radix sort orders any doubles exactly as Float64Array.prototype.sort (-0 before +0, NaN last)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(fc.double(), fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 5e-324, -5e-324)),
      ),
      (values) => sameBits(radixSortedCopy(values), builtinSorted(values)),
    ),
    { numRuns: 500 },
  );
});

it('sortedCopy of a large latency sample (radix path) equals the built-in sort and leaves the input alone', () => {
  const rng = createRng(1);
  const values = Array.from({ length: RADIX_SORT_MIN_N * 10 }, () => Math.exp(3 * rng.normal()));
  values[17] = Number.NaN;
  values[18] = -1;
  const copy = values.slice();
  expect(sameBits(sortedCopy(values), builtinSorted(values))).toBe(true);
  expect(values).toEqual(copy);
});
