import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { BenchError, type Progress } from 'inferencebench';
import { cacheDir } from '../hub/cache-home.js';
import { hubCachePath, hubDownload, hubDownloadIfExists } from '../hub/download.js';

/** Counts tokens the way the model being benchmarked does (or approximately, for `words`). */
export interface TokenCounter {
  /** The hub id of the tokenizer, or `words (approximate)`. */
  name: string;
  /** True for the `words` approximation. */
  approximate: boolean;
  /** sha256 of tokenizer.json (null for `words`); part of every cache key built from counts. */
  sha256: string | null;
  /** Tokens in `text`, no special tokens added. */
  count(text: string): number;
  /** Token ids of `text` (no special tokens); null for `words`, which has no ids. */
  encode(text: string): number[] | null;
}

/** Name of the labelled approximation. */
export const WORDS_TOKENIZER = 'words';
const WORDS_LABEL = 'words (approximate)';

export interface TokenCounterOptions {
  /** `--tokenizer`: a hub id, a known short name, or `words`. */
  tokenizer?: string;
  /** `--model`: the default when `--tokenizer` is not given. */
  model?: string;
  /** Hub revision of the tokenizer repository (default `main`). */
  revision?: string;
  /**
   * With no `--tokenizer`, use the model's tokenizer only if it is already cached, else `words` with a
   * one-line note (and no request): so `--dataset synthetic` never needs the network unless asked.
   */
  cachedOnly?: boolean;
}

export interface TokenCounterContext {
  progress?: Progress;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/**
 * Whitespace-separated words: the labelled approximation (`--tokenizer words`). One word counts one token;
 * real tokenizers give about 1.3 tokens per English word, so counts are low by that much on prose.
 * Plain words were chosen over a scaled estimate because prompts built from words then have exact
 * counts in this measure, and the label says it is not the model's count.
 */
export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

/** The `words` counter. */
export function wordsCounter(): TokenCounter {
  return { name: WORDS_LABEL, approximate: true, sha256: null, count: countWords, encode: () => null };
}

let aliasCache: Record<string, string> | null = null;

/** Known short model names (the simulator's `llama-3.1-8b`...) mapped to hub ids. */
export function tokenizerAliases(): Record<string, string> {
  if (aliasCache === null) {
    const raw = readFileSync(new URL('../../data/tokenizer-aliases.json', import.meta.url), 'utf8');
    aliasCache = (JSON.parse(raw) as { aliases: Record<string, string> }).aliases;
  }
  return aliasCache;
}

/** Hub id for a model or tokenizer name (aliases applied), or null when it is not a hub id. */
export function tokenizerHubId(name: string): string | null {
  if (/^[\w.-]+\/[\w.-]+$/.test(name)) return name;
  const lower = name.toLowerCase();
  // Longest alias that is the whole name or a dash-separated prefix (`llama-3.1-8b-h100-bf16`, a sim profile).
  let best: string | null = null;
  for (const key of Object.keys(tokenizerAliases())) {
    if ((lower === key || lower.startsWith(`${key}-`)) && (best === null || key.length > best.length))
      best = key;
  }
  return best === null ? null : tokenizerAliases()[best]!;
}

/** A counter from a parsed tokenizer.json (and tokenizer_config.json). */
export function tokenizerFromJson(
  name: string,
  tokenizerJson: object,
  config: object,
  sha256: string | null,
): TokenCounter {
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(tokenizerJson, config);
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_TOKENIZER',
      `cannot load the tokenizer of ${name}: ${(err as Error).message}`,
      {
        hint: 'use --tokenizer <another hub id>, or --tokenizer words',
      },
    );
  }
  const encode = (text: string): number[] => tok.encode(text, { add_special_tokens: false }).ids;
  return { name, approximate: false, sha256, count: (text) => encode(text).length, encode };
}

/**
 * The token counter for a run: `--tokenizer` (a hub id, a short name, or `words`), else the model's
 * tokenizer. Offline with a cold cache this is a clear error unless the user chose `words`; the one
 * exception is `cachedOnly` (synthetic prompts with no `--tokenizer`), which says on one line that it
 * falls back to `words`.
 */
export async function createTokenCounter(
  options: TokenCounterOptions,
  ctx: TokenCounterContext = {},
): Promise<TokenCounter> {
  const requested = options.tokenizer ?? options.model;
  if (requested === undefined || requested.length === 0) {
    throw new BenchError('BENCH_ERR_TOKENIZER', 'no tokenizer: neither --tokenizer nor --model was given', {
      hint: 'pass --tokenizer <hub id>, or --tokenizer words',
    });
  }
  if (requested === WORDS_TOKENIZER) return wordsCounter();
  const hubId = tokenizerHubId(requested);
  const revision = options.revision ?? 'main';
  const env = ctx.env ?? process.env;
  const useWords = (why: string): TokenCounter => {
    ctx.progress?.note(`tokenizer: ${WORDS_LABEL}: ${why}`);
    return wordsCounter();
  };
  if (hubId === null) {
    if (options.tokenizer === undefined && options.cachedOnly) {
      return useWords(
        `model "${requested}" has no known hub tokenizer; pass --tokenizer <hub id> for real tokens`,
      );
    }
    throw new BenchError(
      'BENCH_ERR_TOKENIZER',
      `"${requested}" is not a hub id (owner/name) nor a known model name, so its tokenizer cannot be found`,
      { hint: 'pass --tokenizer <owner/name> (the model on the Hugging Face hub), or --tokenizer words' },
    );
  }
  const root = cacheDir('tokenizers', env);
  if (options.tokenizer === undefined && options.cachedOnly) {
    const path = hubCachePath(root, hubId, revision, 'tokenizer.json');
    if ((await stat(path).catch(() => null)) === null) {
      return useWords(`no cached tokenizer for ${hubId}; pass --tokenizer ${hubId} to download it`);
    }
  }
  return loadHubTokenizer(hubId, revision, ctx);
}

/** Load `tokenizer.json` (+ `tokenizer_config.json` when the repo has one) of a hub model, cached. */
export async function loadHubTokenizer(
  hubId: string,
  revision: string,
  ctx: TokenCounterContext = {},
): Promise<TokenCounter> {
  const env = ctx.env ?? process.env;
  const common = {
    repo: hubId,
    repoType: 'model' as const,
    revision,
    cacheRoot: cacheDir('tokenizers', env),
    errorCode: 'BENCH_ERR_TOKENIZER' as const,
    fallbackHint: 'use --tokenizer words (a labelled approximation)',
    env,
    ...(ctx.progress !== undefined ? { progress: ctx.progress } : {}),
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
  };
  const tokenizerFile = await hubDownload({ ...common, file: 'tokenizer.json' }).catch((err: unknown) => {
    throw withUngatedHint(err, hubId);
  });
  const configFile = await hubDownloadIfExists({ ...common, file: 'tokenizer_config.json' });
  const tokenizerText = await readFile(tokenizerFile.path, 'utf8');
  const configText = configFile !== null ? await readFile(configFile.path, 'utf8') : '{}';
  let tokenizerJson: object;
  let config: object;
  try {
    tokenizerJson = JSON.parse(tokenizerText) as object;
    config = JSON.parse(configText) as object;
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_TOKENIZER',
      `the tokenizer files of ${hubId} are not valid JSON (${(err as Error).message}): ${tokenizerFile.path}`,
      { hint: 'remove the cached file and run again, or use --tokenizer words' },
    );
  }
  const sha256 = tokenizerFile.sha256 || createHash('sha256').update(tokenizerText).digest('hex');
  return tokenizerFromJson(hubId, tokenizerJson, config, sha256);
}

function withUngatedHint(err: unknown, hubId: string): unknown {
  if (err instanceof BenchError && hubId.startsWith('meta-llama/') && /gated|private/.test(err.message)) {
    return new BenchError(err.code, err.message, {
      hint: `set HF_TOKEN (after accepting the licence), or use the same tokenizer from an ungated copy: --tokenizer unsloth/${hubId.slice('meta-llama/'.length)}`,
    });
  }
  return err;
}
