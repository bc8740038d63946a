import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { levelDocument } from '../src/metrics/level-metrics.js';
import { metricCatalog, metricTableMarkdown } from '../src/metrics/registry.js';
import { resolveSlo } from '../src/slo/templates.js';
import { runLevel } from '../src/load/level-runner.js';
import { startTimedServer, testRng, tinyClient } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

describe('the metric registry drives the docs and the document', () => {
  it("docs/metrics.md's per-level table is the registry's", () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/metrics.md'), 'utf8');
    const m = /<!-- metric-table:start -->\n([\s\S]*?)\n<!-- metric-table:end -->/.exec(doc);
    expect(m, 'markers in docs/metrics.md').not.toBeNull();
    expect(m![1]).toBe(metricTableMarkdown());
  });

  it('a level document has exactly the registry keys, each with its unit and a CI where declared', async () => {
    const server = await startTimedServer({ ttftMs: 5, gapMs: 2, tokens: 4 });
    const client = tinyClient(server.baseUrl, 2);
    const run = await runLevel(shortLevel({ client, durationS: 0.5 }));
    await client.close();
    await server.close();
    const doc = levelDocument(run, resolveSlo('llm.standard'), testRng(), { resamples: 20 });
    const catalog = metricCatalog();
    expect(Object.keys(doc.metrics).sort()).toEqual(catalog.map((c) => c.key).sort());
    for (const c of catalog) {
      const v = doc.metrics[c.key];
      expect(v.unit, c.key).toBe(c.unit);
      if (c.ci) expect(v.ci95, c.key).toHaveLength(2);
    }
    // Lower is better for latencies, higher for throughput: what `bench compare` reads.
    expect(catalog.find((c) => c.key === 'ttft_p99_ms')!.better).toBe('lower');
    expect(catalog.find((c) => c.key === 'throughput_tok_s')!.better).toBe('higher');
  });
});
