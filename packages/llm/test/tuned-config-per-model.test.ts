import { describe, expect, it } from 'vitest';
import { listTunedConfigs, selectTunedConfig } from '../src/engines/tuned.js';

const MAVERICK_FP8 = 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8';

describe('tuned configs per (engine, hardware, quant, model), generic fallback labelled', () => {
  it('every model recipe names its source, GPU count and tensor parallel size', () => {
    const recipes = listTunedConfigs().filter((c) => c.model);
    expect(recipes.length).toBeGreaterThanOrEqual(10);
    for (const r of recipes) {
      expect(r.source, r.file).toMatch(/^https:\/\//);
      expect(r.gpus, r.file).toBeGreaterThanOrEqual(1);
      expect(r.tp, r.file).toBeGreaterThanOrEqual(1);
    }
    const models = new Set(recipes.map((r) => r.model));
    for (const m of [
      MAVERICK_FP8,
      'meta-llama/Llama-4-Scout-17B-16E-Instruct',
      'meta-llama/Llama-3.1-8B-Instruct',
      'meta-llama/Llama-3.1-70B-Instruct',
      'meta-llama/Llama-3.3-70B-Instruct',
      'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8',
      'deepseek-ai/DeepSeek-V3',
    ])
      expect(models.has(m), m).toBe(true);
  });

  it("picks vLLM's Maverick FP8 recipe on 8 H100s (tp 8, 430K) and on 8 H200s (tp 8, full context)", () => {
    const h100 = selectTunedConfig({
      engine: 'vllm',
      hardware: 'H100-SXM5-80GB',
      quant: 'fp8',
      model: MAVERICK_FP8,
      gpuCount: 8,
    });
    expect(h100?.kind).toBe('model');
    expect(h100?.config).toMatchObject({ tp: 8, maxModelLen: 430000, gpus: 8 });
    const h200 = selectTunedConfig({
      engine: 'vllm',
      hardware: 'h200',
      quant: 'fp8',
      model: MAVERICK_FP8,
      gpuCount: 8,
    });
    expect(h200?.config).toMatchObject({ tp: 8, hardware: 'h200' });
    expect(h200?.config.maxModelLen).toBeUndefined();
  });

  it('falls back to the generic (engine, hardware, quant) config when the GPUs are too few or --tp differs, saying why', () => {
    const few = selectTunedConfig({
      engine: 'vllm',
      hardware: 'h100',
      quant: 'fp8',
      model: MAVERICK_FP8,
      gpuCount: 4,
    });
    expect(few?.kind).toBe('generic');
    expect(few?.config.model).toBeUndefined();
    expect(few?.skipped.join()).toContain('needs 8 GPUs, 4 detected');
    const tp4 = selectTunedConfig({
      engine: 'vllm',
      hardware: 'h100',
      quant: 'fp8',
      model: MAVERICK_FP8,
      gpuCount: 8,
      explicitTp: 4,
    });
    expect(tp4?.kind).toBe('generic');
    expect(tp4?.skipped.join()).toContain('--tp 4 given');
  });

  it('is keyed by engine: SGLang has its own DeepSeek-V3 recipe, TRT-LLM none', () => {
    const q = { hardware: 'h200', quant: 'fp8', model: 'deepseek-ai/DeepSeek-V3', gpuCount: 8 };
    expect(selectTunedConfig({ engine: 'sglang', ...q })?.config.file).toBe(
      'sglang-deepseek-v3-fp8-8xh200.json',
    );
    expect(selectTunedConfig({ engine: 'vllm', ...q })?.config.expertParallel).toBe(true);
    expect(selectTunedConfig({ engine: 'trtllm', ...q })).toBeNull();
  });
});
