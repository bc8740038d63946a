import { expect, test } from 'vitest';
import { hostedCost } from '../src/cost/index.js';

test('hosted cost blends input and output prices over the run token mix, and over SLO-meeting tokens', () => {
  // claude-sonnet-4: $3 in / $15 out per million tokens.
  const c = hostedCost({
    provider: 'anthropic',
    model: 'claude-sonnet-4-20250514',
    inputTokens: 3_000_000,
    outputTokens: 1_000_000,
    goodInputTokens: 1_500_000,
    goodOutputTokens: 500_000,
  });
  expect(c.input_usd_per_mtok).toBe(3);
  expect(c.output_usd_per_mtok).toBe(15);
  expect(c.total_usd).toBeCloseTo(9 + 15, 9);
  expect(c.cost_usd_per_mtok).toBeCloseTo(24 / 4, 9);
  // All requests are paid for; only half the tokens met the SLO.
  expect(c.cost_usd_per_mtok_slo).toBeCloseTo(24 / 2, 9);
  expect(c.source).toBe('https://docs.anthropic.com/en/docs/about-claude/pricing');
  expect(c.snapshot_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(c.reason).toBeNull();
});

test('no SLO-meeting tokens gives a null SLO figure with the reason', () => {
  const c = hostedCost({
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens: 100,
    outputTokens: 100,
    goodOutputTokens: 0,
  });
  expect(c.cost_usd_per_mtok).toBeCloseTo((100 * 0.15 + 100 * 0.6) / 200, 9);
  expect(c.cost_usd_per_mtok_slo).toBeNull();
  expect(c.reason).toMatch(/no request met the SLO/);
});
