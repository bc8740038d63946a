import { describe, expect, it } from 'vitest';
import { findCatalogueModel } from '../src/models/catalogue.js';
import { factsFromConfig } from '../src/models/facts.js';
import { type FitInput, type GpuPool, kvBytesPerTokenPerGpu, planFit } from '../src/models/fit.js';

const H100: Omit<GpuPool, 'count'> = { memoryBytes: 81559 * 1024 * 1024, label: 'H100-SXM5-80GB' };
const H200: Omit<GpuPool, 'count'> = { memoryBytes: 143771 * 1024 * 1024, label: 'H200-SXM-141GB' };
const facts = (name: string) => findCatalogueModel(name)!.facts;

/** planFit for a catalogue model on `count` GPUs of a kind, 16-bit KV cache unless told. */
const fitOf = (name: string, quant: string, gpus: GpuPool, extra: Partial<FitInput> = {}) =>
  planFit({ model: name, facts: facts(name), quant, kvCacheDtype: 'auto', gpus, ...extra });

describe('fit arithmetic: weights + KV cache against the detected GPUs', () => {
  const MAVERICK = 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8';

  it('refuses Maverick FP8 on one H100 with the arithmetic and the GPU count that would fit', () => {
    const fit = fitOf(MAVERICK, 'fp8', { ...H100, count: 1 });
    expect(fit.fits).toBe(false);
    expect(fit.refusal).toBe(
      `${MAVERICK} needs ~400 GB at fp8, 1x H100-SXM5-80GB detected (~75 GB usable); use 8 GPUs or a smaller model`,
    );
  });

  it('chooses tp 8 for Maverick FP8 on 8 H100s, with a context the KV cache holds', () => {
    const fit = fitOf(MAVERICK, 'fp8', { ...H100, count: 8 });
    expect(fit.fits).toBe(true);
    expect(fit.tp).toBe(8);
    // 48 layers x 1 KV head per GPU x 128 x K and V x 2 bytes.
    expect(fit.kvBytesPerTokenPerGpu).toBe(2 * 48 * 1 * 128 * 2);
    expect(fit.maxModelLen).toBeGreaterThan(430_000);
    expect(fit.maxModelLen).toBeLessThanOrEqual(1_048_576);
  });

  it('honours an explicit --tp that cannot fit with a warning instead of a refusal', () => {
    const fit = fitOf(MAVERICK, 'fp8', { ...H100, count: 8 }, { explicitTp: 4 });
    expect(fit.tp).toBe(4);
    expect(fit.fits).toBe(false);
    expect(fit.refusal).toBeNull();
    expect(fit.warning).toMatch(
      /--tp 4: .* needs ~400 GB at fp8, ~100 GB per GPU .* will not load; 8 GPUs would fit/,
    );
  });

  it('picks the smallest tensor parallel size for a dense model: 8B on one GPU, 70B BF16 on two', () => {
    const small = fitOf('llama-3.1-8b', 'bf16', { ...H100, count: 8 });
    expect(small.tp).toBe(1);
    expect(small.maxModelLen).toBe(131072);
    const big = fitOf('llama-3.1-70b', 'bf16', { ...H100, count: 8 });
    expect(big.tp).toBe(2);
    // 141 GB of weights, ~71 GB per GPU: what is left holds less than the model's 128K context.
    expect(big.maxModelLen).toBeLessThan(131072);
    expect(big.maxModelLen).toBeGreaterThanOrEqual(8192);
  });

  it('sizes DeepSeek-V3 latent attention per GPU and refuses it on 8 H100s but fits it on 8 H200s', () => {
    expect(kvBytesPerTokenPerGpu(facts('deepseek-v3'), 8, 'auto')).toBe(61 * (512 + 64) * 2);
    const h100 = fitOf('deepseek-ai/DeepSeek-V3', 'fp8', { ...H100, count: 8 });
    expect(h100.fits).toBe(false);
    expect(h100.refusal).toContain('needs ~671 GB at fp8, 8x H100-SXM5-80GB detected');
    expect(h100.refusal).toContain('use 16 GPUs');
    const h200 = fitOf('deepseek-ai/DeepSeek-V3', 'fp8', { ...H200, count: 8 });
    expect(h200.fits).toBe(true);
    expect(h200.tp).toBe(8);
  });

  it('halves the KV cache per token with an FP8 cache', () => {
    const f = facts('llama-3.1-8b');
    expect(kvBytesPerTokenPerGpu(f, 1, 'fp8') * 2).toBe(kvBytesPerTokenPerGpu(f, 1, 'auto'));
  });
});

describe('model facts from config.json (parameter counts from the shapes)', () => {
  const within5 = (got: number, want: number) => expect(Math.abs(got / want - 1)).toBeLessThan(0.05);

  it('Llama-3.1-8B: 8.03B parameters', () => {
    const { facts: f } = factsFromConfig({
      model_type: 'llama',
      vocab_size: 128256,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      max_position_embeddings: 131072,
      tie_word_embeddings: false,
    });
    within5(f.paramsTotal, 8.03e9);
    expect(f).toMatchObject({ moe: false, layers: 32, kvHeads: 8, headDim: 128, maxContext: 131072 });
  });

  it('Llama-4-Maverick (text_config, every second layer MoE): 400B total, 17B active', () => {
    const { facts: f } = factsFromConfig({
      model_type: 'llama4',
      text_config: {
        model_type: 'llama4_text',
        vocab_size: 202048,
        hidden_size: 5120,
        intermediate_size: 8192,
        intermediate_size_mlp: 16384,
        num_hidden_layers: 48,
        num_attention_heads: 40,
        num_key_value_heads: 8,
        head_dim: 128,
        num_local_experts: 128,
        num_experts_per_tok: 1,
        interleave_moe_layer_step: 2,
        max_position_embeddings: 1048576,
      },
    });
    within5(f.paramsTotal, 400e9);
    within5(f.paramsActive, 17e9);
    expect(f.experts).toBe(128);
  });

  it('DeepSeek-V3 (latent attention, 3 dense layers, 256 routed + 1 shared expert): 671B total, 37B active', () => {
    const { facts: f } = factsFromConfig({
      model_type: 'deepseek_v3',
      vocab_size: 129280,
      hidden_size: 7168,
      intermediate_size: 18432,
      moe_intermediate_size: 2048,
      num_hidden_layers: 61,
      num_attention_heads: 128,
      num_key_value_heads: 128,
      n_shared_experts: 1,
      n_routed_experts: 256,
      num_experts_per_tok: 8,
      first_k_dense_replace: 3,
      q_lora_rank: 1536,
      kv_lora_rank: 512,
      qk_nope_head_dim: 128,
      qk_rope_head_dim: 64,
      v_head_dim: 128,
      max_position_embeddings: 163840,
    });
    within5(f.paramsTotal, 671e9);
    within5(f.paramsActive, 37e9);
    expect(f.mla).toEqual({ kvLoraRank: 512, ropeHeadDim: 64 });
  });

  it('Qwen3-235B-A22B (no shared expert): 235B total, 22B active', () => {
    const { facts: f } = factsFromConfig({
      model_type: 'qwen3_moe',
      vocab_size: 151936,
      hidden_size: 4096,
      intermediate_size: 12288,
      moe_intermediate_size: 1536,
      num_hidden_layers: 94,
      num_attention_heads: 64,
      num_key_value_heads: 4,
      head_dim: 128,
      num_experts: 128,
      num_experts_per_tok: 8,
      decoder_sparse_step: 1,
      max_position_embeddings: 262144,
    });
    within5(f.paramsTotal, 235e9);
    within5(f.paramsActive, 22e9);
  });

  it('rejects a config without the shapes with a hint', () => {
    expect(() => factsFromConfig({ model_type: 'x' })).toThrow(/num_hidden_layers/);
  });
});
