import { describe, expect, it } from 'vitest';
import { acquireEngine, type EngineSample, startScraper } from '../src/engines/index.js';
import { testContext, testPlan, waitFor } from './fixtures/engines/helpers.js';

describe('--engine sim', () => {
  it('launches the simulator on a port it picks, with a DCGM endpoint and vLLM metrics', async () => {
    const handle = await acquireEngine(testPlan({ engine: 'sim', model: 'llama-3.1-8b' }), testContext());
    try {
      expect(handle.commandLine).toEqual(
        expect.arrayContaining(['serve', '--port', '0', '--profile', 'llama-3.1-8b']),
      );
      expect(handle.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/v1$/);
      expect(handle.dcgmUrl).toBe(handle.baseUrl.replace(/\/v1$/, '/dcgm/metrics'));
      const samples: EngineSample[] = [];
      const scraper = startScraper(handle, (s) => samples.push(s), { intervalMs: 100 });
      await waitFor(() => samples.some((s) => s.series === 'running'), 3000);
      await scraper.stop();
      expect(samples.some((s) => s.series === 'running')).toBe(true);
    } finally {
      await handle.stop();
    }
  });
});
