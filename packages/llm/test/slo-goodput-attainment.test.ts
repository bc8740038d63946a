import { describe, expect, it } from 'vitest';
import { goodput, goodputAtSlo, levelHoldsSlo, requestMeetsSlo } from '../src/slo/goodput.js';
import { resolveSlo, SLO_TEMPLATES } from '../src/slo/templates.js';

const std = resolveSlo('llm.standard');

describe('SLO templates, attainment, goodput and holding (SPEC §6)', () => {
  it('ships the seed templates and MLPerf server constraints', () => {
    const byId = Object.fromEntries(SLO_TEMPLATES.map((t) => [t.id, [t.ttftP99Ms, t.tpotP99Ms]]));
    expect(byId['llm.standard']).toEqual([300, 50]);
    expect(byId['llm.realtime']).toEqual([100, 30]);
    expect(byId['llm.batch']).toEqual([null, 200]);
    expect(byId['mlperf.llama2-70b']).toEqual([2000, 200]);
    expect(byId['mlperf.llama2-70b-interactive']).toEqual([450, 40]);
    expect(byId['mlperf.llama3.1-8b']).toEqual([2000, 100]);
    expect(byId['mlperf.llama3.1-8b-interactive']).toEqual([500, 30]);
    expect(byId['mlperf.llama3.1-405b']).toEqual([6000, 175]);
  });

  it('custom --slo overrides the template; unknown template or key is bad input', () => {
    expect(resolveSlo('llm.standard', { ttft_p99_ms: 500 })).toMatchObject({ ttftP99Ms: 500, tpotP99Ms: 50 });
    expect(() => resolveSlo('nope')).toThrow(/unknown SLO template/);
    expect(() => resolveSlo('llm.standard', { ttft_p50_ms: 1 })).toThrow(/unknown SLO key/);
  });

  it('a request meets the SLO only when ok and within both thresholds (no tpot: ttft alone)', () => {
    expect(requestMeetsSlo({ status: 'ok', ttftMs: 299, tpotMs: 49 }, std)).toBe(true);
    expect(requestMeetsSlo({ status: 'ok', ttftMs: 301, tpotMs: 49 }, std)).toBe(false);
    expect(requestMeetsSlo({ status: 'ok', ttftMs: 100, tpotMs: 51 }, std)).toBe(false);
    expect(requestMeetsSlo({ status: 'ok', ttftMs: 100, tpotMs: null }, std)).toBe(true);
    expect(requestMeetsSlo({ status: 'http_error', ttftMs: null, tpotMs: null }, std)).toBe(false);
  });

  it('attainment counts failures against it; goodput per second of window', () => {
    const recs = [
      { status: 'ok' as const, ttftMs: 100, tpotMs: 20, nOut: 10 },
      { status: 'ok' as const, ttftMs: 400, tpotMs: 20, nOut: 10 },
      { status: 'timeout' as const, ttftMs: null, tpotMs: null, nOut: 0 },
      { status: 'ok' as const, ttftMs: 50, tpotMs: 10, nOut: 30 },
    ];
    const g = goodput(recs, 2, std);
    expect(g.sloAttainment).toBe(0.5);
    expect(g.goodputReqS).toBe(1);
    expect(g.goodputTokS).toBe(20);
  });

  it('level holds on p99s; goodput_at_slo is the best holding level, else 0 with a note', () => {
    expect(levelHoldsSlo(299, 49, 10, std)).toBe(true);
    expect(levelHoldsSlo(301, 49, 10, std)).toBe(false);
    expect(levelHoldsSlo(100, 49, 0, std)).toBe(false);
    const levels = [
      { index: 0, concurrency: 1, holds: true, throughputReqS: 2, throughputTokS: 200, rateReqS: 2 },
      { index: 1, concurrency: 4, holds: true, throughputReqS: 7, throughputTokS: 700, rateReqS: 7 },
      { index: 2, concurrency: 16, holds: false, throughputReqS: 20, throughputTokS: 2000, rateReqS: 20 },
    ];
    expect(goodputAtSlo(levels, std)).toMatchObject({ req_s: 7, tok_s: 700, concurrency: 4, note: null });
    const none = goodputAtSlo([{ ...levels[2]! }], std);
    expect(none.req_s).toBe(0);
    expect(none.note).toMatch(/no level holds/);
  });
});
