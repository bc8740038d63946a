import { describe, expect, it } from 'vitest';
import { acquireEngine, type EngineSample, startScraper } from '../src/engines/index.js';
import { testContext, testPlan, useFakesOnPath, waitFor } from './fixtures/engines/helpers.js';

describe('scraping a running engine', () => {
  for (const engine of ['vllm', 'sglang']) {
    it(`${engine}: writes running, waiting and kv_cache_usage samples under normalised names`, async () => {
      useFakesOnPath();
      const handle = await acquireEngine(testPlan({ engine }), testContext());
      const samples: EngineSample[] = [];
      const scraper = startScraper(handle, (s) => samples.push(s), { intervalMs: 100 });
      try {
        const seen = (series: string) => samples.some((s) => s.series === series);
        await waitFor(() => seen('running') && seen('waiting') && seen('kv_cache_usage'), 5000);
        expect(seen('running')).toBe(true);
        expect(seen('waiting')).toBe(true);
        expect(seen('kv_cache_usage')).toBe(true);
        const s = samples[0] as EngineSample;
        expect(Math.abs(s.tMs - Date.now())).toBeLessThan(60_000);
        expect(s.labels?.metric).toMatch(new RegExp(`^${engine}:`));
      } finally {
        await scraper.stop();
        await handle.stop();
      }
    });
  }

  it('notes an engine without metrics once and writes nothing', async () => {
    const notes: string[] = [];
    const samples: EngineSample[] = [];
    const scraper = startScraper({ name: 'mlx', metricsUrl: null }, (s) => samples.push(s), {
      log: { info: (m) => notes.push(m), warn: (m) => notes.push(m) },
    });
    await scraper.stop();
    expect(samples).toEqual([]);
    expect(notes).toEqual(['mlx exposes no Prometheus metrics; engine time series not recorded']);
  });
});
