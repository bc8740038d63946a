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

/** Longest output length a record may ask for (tokens): beyond any model's context. */
export const MAX_OUTPUT_LEN = 1_048_576;

/**
 * `text` safe to print on one line: control characters, invalid UTF-8 (U+FFFD) and other unprintable
 * code points as escapes, at most `max` characters, so a binary file never lands raw in an error line.
 */
export function printable(text: string, max = 80): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const shown =
      cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || cp === 0xfffd || cp === 0xfeff
        ? cp === 0xfffd
          ? '\\ufffd'
          : `\\x${cp.toString(16).padStart(2, '0')}`
        : ch;
    if (out.length + shown.length > max) return `${out}...`;
    out += shown;
  }
  return out;
}

function bad(path: string, where: string, what: string): BenchError {
  return new BenchError('BENCH_ERR_DATASET', `file:${path} ${where}: ${printable(what, 160)}`, {
    hint: 'fix that record (ShareGPT JSON array, or JSONL with a "prompt" string and optional "output_len")',
  });
}

function notUsable(path: string, what: string, hint: string): BenchError {
  return new BenchError('BENCH_ERR_DATASET', `file:${path}: ${what}`, { hint });
}

const FILE_HINT = 'give a ShareGPT JSON or JSONL file, e.g. --dataset file:./prompts.jsonl';

/**
 * What kind of thing `path` is, checked before anything starts and without reading more than its first
 * 64 KiB: a missing path, a directory, a FIFO or a device (`/dev/zero` would never end, a FIFO blocks),
 * an empty file, a binary or compressed file, or text that is not JSON each get their own line. A
 * FIFO or device is never opened.
 */
export async function checkUserFile(path: string): Promise<void> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) {
    if (st.code === 'ENOENT' || st.code === 'ENOTDIR') throw notUsable(path, 'no such file', FILE_HINT);
    throw notUsable(path, `cannot read it (${st.code ?? st.message})`, 'check its permissions');
  }
  if (st.isDirectory()) throw notUsable(path, 'is a directory, not a file', FILE_HINT);
  if (st.isFIFO())
    throw notUsable(path, 'is a named pipe (FIFO), not a regular file', 'save the prompts to a file first');
  if (st.isCharacterDevice() || st.isBlockDevice())
    throw notUsable(path, 'is a device, not a regular file', FILE_HINT);
  if (!st.isFile()) throw notUsable(path, 'is not a regular file', FILE_HINT);
  if (st.size === 0) throw notUsable(path, 'is empty', FILE_HINT);
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => err);
  if (fh instanceof Error)
    throw notUsable(path, `cannot read it (${fh.code ?? fh.message})`, 'check its permissions');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(st.size, 65_536));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (head[0] === 0x1f && head[1] === 0x8b)
    throw notUsable(path, 'is gzip-compressed', `decompress it first (gunzip -k ${path})`);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    throw notUsable(path, 'is UTF-16 text', 'save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)');
  let text: string;
  try {
    // `stream: true`: a multi-byte character cut at the 64 KiB edge is not an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    text = '';
  }
  if (text === '' || text.includes('\0')) throw notUsable(path, 'is binary, not UTF-8 text', FILE_HINT);
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.length === 0 && st.size <= head.length)
    throw notUsable(path, 'is empty (only blank space)', FILE_HINT);
  const first = body[0];
  if (first !== undefined && first !== '[' && first !== '{')
    throw notUsable(
      path,
      `is not JSON (it starts with "${printable(body.split(/\r?\n/)[0]!.slice(0, 24), 40)}")`,
      'a ShareGPT JSON file starts with [ and a JSONL file has one {...} object per line',
    );
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
  await checkUserFile(path);
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
  for await (const read of lines) {
    lineNo++;
    // A UTF-8 byte order mark is not part of the first record.
    const line = lineNo === 1 ? read.replace(/^\uFEFF/, '') : read;
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
      if (
        typeof o.output_len !== 'number' ||
        !Number.isInteger(o.output_len) ||
        o.output_len < 1 ||
        o.output_len > MAX_OUTPUT_LEN
      ) {
        throw bad(
          path,
          `line ${lineNo}`,
          `"output_len" must be a positive integer (at most ${MAX_OUTPUT_LEN} tokens), got ${JSON.stringify(o.output_len)}`,
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
