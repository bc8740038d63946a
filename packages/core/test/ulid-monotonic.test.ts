import { expect, it } from 'vitest';
import { monotonicUlid, ulidTimeMs } from '../src/store/ulid.js';

it('ULIDs in the same millisecond increment the random part and sort in creation order', () => {
  const next = monotonicUlid(() => new Uint8Array(16).fill(30));
  const t = 1_700_000_000_000;
  const a = next(t);
  const b = next(t);
  const c = next(t - 5); // clock went backwards: still after b
  const d = next(t + 1);
  expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  expect(ulidTimeMs(a)).toBe(t);
  // All 16 random digits are 30 ('Y'); each same-ms id adds one, carrying from 'Z' into the digit before.
  expect(a.slice(10)).toBe('YYYYYYYYYYYYYYYY');
  expect(b.slice(10)).toBe('YYYYYYYYYYYYYYYZ');
  expect(c.slice(10)).toBe('YYYYYYYYYYYYYYZ0');
  expect([a, b, c, d]).toEqual([a, b, c, d].slice().sort());
  expect(new Set([a, b, c, d]).size).toBe(4);
  expect(ulidTimeMs(d)).toBe(t + 1);
});

it('many ids in a row are strictly increasing', () => {
  const next = monotonicUlid();
  const ids = Array.from({ length: 10_000 }, () => next());
  for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
});
