import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BenchError } from 'inferencebench';
import type { PromptItem } from '../types.js';
import type { TokenCounter } from '../tokenizers/index.js';
import { JsonArrayError, jsonArrayFileElements } from './json-array-stream.js';
import { conversationOf } from './sharegpt.js';

/**
 * `--dataset file:PATH`: the user's own prompts, in file order, used as given (no length filters: a
 * user file is often chosen for its lengths). Two formats:
 *  - ShareGPT JSON (an array of `{id, conversations|conversation: [{from, value}...]}`): the same turn as
 *    the canonical subset's step 1 (first message from `human`, second from `gpt`); other conversations are
 *    skipped and counted; the requested output length is the reference reply's token count.
 *  - JSONL: one `{"prompt": "...", "output_len": N}` per line, `output_len` optional (default --output-len).
 * A malformed record is one error line naming the record (array index or line number).
 */

export interface UserFileResult {
  items: PromptItem[];
  format: 'sharegpt-json' | 'jsonl';
  /** Conversations that were well formed but had no human-then-gpt opening, or an empty reply. */
  skipped: number;
}

function bad(path: string, where: string, what: string): BenchError {
  return new BenchError('BENCH_ERR_DATASET', `file:${path} ${where}: ${what}`, {
    hint: 'fix that record (ShareGPT JSON array, or JSONL with a "prompt" string and optional "output_len")',
  });
}

/** Which format a file is in: by extension, else by its first non-blank character. */
export async function detectFormat(path: string): Promise<'sharegpt-json' | 'jsonl'> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'sharegpt-json';
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead).toString('utf8').trimStart()[0];
    return first === '[' ? 'sharegpt-json' : 'jsonl';
  } finally {
    await fh.close();
  }
}

/** Read a user dataset file into prompts, counting tokens with `counter`. */
export async function loadUserFile(
  path: string,
  counter: TokenCounter,
  defaultOutputLen: number,
): Promise<UserFileResult> {
  const st = await stat(path).catch(() => null);
  if (st === null || !st.isFile()) {
    throw new BenchError('BENCH_ERR_DATASET', `file:${path}: no such file`, {
      hint: 'give a path to a ShareGPT JSON or JSONL file, e.g. --dataset file:./prompts.jsonl',
    });
  }
  const format = await detectFormat(path);
  const result =
    format === 'jsonl' ? await readJsonl(path, counter, defaultOutputLen) : await readShareGpt(path, counter);
  if (result.items.length === 0) {
    throw new BenchError('BENCH_ERR_DATASET', `file:${path}: no usable prompts (${result.skipped} skipped)`, {
      hint: 'ShareGPT conversations must open with a "human" message followed by a "gpt" reply',
    });
  }
  return result;
}

async function readJsonl(
  path: string,
  counter: TokenCounter,
  defaultOutputLen: number,
): Promise<UserFileResult> {
  const items: PromptItem[] = [];
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim().length === 0) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (err) {
      throw bad(path, `line ${lineNo}`, `not valid JSON (${(err as Error).message})`);
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw bad(path, `line ${lineNo}`, 'expected a JSON object');
    }
    const o = rec as Record<string, unknown>;
    if (typeof o.prompt !== 'string' || o.prompt.length === 0) {
      throw bad(path, `line ${lineNo}`, '"prompt" must be a non-empty string');
    }
    let outputTokens = defaultOutputLen;
    if (o.output_len !== undefined && o.output_len !== null) {
      if (typeof o.output_len !== 'number' || !Number.isInteger(o.output_len) || o.output_len < 1) {
        throw bad(
          path,
          `line ${lineNo}`,
          `"output_len" must be a positive integer, got ${JSON.stringify(o.output_len)}`,
        );
      }
      outputTokens = o.output_len;
    }
    const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : `line-${lineNo}`;
    items.push({ id, prompt: o.prompt, promptTokens: counter.count(o.prompt), outputTokens });
  }
  return { items, format: 'jsonl', skipped: 0 };
}

async function readShareGpt(path: string, counter: TokenCounter): Promise<UserFileResult> {
  const items: PromptItem[] = [];
  let skipped = 0;
  try {
    for await (const el of jsonArrayFileElements(path)) {
      const where = `record ${el.index}`;
      let rec: unknown;
      try {
        rec = JSON.parse(el.bytes.toString('utf8'));
      } catch (err) {
        throw bad(path, `${where} (byte ${el.start})`, `not valid JSON (${(err as Error).message})`);
      }
      if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
        throw bad(path, where, 'expected a conversation object');
      }
      const o = rec as Record<string, unknown>;
      const named = typeof o.id === 'string' ? `${where} (id ${JSON.stringify(o.id)})` : where;
      const conv = conversationOf(o);
      if (!Array.isArray(conv)) throw bad(path, named, 'no "conversations" (or "conversation") array');
      conv.forEach((m, i) => {
        const msg = m as Record<string, unknown> | null;
        if (
          msg === null ||
          typeof msg !== 'object' ||
          typeof msg.from !== 'string' ||
          typeof msg.value !== 'string'
        ) {
          throw bad(path, named, `message ${i} needs string "from" and "value"`);
        }
      });
      const [a, b] = conv as { from: string; value: string }[];
      if (a === undefined || b === undefined || a.from !== 'human' || b.from !== 'gpt') {
        skipped++;
        continue;
      }
      const outputTokens = counter.count(b.value);
      // An empty reply gives nothing to ask for; such turns are skipped, not an error.
      if (outputTokens < 1 || a.value.length === 0) {
        skipped++;
        continue;
      }
      const id = typeof o.id === 'string' ? o.id : `record-${el.index}`;
      items.push({ id, prompt: a.value, promptTokens: counter.count(a.value), outputTokens });
    }
  } catch (err) {
    if (err instanceof JsonArrayError) {
      throw bad(path, `at byte ${err.offset}`, `${err.message} (expected a JSON array of conversations)`);
    }
    throw err;
  }
  return { items, format: 'sharegpt-json', skipped };
}
