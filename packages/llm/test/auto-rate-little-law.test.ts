import { describe, expect, it } from 'vitest';
import { AutoRate } from '../src/load/auto-rate.js';
import { InFlightMeter } from '../src/load/in-flight-meter.js';

describe('--rate auto controller (Little law, epoch by epoch)', () => {
  it('moves λ to C / L measured at the current rate, then stops once mean in-flight is within 10% of C', () => {
    // Warm-up said L = 100 ms at C = 10: λ0 = 100 req/s. The server is really slower under open load (200 ms).
    const a = new AutoRate({
      concurrency: 10,
      initialRateReqS: 100,
      initialLatencyMs: 100,
      minCompleted: 20,
    });
    a.start(0);
    expect(a.settledFromMs()).toBe(100);
    // Too early (fewer than 20 completions): nothing changes.
    for (let i = 0; i < 19; i++) expect(a.complete(0, 200, 1000, () => 20)).toBe(false);
    // The 20th completion, 1 s in, 20 in flight on average: λ becomes C / L = 10 / 0.2 s. Little's law's
    // λ x L (100 x 0.2 = 20) is recorded beside the reading.
    expect(a.complete(0, 200, 1000, () => 20)).toBe(true);
    expect(a.rateReqS).toBeCloseTo(50, 10);
    expect(a.currentEpoch()).toBe(1);
    expect(a.record.steps[0]).toMatchObject({
      rate_req_s: 100,
      mean_in_flight: 20,
      little_in_flight: 20,
      completed: 20,
    });
    // A completion of a request scheduled in the old epoch no longer counts.
    expect(a.complete(0, 5000, 1500, () => 99)).toBe(false);
    // Epoch 1 at 50 req/s reads 10.4 in flight: within 10% of 10, converged, λ kept.
    for (let i = 0; i < 20; i++) a.complete(1, 208, 2000 + i, () => 10.4);
    expect(a.converged).toBe(true);
    expect(a.rateReqS).toBeCloseTo(50, 10);
    expect(a.record.converged).toBe(true);
    expect(a.record.steps).toHaveLength(2);
    // Converged: later completions change nothing.
    expect(a.complete(1, 1, 9999, () => 100)).toBe(false);
  });

  it('keeps measuring at the same λ while the reading is outside 10% only by its own noise', () => {
    const a = new AutoRate({ concurrency: 2, initialRateReqS: 20, initialLatencyMs: 100, minCompleted: 20 });
    a.start(0);
    // 2.5 in flight after 1 s (900 ms settled): standard error sqrt(2 x 2 x 100 / 900) = 0.67, so 0.5 off
    // is within the noise: no step, no new epoch.
    for (let i = 0; i < 20; i++) expect(a.complete(0, 100, 1000, () => 2.5)).toBe(false);
    expect(a.record.steps).toHaveLength(0);
    // After 100 s the same reading is clearly off (standard error 0.06): λ changes.
    expect(a.complete(0, 100, 100_000, () => 2.5)).toBe(true);
    expect(a.record.steps).toHaveLength(1);
  });

  it('waits at least a few latencies per epoch, so long requests have had time to complete', () => {
    const a = new AutoRate({ concurrency: 4, initialRateReqS: 4, initialLatencyMs: 1000, minCompleted: 2 });
    a.start(0);
    // 4 latencies = 4 s: a judgement at 3 s would see only the short requests.
    expect(a.complete(0, 500, 3000, () => 0.5)).toBe(false);
    expect(a.complete(0, 500, 3000, () => 0.5)).toBe(false);
    expect(a.complete(0, 500, 4000, () => 0.5)).toBe(true);
  });
});

describe('in-flight meter', () => {
  it('integrates the window mean, max and time at the cap, and a span that starts later', () => {
    const m = new InFlightMeter(0, 2);
    m.startSpan(50);
    m.change(0, 1); // 1 in flight from 0
    m.openWindow(100, 300);
    m.change(150, 1); // 2 (at the cap) from 150
    m.change(250, -1); // 1 from 250
    m.accrue(400);
    // Window [100, 300): 1 x 50 + 2 x 100 + 1 x 50 = 300 over 200 ms.
    expect(m.windowFigures(200)).toEqual({ mean: 1.5, max: 2, atCapShare: 0.5 });
    // Span from 50 to 400: 1 x 100 + 2 x 100 + 1 x 150 = 450 over 350 ms.
    expect(m.spanMean(400)).toBeCloseTo(450 / 350, 12);
    expect(new InFlightMeter(0, Number.POSITIVE_INFINITY).windowFigures(10).atCapShare).toBeNull();
  });
});
