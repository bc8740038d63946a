import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFacts } from '../src/models/facts.js';
import { decideLaunch } from '../src/models/launch-plan.js';
import { type HubFixture, startHubFixture } from './fixtures/datasets/hub-server.js';

// A model the catalogue does not know: its facts come from config.json on the hub (here a local stand-in
// speaking the hub's resolve protocol), cached beside the tokenizers, and drive the fit.
const CONFIG = {
  model_type: 'mistral',
  vocab_size: 131072,
  hidden_size: 5120,
  intermediate_size: 14336,
  num_hidden_layers: 40,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 128,
  max_position_embeddings: 131072,
};

describe('model facts from the hub config.json for models outside the catalogue', () => {
  let hub: HubFixture;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    hub = await startHubFixture([
      {
        repoType: 'model',
        repo: 'acme/nemo-12b',
        revision: 'main',
        file: 'config.json',
        bytes: Buffer.from(JSON.stringify(CONFIG)),
        lfs: false,
      },
    ]);
    cache = mkdtempSync(join(tmpdir(), 'ib-model-facts-'));
    env = { ...process.env, HF_ENDPOINT: hub.endpoint, INFERENCEBENCH_HOME: cache };
  });
  afterAll(async () => {
    await hub.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('reads the shapes, estimates the parameter count, and caches the file (a second read makes no request)', async () => {
    const first = await loadModelFacts('acme/nemo-12b', { env });
    expect(first.facts?.paramsEstimated).toBe(true);
    expect(first.facts?.source).toContain('/acme/nemo-12b/resolve/main/config.json');
    // Mistral-NeMo-12B's shapes: 12.2B parameters.
    expect(Math.abs(first.facts!.facts.paramsTotal / 12.25e9 - 1)).toBeLessThan(0.05);
    expect(first.facts?.facts).toMatchObject({ layers: 40, kvHeads: 8, headDim: 128, maxContext: 131072 });
    const requests = hub.requests.length;
    const second = await loadModelFacts('acme/nemo-12b', { env });
    expect(second.facts?.facts.layers).toBe(40);
    expect(hub.requests.length).toBeLessThanOrEqual(requests + 1);
  });

  it('says why when there are no facts (not on the hub), and the launch then goes ahead unchecked', async () => {
    const missing = await loadModelFacts('acme/does-not-exist', { env });
    expect(missing.facts).toBeNull();
    expect(missing.why).toContain('acme/does-not-exist');
    const d = await decideLaunch({
      engine: 'vllm',
      model: 'acme/does-not-exist',
      quant: undefined,
      hardware: undefined,
      explicitTp: undefined,
      detected: { gpus: [], cpu: 'x', source: 'none', note: 'no GPU' },
      env,
    });
    expect(d.refusal).toBeNull();
    expect(d.tp).toBe(1);
    expect(d.reasons.join('\n')).toMatch(/model facts: none .*fit not checked/);
  });
});
