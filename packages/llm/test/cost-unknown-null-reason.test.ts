import { expect, test } from 'vitest';
import { hostedCost, selfHostedCost } from '../src/cost/index.js';

test('unknown provider, model or GPU gives null figures with a reason, not an error', () => {
  const host = hostedCost({
    endpointHost: 'http://localhost:8000',
    model: 'x',
    inputTokens: 10,
    outputTokens: 10,
  });
  expect(host.cost_usd_per_mtok).toBeNull();
  expect(host.reason).toMatch(/provider unknown from host http:\/\/localhost:8000: pass --provider/);
  const model = hostedCost({ provider: 'openai', model: 'gpt-99', inputTokens: 10, outputTokens: 10 });
  expect(model.cost_usd_per_mtok).toBeNull();
  expect(model.reason).toMatch(/no openai price for model "gpt-99"/);
  const together = hostedCost({
    provider: 'together',
    model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    inputTokens: 1,
    outputTokens: 1,
  });
  expect(together.cost_usd_per_mtok).toBeNull();
  const gpu = selfHostedCost({ gpu: 'NVIDIA GH200 480GB', gpus: 1, throughputTokS: 1000 });
  expect(gpu.cost_usd_per_mtok).toBeNull();
  expect(gpu.reason).toMatch(/pass --gpu-hour-usd/);
});
