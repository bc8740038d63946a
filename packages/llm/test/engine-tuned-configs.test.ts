import { describe, expect, it } from 'vitest';
import { findTunedConfig, listTunedConfigs } from '../src/engines/index.js';

describe('tuned configs shipped as data', () => {
  it('cover vLLM on H100/H200 for fp8/bf16 and SGLang/TRT-LLM on H100 fp8, each with a source URL', () => {
    const keys = listTunedConfigs().map((c) => `${c.engine}/${c.hardware}/${c.quant}`);
    for (const k of [
      'vllm/h100/fp8',
      'vllm/h100/bf16',
      'vllm/h200/fp8',
      'vllm/h200/bf16',
      'sglang/h100/fp8',
      'trtllm/h100/fp8',
    ]) {
      expect(keys).toContain(k);
    }
    for (const c of listTunedConfigs()) {
      expect(c.source, c.file).toMatch(/^https:\/\//);
      // A model recipe may be only its parallelism and context (vLLM's Llama 4 commands are just that).
      const settings =
        c.args.length + Object.keys(c.config ?? {}).length + (c.tp ?? 0) + (c.maxModelLen ?? 0);
      expect(settings, c.file).toBeGreaterThan(0);
    }
  });

  it('matches a detected hardware name to its family, and nothing without a quant', () => {
    expect(findTunedConfig('vllm', 'H200-SXM-141GB', 'FP8')?.args).toContain('--max-num-seqs');
    expect(findTunedConfig('vllm', 'h100', undefined)).toBeNull();
    expect(findTunedConfig('mlx', 'h100', 'fp8')).toBeNull();
  });
});
