import { expect, test } from 'vitest';
import { selfHostedCost } from '../src/cost/index.js';

test('self-hosted USD per million output tokens = GPU-hour price x GPUs / (tok/s x 3600) x 1e6', () => {
  const user = selfHostedCost({
    gpu: 'h100',
    gpus: 2,
    gpuHourUsd: 3.6,
    throughputTokS: 1000,
    goodputTokS: 500,
  });
  // $7.20 per hour for 3.6 M tokens per hour -> $2 per million; goodput halves the tokens -> $4.
  expect(user.cost_usd_per_mtok).toBeCloseTo(2, 9);
  expect(user.cost_usd_per_mtok_slo).toBeCloseTo(4, 9);
  expect(user.source).toBe('user');
  expect(user.snapshot_date).toBeNull();
  const table = selfHostedCost({ gpu: 'NVIDIA H100 80GB HBM3', gpus: 1, throughputTokS: 9800 });
  expect(table.gpu_hour_usd).toBe(4.176);
  expect(table.cost_usd_per_mtok).toBeCloseTo((4.176 / (9800 * 3600)) * 1e6, 9);
  expect(table.source).toBe('https://docs.runpod.io/serverless/pricing');
  expect(table.snapshot_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(selfHostedCost({ gpu: 'H200-SXM-141GB', gpus: 8, throughputTokS: 0 }).cost_usd_per_mtok).toBeNull();
});
