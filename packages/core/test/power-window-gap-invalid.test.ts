import { expect, test } from 'vitest';
import { computeEnergyWindow, PowerRecorder } from '../src/telemetry/power-window.js';

const at = (times: number[]) => times.map((tMs) => ({ tMs, watts: 100 }));

test('a gap over 1 s inside the window, or at its end, invalidates it; 0.9 s does not', () => {
  const gap = computeEnergyWindow({
    samples: at([0, 100, 1250, 1350]),
    counter: null,
    startMs: 50,
    endMs: 1300,
  });
  expect(gap.valid).toBe(false);
  expect(gap.maxGapMs).toBe(1150);
  expect(gap.energyJ).toBeNull();
  const ok = computeEnergyWindow({
    samples: at([0, 100, 1000, 1100]),
    counter: null,
    startMs: 50,
    endMs: 1050,
  });
  expect(ok.valid).toBe(true);
  expect(ok.energyJ).toBeCloseTo(100, 9);
  // The source stopped at 200 ms: a window running to 1500 ms has a 1300 ms tail with nothing in it.
  const dead = computeEnergyWindow({ samples: at([0, 100, 200]), counter: null, startMs: 50, endMs: 1500 });
  expect(dead.valid).toBe(false);
  expect(dead.maxGapMs).toBe(1300);
});

test('a counter step backwards between the bracketing readings invalidates; a RAPL-style wrap does not', () => {
  const r = new PowerRecorder(true);
  r.addCounter(0, [10], [100]);
  r.addCounter(100, [60], [100]);
  r.addCounter(200, [0], [100]); // wrapped at 100 J: +40 J
  r.addCounter(300, [50], [100]);
  const wrapped = r.window(0, 300);
  expect(wrapped.valid).toBe(true);
  expect(wrapped.energyJ).toBeCloseTo(140, 9);
  const b = new PowerRecorder(true);
  b.addCounter(0, [1000]);
  b.addCounter(100, [1050]);
  b.addCounter(200, [900]);
  b.addCounter(300, [950]);
  expect(b.window(0, 300).valid).toBe(false);
  expect(b.window(0, 300).invalidReason).toMatch(/backwards/);
  expect(b.window(0, 90).valid).toBe(true);
});
