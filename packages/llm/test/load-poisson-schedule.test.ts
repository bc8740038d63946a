import { createRng } from 'inferencebench';
import { describe, expect, it } from 'vitest';
import { poissonGapsMs, poissonSchedule } from '../src/load/poisson-schedule.js';

describe('poisson schedule', () => {
  it('is identical for the same seed and stream, different for another level', () => {
    const a = poissonSchedule(createRng(42).fork('arrivals/level-0'), 10, 500);
    const b = poissonSchedule(createRng(42).fork('arrivals/level-0'), 10, 500);
    const c = poissonSchedule(createRng(42).fork('arrivals/level-1'), 10, 500);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('has mean gap 1/λ and is increasing', () => {
    const s = poissonSchedule(createRng(7), 50, 20_000);
    let increasing = true;
    for (let i = 1; i < s.length; i++) if (s[i]! < s[i - 1]!) increasing = false;
    expect(increasing).toBe(true);
    const meanGapMs = s[s.length - 1]! / s.length;
    expect(Math.abs(meanGapMs / 20 - 1)).toBeLessThan(0.03);
  });

  it('gives zero gaps for a closed loop and rejects a non-positive rate', () => {
    expect(poissonGapsMs(createRng(1), Number.POSITIVE_INFINITY)()).toBe(0);
    expect(() => poissonGapsMs(createRng(1), 0)).toThrow();
  });
});
