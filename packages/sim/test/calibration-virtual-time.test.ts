import { describe, expect, it } from 'vitest';
import { listProfiles, simulateClosedLoop } from '../src/index.js';

// The model itself, in virtual time, must reproduce every target of every profile (batch 512 included),
// closed loop at the profile's calibration lengths.
describe('calibration in virtual time', () => {
  for (const profile of listProfiles()) {
    for (const target of profile.targets) {
      it(`${profile.name} at batch ${target.batch} is within 10% of its targets`, () => {
        const s = simulateClosedLoop(profile, {
          batch: target.batch,
          promptTokens: profile.calibration.promptTokens,
          outputTokens: profile.calibration.outputTokens,
        });
        expect(Math.abs(s.itlP50Ms / target.itlP50Ms - 1)).toBeLessThan(0.1);
        expect(Math.abs(s.throughputTokS / target.throughputTokS - 1)).toBeLessThan(0.1);
        if (target.powerW !== undefined) expect(Math.abs(s.powerAvgW / target.powerW - 1)).toBeLessThan(0.1);
        expect(s.preemptions).toBe(0);
      });
    }
  }
});
