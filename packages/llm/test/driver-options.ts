import type { LevelRunOptions } from '../src/load/level-runner.js';
import { items, testRng } from './driver-helpers.js';

/** Short level settings for tests (durations of 1-3 s). */
export function shortLevel(
  over: Partial<LevelRunOptions> & Pick<LevelRunOptions, 'client'>,
): LevelRunOptions {
  return {
    levelIndex: 0,
    concurrency: 2,
    rate: 'inf',
    durationS: 1,
    warmupRuns: 0,
    gateWindow: 4,
    gateCov: 0.5,
    gateMetric: 'tpot',
    gateTimeoutS: 0,
    drainTimeoutS: 3,
    requestTimeoutS: 5,
    items: items(10, 5),
    api: 'completions',
    model: 'm',
    rng: testRng(),
    ...over,
  };
}
