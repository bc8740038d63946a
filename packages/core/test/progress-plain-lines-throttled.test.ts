import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.js';

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

it('without a TTY, progress is a plain line at most every 5 s, with an ETA; --quiet keeps only warnings', () => {
  let now = 0;
  const s = sink();
  const p = createProgress({ stream: s.stream, quiet: false, tty: false, nowMs: () => now });
  p.phase('level 1/2 c=8', 100);
  for (let i = 0; i < 50; i++) {
    now += 100; // 50 ticks over 5 s
    p.tick();
  }
  const lines = s.text().trim().split('\n');
  // The phase start, then exactly one line when 5 s had passed.
  expect(lines).toEqual([
    'progress: level 1/2 c=8 0/100 0% ETA --:--',
    'progress: level 1/2 c=8 50/100 50% ETA 0:05',
  ]);

  const q = sink();
  const quiet = createProgress({ stream: q.stream, quiet: true, tty: false, nowMs: () => now });
  quiet.phase('x', 10);
  quiet.tick(5);
  quiet.note('hidden');
  quiet.warn('shown');
  expect(q.text()).toBe('warning: shown\n');
});
