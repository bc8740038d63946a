import { describe, expect, it } from 'vitest';
import { PreciseSleeper } from '../src/load/precise-sleep.js';

/** Sleep through `n` arrivals 0-4 ms apart; returns each wake's lateness (ms). */
async function sleepSchedule(sleeper: PreciseSleeper, n: number): Promise<{ lateMs: number[] }> {
  let seed = 12345;
  const gapMs = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (4 * seed) / 2147483648;
  };
  const lateMs: number[] = [];
  let next = performance.now() + 1;
  for (let i = 0; i < n; i++) {
    expect(await sleeper.until(next)).toBe(true);
    lateMs.push(performance.now() - next);
    next += gapMs();
  }
  return { lateMs };
}

describe('PreciseSleeper', () => {
  it('never wakes early through the worker hand-over and its final spin', async () => {
    const sleeper = new PreciseSleeper();
    sleeper.prepare();
    // Let the waiting thread boot, as the level runner's warm-up does.
    await new Promise((r) => setTimeout(r, 200));
    const { lateMs } = await sleepSchedule(sleeper, 500);
    sleeper.close();
    // Lateness and CPU are performance figures: `npm run bench:driver` measures them (bench/notes/driver.md).
    expect(lateMs).toHaveLength(500);
    expect(Math.min(...lateMs)).toBeGreaterThanOrEqual(0);
  });

  it('cancel() wakes the sleep with false at once, and the next sleep still works', async () => {
    const sleeper = new PreciseSleeper();
    const t0 = performance.now();
    const sleep = sleeper.until(t0 + 10_000);
    setTimeout(() => sleeper.cancel(), 20);
    expect(await sleep).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2_000);
    const deadline = performance.now() + 30;
    expect(await sleeper.until(deadline)).toBe(true);
    expect(performance.now()).toBeGreaterThanOrEqual(deadline);
    sleeper.close();
  });

  it('after close() and with an injected clock it sleeps on timers alone, never early', async () => {
    const closed = new PreciseSleeper();
    closed.prepare();
    closed.close();
    const injected = new PreciseSleeper(() => performance.now());
    for (const sleeper of [closed, injected]) {
      const { lateMs } = await sleepSchedule(sleeper, 40);
      expect(Math.min(...lateMs)).toBeGreaterThanOrEqual(0);
    }
    // A deadline already past resolves at once.
    expect(await injected.until(performance.now() - 1)).toBe(true);
  });
});
