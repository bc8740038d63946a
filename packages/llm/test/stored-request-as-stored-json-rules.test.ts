import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asStored, readStoredRequest } from '../src/metrics/stored-request.js';

// asStored copies the per-chunk arrays (itl_ms, chunk_tokens) by JSON's rules without writing JSON text.
// Whatever they hold, the view must be exactly what the store's JSON round trip gives back: -0 as 0,
// NaN and ±Infinity as null, undefined entries as null, and anything else left to JSON itself.
const reference = (input: Parameters<typeof asStored>[0]) => {
  const flat = {
    ...(input.data as Record<string, unknown>),
    ...(input.fields ?? {}),
    ...(input.phase !== undefined ? { phase: input.phase } : {}),
  };
  return readStoredRequest(
    JSON.parse(JSON.stringify({ ...flat, level: input.level, seq: input.seq, status: input.status })),
  );
};

const entry = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-7, 123.456),
  fc.integer({ min: 0, max: 40 }),
  fc.constant(null),
  fc.constant(undefined),
);
const oddEntry = fc.oneof(
  entry,
  fc.constantFrom('3', true, { a: 1 }, [Number.NaN], new Date(0), () => 1),
);
const arrayField = fc.oneof(
  { weight: 4, arbitrary: fc.array(entry, { maxLength: 30 }) },
  { weight: 1, arbitrary: fc.array(oddEntry, { maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 5, 'x') },
);

describe('asStored', () => {
  it('gives exactly the view that the JSON round trip gives, whatever the per-chunk arrays hold', () => {
    fc.assert(
      fc.property(arrayField, arrayField, fc.double(), (itl, tokens, ttft) => {
        const input = {
          level: 2,
          seq: 7,
          status: 'ok' as const,
          phase: 'measured',
          fields: { ttft_ms: ttft, tpot_ms: -0, e2e_ms: 12.5, n_in: 3, n_out: 4 },
          data: {
            sched_ms: 1.5,
            itl_ms: itl,
            chunk_tokens: tokens,
            lag_ms: Number.NaN,
            n_out_source: 'usage',
          },
        };
        const fast = asStored(input);
        const ref = reference(input);
        expect(fast).toStrictEqual(ref);
        // toEqual treats -0 and 0 alike; the store does not keep -0, so neither may the view.
        const signed = (a: unknown[] | null) => (a ?? []).map((x) => (Object.is(x, -0) ? '-0' : x));
        expect(signed(fast.itlMs)).toEqual(signed(ref.itlMs));
        expect(signed(fast.chunkTokens)).toEqual(signed(ref.chunkTokens));
      }),
      { numRuns: 2000 },
    );
  });

  it('does not change the record it was given', () => {
    const itl = [1, -0, Number.NaN];
    const input = { level: 0, seq: 0, status: 'ok' as const, fields: {}, data: { itl_ms: itl } };
    asStored(input);
    expect(input.data.itl_ms).toBe(itl);
    expect(Object.is(itl[1], -0)).toBe(true);
    expect(itl[2]).toBeNaN();
  });
});
