import { expect, test } from 'vitest';
import { gpuHourTable, hostedPricing } from '../src/cost/index.js';

test('every shipped price carries a snapshot date and a source URL', () => {
  const hosted = hostedPricing();
  expect(hosted.snapshot_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  let entries = 0;
  for (const [name, p] of Object.entries(hosted.providers)) {
    expect(p.hosts.length, name).toBeGreaterThan(0);
    for (const m of p.models) {
      entries++;
      expect(m.source, m.model).toMatch(/^https:\/\//);
      expect(m.input_usd_per_mtok, m.model).toBeGreaterThan(0);
      expect(m.output_usd_per_mtok, m.model).toBeGreaterThan(0);
      expect(['provider', 'secondary']).toContain(m.source_kind);
    }
  }
  expect(entries).toBeGreaterThan(10);
  const gpus = gpuHourTable();
  expect(gpus.snapshot_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(gpus.source).toMatch(/^https:\/\//);
  expect(gpus.gpus.map((g) => g.gpu).sort()).toEqual(['a100', 'b200', 'h100', 'h200', 'l40s']);
});
