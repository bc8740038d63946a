import type { LiveStatus, Progress } from 'inferencebench';
import { expect, it } from 'vitest';
import { createLiveStatus } from '../src/live-status.js';

function recordingProgress(): { progress: Progress; seen: LiveStatus[] } {
  const seen: LiveStatus[] = [];
  const noop = () => {};
  return {
    seen,
    progress: {
      phase: noop,
      tick: noop,
      update: noop,
      note: noop,
      warn: noop,
      done: noop,
      status: (s) => seen.push(s),
    },
  };
}

it('live status: per-level ok/failed, rolling TTFT/TPOT p50, recent tok/s and a whole-run ETA', () => {
  let now = 0;
  const { progress, seen } = recordingProgress();
  const live = createLiveStatus({ concurrency: [1, 4, 16], durationS: 30 }, progress, () => now);
  live.level(0, 1);
  // Before any level has ended: 3 levels of the window plus a third.
  expect(seen.at(-1)).toMatchObject({
    level: 'level 1/3 c=1',
    completed: 0,
    failed: 0,
    ttftP50Ms: null,
    tokS: null,
  });
  expect(seen.at(-1)!.runEtaS).toBeCloseTo(3 * 30 * 1.33, 6);
  for (let i = 1; i <= 10; i++) {
    now = i * 300;
    live.record({
      level: 0,
      seq: i,
      status: 'ok',
      fields: { ttft_ms: 100 + i, tpot_ms: 10 + i / 10, n_out: 50 },
    });
  }
  now = 3300;
  live.record({ level: 0, seq: 11, status: 'timeout', fields: { ttft_ms: null, tpot_ms: null, n_out: 0 } });
  const s = seen.at(-1)!;
  expect(s.completed).toBe(10);
  expect(s.failed).toBe(1);
  expect(s.ttftP50Ms).toBeCloseTo(105.5, 9);
  expect(s.tpotP50Ms).toBeCloseTo(10.55, 9);
  // 500 tokens over the 3.3 s the level has run (less than the 5 s rate window).
  expect(s.tokS).toBeCloseTo(500 / 3.3, 6);
  now = 40_000;
  live.levelDone();
  live.level(1, 4);
  // Two levels left at the 40 s the first one took.
  expect(seen.at(-1)).toMatchObject({ level: 'level 2/3 c=4', completed: 0, runEtaS: 80 });
  const search = recordingProgress();
  createLiveStatus({ concurrency: [8], durationS: 30, search: 'goodput' }, search.progress, () => 0).level(
    0,
    8,
  );
  expect(search.seen[0]).toMatchObject({ level: 'level 1 c=8', runEtaS: null });
});
