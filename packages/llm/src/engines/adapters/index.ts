import type { EngineAdapter } from './base.js';
import { LlamaCppAdapter } from './llama-cpp.js';
import { MlxAdapter } from './mlx.js';
import { SglangAdapter } from './sglang.js';
import { SimAdapter } from './sim.js';
import { TrtllmAdapter } from './trtllm.js';
import { VllmAdapter } from './vllm.js';

/** Engines that can be launched (everything but `openai`, which is attach-only). */
export const LAUNCHABLE_ENGINES = ['vllm', 'sglang', 'trtllm', 'llama.cpp', 'mlx', 'sim'] as const;

/** The adapter for an engine name, or null when the name is unknown or attach-only. */
export function createAdapter(engine: string, model: string): EngineAdapter | null {
  switch (engine) {
    case 'vllm':
      return new VllmAdapter();
    case 'sglang':
      return new SglangAdapter();
    case 'trtllm':
      return new TrtllmAdapter();
    case 'llama.cpp':
      return new LlamaCppAdapter();
    case 'mlx':
      return new MlxAdapter(model);
    case 'sim':
      return new SimAdapter();
    default:
      return null;
  }
}
