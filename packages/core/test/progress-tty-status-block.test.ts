import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.js';
import type { LiveStatus } from '../src/plugin/types.js';

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => out };
}

const STATUS: LiveStatus = {
  level: 'level 2/4 c=16',
  completed: 812,
  failed: 3,
  ttftP50Ms: 142.04,
  tpotP50Ms: 12.31,
  tokS: 1842.4,
  runEtaS: 192,
};
const LIVE =
  'level 2/4 c=16: ok 812 failed 3 | ttft p50 142.0 ms tpot p50 12.3 ms | 1842 tok/s | run ETA 3:12';

it('on a TTY, a two-line status block under the bar, cleared whole before a note and redrawn after', () => {
  let now = 0;
  const s = sink();
  const p = createProgress({ stream: s.stream, quiet: false, tty: true, nowMs: () => now });
  p.phase('level 2 c=16 measuring', 30);
  now += 200;
  p.status!(STATUS);
  expect(s.text()).toContain(`level 2 c=16 measuring 0/30 0% ETA --:--\n  ${LIVE}`);
  const before = s.text().length;
  p.note('engine log rotated');
  // Both lines of the block are cleared (clear, up, clear), the note printed, the block drawn again.
  expect(s.text().slice(before)).toBe(
    `\r\x1b[2K\x1b[1A\r\x1b[2Kengine log rotated\n[--------------------] level 2 c=16 measuring 0/30 0% ETA --:--\n  ${LIVE}`,
  );
  const atDone = s.text().length;
  p.done();
  expect(s.text().slice(atDone)).toBe('\r\x1b[2K\x1b[1A\r\x1b[2K');
});

it('without a TTY, the live figures join the plain progress line', () => {
  const s = sink();
  const p = createProgress({ stream: s.stream, quiet: false, tty: false, nowMs: () => 0 });
  p.status!(STATUS);
  p.phase('level 2 c=16 measuring', 30);
  expect(s.text()).toBe(`progress: level 2 c=16 measuring 0/30 0% ETA --:-- | ${LIVE}\n`);
});
