import { createHash } from 'node:crypto';
import { BenchError, type Progress, type Rng } from 'inferencebench';
import { cacheDir } from '../hub/cache-home.js';
import { hubDownload, sha256File } from '../hub/download.js';
import { createTokenCounter, type TokenCounter } from '../tokenizers/index.js';
import type { LoadedDataset, PromptItem } from '../types.js';
import type { LlmPlan } from '../options.js';
import { shareGptEntry } from './catalog.js';
import {
  buildShareGptSubset,
  readSubsetCache,
  SUBSET_PROCEDURE,
  SUBSET_SIZE,
  type SubsetEntry,
  type SubsetMeta,
  subsetDir,
  writeSubsetCache,
} from './sharegpt.js';
import { syntheticItems } from './synthetic.js';
import { loadUserFile } from './user-file.js';

export { datasetCommands } from './commands.js';

/** What a dataset needs from the plan. */
export type DatasetOptions = Pick<
  LlmPlan,
  | 'dataset'
  | 'model'
  | 'seed'
  | 'inputLen'
  | 'outputLen'
  | 'lengthDist'
  | 'inputLenSpread'
  | 'outputLenSpread'
  | 'tokenizer'
  | 'datasetRevision'
>;

export interface DatasetContext {
  rng: Rng;
  progress: Progress;
  signal: AbortSignal;
}

/** The dataset ids accepted by `--dataset` (plus `file:PATH`). */
export const DATASET_IDS = ['sharegpt-v3', 'synthetic'] as const;

const counters = new Map<string, Promise<TokenCounter>>();

/**
 * The token counter a dataset uses (and the driver's fallback count when a server sends no usage). Loaded
 * once per process for the same options, so `loadDataset` and the driver share one tokenizer.
 */
export function datasetTokenCounter(
  options: Pick<DatasetOptions, 'dataset' | 'model' | 'tokenizer'>,
  ctx: Partial<Pick<DatasetContext, 'progress' | 'signal'>> = {},
): Promise<TokenCounter> {
  // Only synthetic prompts may quietly (with a note) use `words` when no tokenizer is cached.
  const cachedOnly = options.dataset === 'synthetic' && options.tokenizer === undefined;
  const key = JSON.stringify([options.tokenizer, options.model, cachedOnly, cacheDir('tokenizers')]);
  let counter = counters.get(key);
  if (counter === undefined) {
    counter = createTokenCounter(
      {
        ...(options.tokenizer !== undefined ? { tokenizer: options.tokenizer } : {}),
        model: options.model,
        cachedOnly,
      },
      ctx,
    );
    counters.set(key, counter);
    counter.catch(() => counters.delete(key));
  }
  return counter;
}

/**
 * Resolve `--dataset` into prompts: `synthetic` (generated from the seed in real tokens), `sharegpt-v3`
 * (the canonical 10,000-turn subset, SPEC §11) or `file:PATH` (the user's ShareGPT JSON or JSONL).
 * Token counts come from the model's tokenizer (`--tokenizer` to choose another, `words` to approximate).
 */
export async function loadDataset(options: DatasetOptions, ctx: DatasetContext): Promise<LoadedDataset> {
  if (options.dataset === 'synthetic') return loadSynthetic(options, ctx);
  if (options.dataset === 'sharegpt-v3') return loadShareGpt(options, ctx);
  if (options.dataset.startsWith('file:')) return loadFile(options, ctx);
  throw new BenchError('BENCH_ERR_DATASET', `unknown dataset "${options.dataset}"`, {
    hint: 'use sharegpt-v3, synthetic, or file:PATH (see `bench datasets`)',
  });
}

async function loadSynthetic(options: DatasetOptions, ctx: DatasetContext): Promise<LoadedDataset> {
  const counter = await datasetTokenCounter(options, ctx);
  const items = syntheticItems(ctx.rng.fork('dataset:synthetic'), counter, options);
  return {
    id: 'synthetic',
    checksum: itemsChecksum(items),
    tokenizer: counter.name,
    items,
    meta: {
      lengthDist: options.lengthDist,
      inputLen: options.inputLen,
      outputLen: options.outputLen,
      inputLenSpread: options.inputLenSpread,
      outputLenSpread: options.outputLenSpread,
      tokenizerApproximate: counter.approximate,
      tokenizerSha256: counter.sha256,
    },
  };
}

/** The canonical subset for a tokenizer: from its cache, or built (downloading the file if needed). */
export async function shareGptSubset(
  options: Pick<DatasetOptions, 'model' | 'tokenizer' | 'datasetRevision'>,
  ctx: Pick<DatasetContext, 'progress' | 'signal'>,
): Promise<{ entries: SubsetEntry[]; meta: SubsetMeta; counter: TokenCounter; fromCache: boolean }> {
  const entry = shareGptEntry();
  const revision = options.datasetRevision ?? entry.revision;
  const counter = await datasetTokenCounter({ ...options, dataset: 'sharegpt-v3' }, ctx);
  const datasets = cacheDir('datasets');
  const dir = subsetDir(datasets, revision, counter);
  const cached = await readSubsetCache(dir);
  if (cached !== null) return { ...cached, counter, fromCache: true };

  const file = await hubDownload({
    repo: entry.repo,
    repoType: 'dataset',
    revision,
    file: entry.file,
    cacheRoot: datasets,
    errorCode: 'BENCH_ERR_DATASET',
    fallbackHint: 'use --dataset synthetic',
    // The shipped checksum belongs to the shipped revision only.
    ...(revision === entry.revision ? { expectedSha256: entry.sha256 } : {}),
    progress: ctx.progress,
    signal: ctx.signal,
  });
  const entries = await buildShareGptSubset(file.path, counter, {
    progress: ctx.progress,
    signal: ctx.signal,
  });
  if (entries.length < SUBSET_SIZE) {
    ctx.progress.warn(
      `sharegpt-v3: only ${entries.length} turns pass the length filters (subset size ${SUBSET_SIZE})`,
    );
  }
  const meta = await writeSubsetCache(dir, entries, {
    procedure: SUBSET_PROCEDURE,
    revision,
    sourceUrl: file.url,
    sourceCommit: file.commit,
    sourceSha256: file.sha256,
    tokenizer: counter.name,
    tokenizerSha256: counter.sha256,
  });
  ctx.progress.note(
    `sharegpt-v3: built the subset (${entries.length} turns, tokenizer ${counter.name}) in ${dir}`,
  );
  return { entries, meta, counter, fromCache: false };
}

async function loadShareGpt(options: DatasetOptions, ctx: DatasetContext): Promise<LoadedDataset> {
  const { entries, meta, counter, fromCache } = await shareGptSubset(options, ctx);
  const items: PromptItem[] = entries.map((e) => ({
    id: e.id,
    prompt: e.prompt,
    promptTokens: e.promptTokens,
    outputTokens: e.outputTokens,
  }));
  return {
    id: 'sharegpt-v3',
    checksum: meta.sha256,
    tokenizer: counter.name,
    items,
    meta: {
      revision: meta.revision,
      sourceUrl: meta.sourceUrl,
      sourceCommit: meta.sourceCommit,
      sourceSha256: meta.sourceSha256,
      procedure: meta.procedure,
      subsetSize: meta.count,
      subsetFromCache: fromCache,
      tokenizerApproximate: counter.approximate,
      tokenizerSha256: counter.sha256,
    },
  };
}

async function loadFile(options: DatasetOptions, ctx: DatasetContext): Promise<LoadedDataset> {
  const path = options.dataset.slice('file:'.length);
  if (path.length === 0) {
    throw new BenchError('BENCH_ERR_DATASET', 'file: needs a path', {
      hint: 'e.g. --dataset file:./prompts.jsonl',
    });
  }
  const counter = await datasetTokenCounter(options, ctx);
  const result = await loadUserFile(path, counter, options.outputLen);
  if (result.skipped > 0) {
    ctx.progress.note(
      `${options.dataset}: ${result.skipped} conversations skipped (no human-then-gpt opening)`,
    );
  }
  return {
    id: options.dataset,
    checksum: await sha256File(path),
    tokenizer: counter.name,
    items: result.items,
    meta: {
      format: result.format,
      skipped: result.skipped,
      tokenizerApproximate: counter.approximate,
      tokenizerSha256: counter.sha256,
    },
  };
}

function itemsChecksum(items: PromptItem[]): string {
  const hash = createHash('sha256');
  for (const it of items)
    hash.update(`${JSON.stringify([it.id, it.promptTokens, it.outputTokens, it.prompt])}\n`);
  return hash.digest('hex');
}
