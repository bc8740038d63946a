import { describe, expect, it } from 'vitest';
import { boundFails, parseFailIf } from '../src/compare/fail-if.js';

describe('--fail-if bounds', () => {
  it('parses rises and falls in percent', () => {
    expect(parseFailIf('ttft_p99_ms>+5%, throughput_tok_s<-3%')).toEqual([
      { text: 'ttft_p99_ms>+5%', metric: 'ttft_p99_ms', op: '>', change: 0.05 },
      { text: 'throughput_tok_s<-3%', metric: 'throughput_tok_s', op: '<', change: -0.03 },
    ]);
  });

  it('rejects what it cannot read with a clear line (exit 2)', () => {
    for (const [text, why] of [
      ['tpot_p50_ms>5', /expected METRIC>\+N% or METRIC<-N%/],
      ['tpot_p95_ms>+5%', /unknown metric tpot_p95_ms \(known: ttft_p50_ms, /],
      ['throughput_tok_s<+3%', /'<' takes a fall \(-N%\)/],
      ['ttft_p99_ms>-1%', /'>' takes a rise \(\+N%\)/],
      [' , ', /it is empty/],
    ] as const) {
      try {
        parseFailIf(text);
        expect.unreachable(text);
      } catch (err) {
        expect((err as { exitCode: number }).exitCode).toBe(2);
        expect((err as Error).message).toMatch(why);
      }
    }
  });

  it('fails a bound only when the move is past it and significant in that direction', () => {
    const [rise] = parseFailIf('tpot_p50_ms>+5%');
    expect(boundFails(rise!, { value: 1.2, ci95: [1.15, 1.25] })).toBe(true);
    // Past the bound but not significant.
    expect(boundFails(rise!, { value: 1.2, ci95: [0.95, 1.4] })).toBe(false);
    // Significant but within the bound.
    expect(boundFails(rise!, { value: 1.03, ci95: [1.01, 1.05] })).toBe(false);
    const [fall] = parseFailIf('throughput_tok_s<-3%');
    expect(boundFails(fall!, { value: 0.9, ci95: [0.85, 0.95] })).toBe(true);
    expect(boundFails(fall!, { value: 1.1, ci95: [1.05, 1.15] })).toBe(false);
  });
});
