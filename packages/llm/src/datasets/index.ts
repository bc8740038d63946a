import { BenchError, type Progress, type Rng } from 'inferencebench';
import type { LoadedDataset } from '../types.js';

/** What a dataset needs from the plan. */
export interface DatasetOptions {
  dataset: string;
  model: string;
  seed: number;
  inputLen: number;
  outputLen: number;
  lengthDist: 'fixed' | 'uniform' | 'normal';
  inputLenSpread: number;
  outputLenSpread: number;
  tokenizer?: string;
  datasetRevision?: string;
}

export interface DatasetContext {
  rng: Rng;
  progress: Progress;
  signal: AbortSignal;
}

/**
 * Resolve `--dataset` into prompts. (First cut: `synthetic` with word-approximated lengths; the datasets
 * issue replaces this with real tokenizers, sharegpt-v3 and user files, keeping this signature.)
 */
export async function loadDataset(options: DatasetOptions, ctx: DatasetContext): Promise<LoadedDataset> {
  if (options.dataset !== 'synthetic') {
    throw new BenchError('BENCH_ERR_DATASET', `dataset "${options.dataset}" is not available yet`, {
      hint: 'use --dataset synthetic',
    });
  }
  const rng = ctx.rng.fork('dataset:synthetic');
  const items = [];
  for (let i = 0; i < 1000; i++) {
    const words: string[] = [];
    for (let w = 0; w < options.inputLen; w++) words.push(WORDS[rng.int(WORDS.length)]!);
    items.push({
      id: `synthetic-${i}`,
      prompt: words.join(' '),
      promptTokens: options.inputLen,
      outputTokens: options.outputLen,
    });
  }
  return { id: 'synthetic', checksum: null, tokenizer: 'words', items, meta: {} };
}

const WORDS = [
  'the',
  'model',
  'serves',
  'tokens',
  'quickly',
  'while',
  'batching',
  'many',
  'requests',
  'under',
  'load',
];
