import { describe, expect, it } from 'vitest';
import { acquireEngine } from '../src/engines/index.js';
import { testContext, testPlan, useFakesOnPath } from './fixtures/engines/helpers.js';

// Each fake runs the simulator with its engine's flavor: the version comes from that engine's own route.
const cases = [
  { engine: 'vllm', metrics: '/metrics', strict: false, force: true },
  { engine: 'sglang', metrics: '/metrics', strict: false, force: true },
  { engine: 'trtllm', metrics: '/prometheus/metrics', strict: true, force: false },
  { engine: 'llama.cpp', metrics: '/metrics', strict: false, force: true },
  { engine: 'mlx', metrics: null, strict: false, force: false },
];

describe('each engine against its fake', () => {
  for (const c of cases) {
    it(`${c.engine}: ready, version captured, quirks and metrics path set`, async () => {
      useFakesOnPath();
      const handle = await acquireEngine(testPlan({ engine: c.engine }), testContext());
      try {
        expect(handle.name).toBe(c.engine);
        expect(handle.version, `${c.engine} version`).toEqual(expect.any(String));
        expect(handle.quirks.strictFields).toBe(c.strict);
        expect(handle.quirks.canForceOutputLength).toBe(c.force);
        expect(handle.metricsUrl ? new URL(handle.metricsUrl).pathname : null).toBe(c.metrics);
      } finally {
        await handle.stop();
      }
    });
  }
});
