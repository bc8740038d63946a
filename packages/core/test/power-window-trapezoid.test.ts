import { expect, test } from 'vitest';
import { computeEnergyWindow } from '../src/telemetry/power-window.js';

test('integral method: trapezoid over samples, clipped to the window edges by interpolation', () => {
  // Power ramps 100 W -> 200 W over 0..1000 ms, sampled every 100 ms.
  const samples = Array.from({ length: 11 }, (_, i) => ({ tMs: i * 100, watts: 100 + i * 10 }));
  const w = computeEnergyWindow({ samples, counter: null, startMs: 250, endMs: 750 });
  // Exact integral of the ramp from 0.25 s to 0.75 s: mean 150 W x 0.5 s.
  expect(w.energyJ).toBeCloseTo(75, 9);
  expect(w.powerAvgW).toBeCloseTo(150, 9);
  expect(w.method).toBe('integral');
  expect(w.samples).toBe(5);
  expect(w.sampleHz).toBeCloseTo(10, 9);
  expect(w.maxGapMs).toBe(100);
  expect(w.valid).toBe(true);
});

test('counter method: counter interpolated linearly to the exact window edges', () => {
  const counter = [0, 100, 200, 300].map((t, i) => ({ tMs: t, energyJ: i * 30, backwards: null }));
  const w = computeEnergyWindow({ samples: [], counter, startMs: 50, endMs: 250 });
  expect(w.method).toBe('counter');
  expect(w.energyJ).toBeCloseTo(60, 9);
  expect(w.powerAvgW).toBeCloseTo(300, 9);
});
