import { createRng } from 'inferencebench';
import { describe, expect, it } from 'vitest';
import { arrivalStrategy } from '../src/load/arrival-strategy.js';
import { FailFast, GateTracker } from '../src/load/gate-tracker.js';
import { InFlightMeter } from '../src/load/in-flight-meter.js';
import { runWarmup } from '../src/load/warmup.js';
import { phaseOf, windowTotals } from '../src/load/window-accounting.js';
import { readStoredRequest } from '../src/metrics/stored-request.js';
import type { ClientResult } from '../src/types.js';
import { items } from './driver-helpers.js';

describe('the level runner parts, each alone', () => {
  it('arrival strategies: caps and modes per SPEC §4, Poisson gaps with the asked mean', () => {
    const rng = () => createRng(7).fork('arrivals/level-0');
    const fixed = arrivalStrategy({ rate: 50, concurrency: 4, warmMeanE2eMs: null, rng: rng() });
    expect([fixed.mode, fixed.cap, fixed.closedLoop, fixed.rateReqS()]).toEqual(['fixed', 4, false, 50]);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += fixed.nextGapMs();
    expect(sum / 20_000).toBeGreaterThan(19.5);
    expect(sum / 20_000).toBeLessThan(20.5);
    const inf = arrivalStrategy({
      rate: 'inf',
      concurrency: 4,
      maxInflight: 6,
      warmMeanE2eMs: null,
      rng: rng(),
    });
    expect([inf.mode, inf.cap, inf.closedLoop]).toEqual(['inf', 6, true]);
    // Auto: λ = C / L from the warm-up, no cap, not settled until the gate says so.
    const auto = arrivalStrategy({ rate: 'auto', concurrency: 8, warmMeanE2eMs: 400, rng: rng() });
    expect([auto.mode, auto.cap, auto.closedLoop, auto.rateReqS(), auto.settled()]).toEqual([
      'auto',
      Number.POSITIVE_INFINITY,
      false,
      20,
      false,
    ]);
    // Auto with --max-inflight has that cap; without a successful warm-up it runs closed loop at C, noted.
    expect(
      arrivalStrategy({ rate: 'auto', concurrency: 8, maxInflight: 3, warmMeanE2eMs: 400, rng: rng() }).cap,
    ).toBe(3);
    const fallback = arrivalStrategy({ rate: 'auto', concurrency: 8, warmMeanE2eMs: null, rng: rng() });
    expect([fallback.mode, fallback.closedLoop, fallback.cap]).toEqual(['auto', true, 8]);
    expect(fallback.note).toMatch(/no successful warm-up/);
  });

  it('auto arrivals settle once the gate measures mean in-flight within 10% of C', () => {
    const auto = arrivalStrategy({ rate: 'auto', concurrency: 4, warmMeanE2eMs: 100, rng: createRng(1) });
    const meter = new InFlightMeter(0, auto.cap);
    auto.start(0, meter);
    for (let i = 0; i < 4; i++) meter.change(0, 1); // 4 in flight throughout
    // λ = 4 / 0.1 s = 40 req/s; the epoch's requests took 100 ms: 40 x 0.1 = 4 in flight.
    for (let i = 0; i < 20; i++) auto.gateCompleted(0, 100, 1000);
    expect(auto.settled()).toBe(true);
    expect(auto.record()!.steps[0]).toMatchObject({ mean_in_flight: 4, little_in_flight: 4 });
  });

  it('the gate passes on the CoV of the last window of successful requests; fail-fast on n failures', () => {
    const g = new GateTracker('tpot', 3, 0.1);
    const ok = (tpotMs: number) => ({ status: 'ok' as const, tpotMs, ttftMs: 1, e2eMs: 1 });
    expect(g.add(ok(10))).toBe(false);
    expect(g.add({ status: 'http_error', tpotMs: null, ttftMs: null, e2eMs: null })).toBe(false);
    expect(g.add(ok(30))).toBe(false);
    expect(g.add(ok(10))).toBe(false); // window [10, 30, 10]: CoV 0.69
    expect(g.add(ok(10.5))).toBe(false); // [30, 10, 10.5]
    expect(g.add(ok(10.2))).toBe(true); // [10, 10.5, 10.2]: CoV 0.025
    expect(g.completed).toBe(6);
    const f = new FailFast(3);
    expect([f.add(false), f.add(false), f.add(false), f.add(false)]).toEqual([false, false, true, false]);
    const g2 = new FailFast(2);
    expect([g2.add(true), g2.add(false)]).toEqual([false, false]);
  });

  it('warm-up: max(2C, 16) requests per run at C, L from the last run', async () => {
    let inFlight = 0;
    let peak = 0;
    let t = 0;
    const out = await runWarmup({
      runs: 2,
      concurrency: 3,
      items: items(4, 2),
      rng: createRng(1),
      signal: new AbortController().signal,
      now: () => t,
      send: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return { status: 'ok' } as ClientResult;
      },
      record: () => {
        t += 1;
        return { status: 'ok', e2eMs: 50 } as never;
      },
      label: 'test',
    });
    expect(out).toEqual({ requests: 32, meanE2eMs: 50 });
    expect(peak).toBe(3);
  });

  it('window accounting: phases by scheduled arrival, tokens by chunk arrival, sends by send time', () => {
    const w = { startMs: 100, endMs: 200 };
    expect([phaseOf(99, w), phaseOf(100, w), phaseOf(199.9, w), phaseOf(200, w)]).toEqual([
      'gate',
      'measured',
      'measured',
      'drain',
    ]);
    expect(phaseOf(500, { startMs: null, endMs: Number.POSITIVE_INFINITY })).toBe('gate');
    // Scheduled at 90, sent at 95, chunks at 150, 190, 210 (1 token each): 2 tokens and its prompt in the window.
    const r = readStoredRequest({
      level: 0,
      seq: 0,
      status: 'ok',
      sched_ms: 90,
      queue_wait_ms: 5,
      ttft_ms: 60,
      itl_ms: [40, 20],
      n_in: 7,
      n_out: 3,
    });
    expect(windowTotals([r], 100, 200)).toEqual({ outputTokens: 2, inputTokens: 7, sent: 0 });
    expect(windowTotals([r], 0, 100)).toEqual({ outputTokens: 0, inputTokens: 0, sent: 1 });
  });
});
