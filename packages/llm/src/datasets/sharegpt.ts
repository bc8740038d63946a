import { createHash } from 'node:crypto';
import { open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError, type Progress } from 'inferencebench';
import type { TokenCounter } from '../tokenizers/index.js';
import { jsonArrayFileElements } from './json-array-stream.js';

/**
 * The canonical ShareGPT subset (SPEC §11). Steps, so that any implementation gets the same list:
 *  1. a conversation qualifies when its `conversations` (or `conversation`) array has >= 2 entries, the
 *     first `from: "human"`, the second `from: "gpt"`; its turn is (prompt = first value, reference output
 *     = second value), identified by the conversation's `id`;
 *  2. turns are ordered by the lowercase hex sha256 of the UTF-8 id, ascending; ties keep file order;
 *  3. walking that order, a turn is dropped when the prompt has < 4 or > 1024 tokens, the output < 4, or
 *     prompt + output > 2048 (the model's tokenizer, no special tokens);
 *  4. the first 10,000 that remain are the subset.
 */

/** Version of the procedure; part of the cache metadata so a change rebuilds every cached subset. */
export const SUBSET_PROCEDURE = 'sharegpt-v3-subset/1';
export const SUBSET_SIZE = 10_000;
export const MIN_PROMPT_TOKENS = 4;
export const MAX_PROMPT_TOKENS = 1024;
export const MIN_OUTPUT_TOKENS = 4;
export const MAX_TOTAL_TOKENS = 2048;

/** The first human/gpt exchange of a conversation. */
export interface ShareGptTurn {
  id: string;
  prompt: string;
  output: string;
}

/** One turn of the subset, with its token counts. */
export interface SubsetEntry {
  id: string;
  prompt: string;
  promptTokens: number;
  outputTokens: number;
}

/** The conversation array of a record (`conversations` first, then `conversation`), or undefined. */
export function conversationOf(record: Record<string, unknown>): unknown {
  return Array.isArray(record.conversations) ? record.conversations : record.conversation;
}

/** Step 1: the record's turn, or null when it does not qualify. */
export function firstTurn(record: unknown): ShareGptTurn | null {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return null;
  const rec = record as Record<string, unknown>;
  const conv = conversationOf(rec);
  if (typeof rec.id !== 'string' || !Array.isArray(conv) || conv.length < 2) return null;
  const [a, b] = conv as unknown[];
  if (!isMessage(a) || !isMessage(b) || a.from !== 'human' || b.from !== 'gpt') return null;
  return { id: rec.id, prompt: a.value, output: b.value };
}

function isMessage(m: unknown): m is { from: string; value: string } {
  if (m === null || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  return typeof o.from === 'string' && typeof o.value === 'string';
}

/** Step 2's key: lowercase hex sha256 of the UTF-8 id. */
export function idHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/** Step 3: does a turn with these counts stay? */
export function keepsLengths(promptTokens: number, outputTokens: number): boolean {
  return (
    promptTokens >= MIN_PROMPT_TOKENS &&
    promptTokens <= MAX_PROMPT_TOKENS &&
    outputTokens >= MIN_OUTPUT_TOKENS &&
    promptTokens + outputTokens <= MAX_TOTAL_TOKENS
  );
}

interface Candidate {
  hash: string;
  index: number;
  start: number;
  end: number;
}

/**
 * Build the subset from a ShareGPT JSON file. Memory stays small: the first pass keeps only each
 * qualifying turn's hash and byte range; the second reads back just the turns it walks through.
 */
export async function buildShareGptSubset(
  path: string,
  counter: TokenCounter,
  options: { limit?: number; progress?: Progress; signal?: AbortSignal } = {},
): Promise<SubsetEntry[]> {
  const limit = options.limit ?? SUBSET_SIZE;
  const progress = options.progress;
  const candidates: Candidate[] = [];
  progress?.phase('sharegpt: scanning conversations');
  for await (const el of jsonArrayFileElements(path)) {
    if (options.signal?.aborted) throw new BenchError('BENCH_ERR_ABORTED', 'interrupted');
    let record: unknown;
    try {
      record = JSON.parse(el.bytes.toString('utf8'));
    } catch (err) {
      throw new BenchError(
        'BENCH_ERR_DATASET',
        `${path}: record ${el.index} (byte ${el.start}) is not valid JSON: ${(err as Error).message}`,
        { hint: 'the cached file is damaged: remove it and run again' },
      );
    }
    const turn = firstTurn(record);
    if (turn !== null)
      candidates.push({ hash: idHash(turn.id), index: el.index, start: el.start, end: el.end });
  }
  // Ties (duplicate ids) keep file order: compare the element index when hashes are equal.
  candidates.sort((x, y) => (x.hash < y.hash ? -1 : x.hash > y.hash ? 1 : x.index - y.index));

  const kept: SubsetEntry[] = [];
  const fh = await open(path, 'r');
  try {
    progress?.phase(`sharegpt: counting tokens (${counter.name})`, limit);
    for (const c of candidates) {
      if (kept.length >= limit) break;
      if (options.signal?.aborted) throw new BenchError('BENCH_ERR_ABORTED', 'interrupted');
      const buf = Buffer.alloc(c.end - c.start);
      await fh.read(buf, 0, buf.length, c.start);
      const turn = firstTurn(JSON.parse(buf.toString('utf8')))!;
      const promptTokens = counter.count(turn.prompt);
      // The prompt alone can rule the turn out; the output is counted only when it might stay.
      if (promptTokens < MIN_PROMPT_TOKENS || promptTokens > MAX_PROMPT_TOKENS) continue;
      const outputTokens = counter.count(turn.output);
      if (!keepsLengths(promptTokens, outputTokens)) continue;
      kept.push({ id: turn.id, prompt: turn.prompt, promptTokens, outputTokens });
      progress?.update(kept.length, limit);
    }
  } finally {
    await fh.close();
  }
  progress?.done();
  return kept;
}

/** What is stored beside a cached subset. */
export interface SubsetMeta {
  procedure: string;
  revision: string;
  sourceUrl: string;
  /** X-Repo-Commit the revision resolved to when the file was downloaded. */
  sourceCommit: string | null;
  sourceSha256: string;
  tokenizer: string;
  tokenizerSha256: string | null;
  count: number;
  /** sha256 of subset.jsonl. */
  sha256: string;
  builtAt: string;
}

/** Directory name of a tokenizer in the subset cache. */
export function tokenizerKey(counter: TokenCounter): string {
  if (counter.sha256 === null) return 'words';
  return `${counter.name.replace(/[^\w.-]+/g, '--')}-${counter.sha256.slice(0, 12)}`;
}

/** `<datasets cache>/subsets/sharegpt-v3/<revision>/<tokenizer key>/`. */
export function subsetDir(datasetsCache: string, revision: string, counter: TokenCounter): string {
  return join(datasetsCache, 'subsets', 'sharegpt-v3', encodeURIComponent(revision), tokenizerKey(counter));
}

/** One JSONL line per turn, in order: id, prompt_tokens, output_tokens, prompt. */
export function subsetToJsonl(entries: SubsetEntry[]): string {
  let out = '';
  for (const e of entries) {
    out += `${JSON.stringify({ id: e.id, prompt_tokens: e.promptTokens, output_tokens: e.outputTokens, prompt: e.prompt })}\n`;
  }
  return out;
}

/** Write a subset and its metadata (written last, so a crash leaves no valid-looking half cache). */
export async function writeSubsetCache(
  dir: string,
  entries: SubsetEntry[],
  meta: Omit<SubsetMeta, 'sha256' | 'count' | 'builtAt'>,
): Promise<SubsetMeta> {
  await mkdir(dir, { recursive: true });
  const text = subsetToJsonl(entries);
  const sha256 = createHash('sha256').update(text).digest('hex');
  await writeFile(join(dir, 'subset.jsonl.tmp'), text);
  await rename(join(dir, 'subset.jsonl.tmp'), join(dir, 'subset.jsonl'));
  const full: SubsetMeta = { ...meta, count: entries.length, sha256, builtAt: new Date().toISOString() };
  await writeFile(join(dir, 'subset.meta.json'), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

/** A cached subset when it is there, complete and unchanged (checksum), else null. */
export async function readSubsetCache(
  dir: string,
): Promise<{ entries: SubsetEntry[]; meta: SubsetMeta } | null> {
  const meta = await readFile(join(dir, 'subset.meta.json'), 'utf8')
    .then((t) => JSON.parse(t) as SubsetMeta)
    .catch(() => null);
  if (meta === null || meta.procedure !== SUBSET_PROCEDURE) return null;
  if ((await stat(join(dir, 'subset.jsonl')).catch(() => null)) === null) return null;
  const text = await readFile(join(dir, 'subset.jsonl'), 'utf8');
  if (createHash('sha256').update(text).digest('hex') !== meta.sha256) return null;
  const entries: SubsetEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const o = JSON.parse(line) as {
      id: string;
      prompt: string;
      prompt_tokens: number;
      output_tokens: number;
    };
    entries.push({
      id: o.id,
      prompt: o.prompt,
      promptTokens: o.prompt_tokens,
      outputTokens: o.output_tokens,
    });
  }
  return { entries, meta };
}
