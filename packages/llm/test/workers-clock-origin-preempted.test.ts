import { describe, expect, test } from 'vitest';
import { originOnHrtimeMs } from '../src/load/workers.js';

// Each worker's times are moved onto the main thread's clock through the reading of the monotonic clock at
// each thread's performance.now() zero. Under load a thread can be preempted between the two readings; a
// single pair then put every time of that thread off by the pause (a first chunk before its request was
// sent, seen in workers-same-schedule.test.ts on a loaded machine).
describe('--workers: the clock origin of a thread', () => {
  test('a pause between the two clock readings does not shift the origin', () => {
    const real = performance.now.bind(performance);
    const truth = Number(process.hrtime.bigint()) / 1e6 - real();
    let calls = 0;
    performance.now = () => {
      // The first reading is taken 20 ms late, as after a preemption.
      if (calls++ === 0) {
        const until = process.hrtime.bigint() + 20_000_000n;
        while (process.hrtime.bigint() < until) {}
      }
      return real();
    };
    let origin: number;
    try {
      origin = originOnHrtimeMs();
    } finally {
      performance.now = real;
    }
    expect(Math.abs(origin - truth)).toBeLessThan(1);
  });
});
