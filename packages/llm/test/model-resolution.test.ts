import { describe, expect, it } from 'vitest';
import { modelShortName, resolveModel, suggestModels } from '../src/models/catalogue.js';
import { resolvePlanModel } from '../src/plugin.js';
import type { LlmPlan } from '../src/options.js';

describe('model resolution (short names and families to exact hub ids)', () => {
  it("resolves the seed's family name to the FP8 checkpoint Meta publishes for --quant fp8", () => {
    const r = resolveModel('meta-llama/Llama-4-Maverick', 'fp8');
    expect(r.served).toBe('meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8');
    expect(r.how).toBe('resolved');
    expect(r.given).toBe('meta-llama/Llama-4-Maverick');
  });

  it('resolves short names case-insensitively, and to the default checkpoint without --quant', () => {
    expect(resolveModel('LLAMA-4-maverick', undefined).served).toBe(
      'meta-llama/Llama-4-Maverick-17B-128E-Instruct',
    );
    expect(resolveModel('llama-3.1-8b', 'bf16').served).toBe('meta-llama/Llama-3.1-8B-Instruct');
  });

  it('serves the default checkpoint and says the quant is applied online when no checkpoint is published', () => {
    const r = resolveModel('llama-3.1-8b', 'fp8');
    expect(r.served).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(r.note).toContain('quantizes the default one online');
  });

  it('serves an exact checkpoint id as given, and an unknown hub id untouched', () => {
    expect(resolveModel('meta-llama/Llama-3.1-8B-Instruct', 'fp8')).toMatchObject({
      served: 'meta-llama/Llama-3.1-8B-Instruct',
      how: 'exact',
    });
    expect(resolveModel('my-org/my-finetune', 'fp8')).toMatchObject({
      served: 'my-org/my-finetune',
      how: 'as-given',
    });
  });

  it('names the short form on the Model line for a known checkpoint, the id itself otherwise', () => {
    expect(modelShortName('meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8')).toBe(
      'meta-llama/Llama-4-Maverick',
    );
    expect(modelShortName('llama-3.1-8b')).toBe('llama-3.1-8b');
    expect(modelShortName('my-org/my-finetune')).toBe('my-org/my-finetune');
  });

  it('suggests the nearest families for a misspelt short name', () => {
    expect(suggestModels('llama-4-mavrick')[0]).toBe('meta-llama/Llama-4-Maverick');
    expect(suggestModels('deepsek-v3')[0]).toBe('deepseek-ai/DeepSeek-V3');
    // Far from every known name: no suggestion, so it is served as given (`gpt2` is a hub id too).
    expect(suggestModels('gpt2')).toEqual([]);
    expect(suggestModels('m')).toEqual([]);
  });

  it('resolves the plan of a launched vLLM run, keeps what was given, and refuses an unknown short name with suggestions', () => {
    const plan = { engine: 'vllm', model: 'meta-llama/Llama-4-Maverick', quant: 'fp8' } as LlmPlan;
    expect(resolvePlanModel(plan)).toMatchObject({
      model: 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8',
      modelGiven: 'meta-llama/Llama-4-Maverick',
    });
    // An attached endpoint serves whatever name it has: never renamed.
    const attached = { ...plan, endpoint: 'http://127.0.0.1:1/v1' } as LlmPlan;
    expect(resolvePlanModel(attached).model).toBe('meta-llama/Llama-4-Maverick');
    expect(() => resolvePlanModel({ ...plan, model: 'llama-4-mavrick' } as LlmPlan)).toThrow(
      /unknown model "llama-4-mavrick"/,
    );
    expect(resolvePlanModel({ ...plan, model: 'gpt2' } as LlmPlan).model).toBe('gpt2');
    try {
      resolvePlanModel({ ...plan, model: 'llama-4-mavrick' } as LlmPlan);
    } catch (err) {
      expect((err as { hint?: string }).hint).toContain('meta-llama/Llama-4-Maverick');
    }
  });
});
