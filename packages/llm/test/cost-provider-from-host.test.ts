import { expect, test } from 'vitest';
import { hostedCost, providerFromHost } from '../src/cost/index.js';

test('the provider is inferred from the endpoint host', () => {
  expect(providerFromHost('https://api.openai.com/v1')).toBe('openai');
  expect(providerFromHost('https://api.together.xyz/v1/completions')).toBe('together');
  expect(providerFromHost('api.fireworks.ai')).toBe('fireworks');
  expect(providerFromHost('https://API.GROQ.COM:443/openai/v1')).toBe('groq');
  expect(providerFromHost('https://api.deepinfra.com/v1/openai')).toBe('deepinfra');
  expect(providerFromHost('http://127.0.0.1:8000/v1')).toBeNull();
  const c = hostedCost({
    endpointHost: 'https://api.groq.com/openai/v1',
    model: 'llama-3.3-70b-versatile',
    inputTokens: 1e6,
    outputTokens: 1e6,
  });
  expect(c.provider).toBe('groq');
  expect(c.cost_usd_per_mtok).toBeCloseTo((0.59 + 0.79) / 2, 9);
});
