import { createReadStream } from 'node:fs';

/** One element of a top-level JSON array, with where its bytes are in the file. */
export interface JsonArrayElement {
  /** Position in the array (0-based). */
  index: number;
  /** Byte offset of the element's first byte, and one past its last. */
  start: number;
  end: number;
  /** The element's raw UTF-8 bytes. */
  bytes: Buffer;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Thrown for a file that is not one JSON array; `offset` is the byte at fault. */
export class JsonArrayError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Split a JSON array into its elements without parsing (or holding) the whole file: a byte scanner
 * tracks string/escape state and nesting depth, and yields each top-level element's bytes. Structural
 * characters are ASCII and never occur inside a multi-byte UTF-8 sequence, so scanning bytes is safe.
 * Each element is only as large as itself in memory; the caller parses it with JSON.parse.
 */
export async function* jsonArrayElements(
  chunks: AsyncIterable<Buffer | string>,
): AsyncGenerator<JsonArrayElement> {
  let offset = 0; // absolute offset of the current chunk's first byte
  let started = false; // saw the opening [
  let finished = false; // saw the closing ]
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false;
  let elemStart = -1; // absolute offset of the element being read, -1 between elements
  let parts: Buffer[] = [];
  let index = 0;
  let expectElement = true; // after [ or a comma

  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let partStart = elemStart >= 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (elemStart >= 0) {
        // Inside an element: only strings, brackets and (at depth 0) the terminating , or ] matter.
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
          continue;
        }
        if (b === QUOTE) inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          if (depth === 0) {
            // The array's own ] ends a primitive element.
            if (b !== CLOSE_BRACKET) throw new JsonArrayError('unbalanced }', offset + i);
            yield finish(i);
            finished = true;
            continue;
          }
          depth--;
          // An object/array element ends when its own closing bracket brings depth back to 0.
          if (depth === 0) yield finish(i + 1);
        } else if (depth === 0 && b === COMMA) {
          yield finish(i);
          expectElement = true;
        }
        continue;
      }
      if (isSpace(b)) continue;
      // A UTF-8 byte order mark (editors on Windows write one) is not part of the JSON.
      if (offset + i === 0 && b === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        i += 2;
        continue;
      }
      if (finished) throw new JsonArrayError('data after the closing ]', offset + i);
      if (!started) {
        if (b !== OPEN_BRACKET) throw new JsonArrayError('the file is not a JSON array', offset + i);
        started = true;
        continue;
      }
      if (b === CLOSE_BRACKET) {
        finished = true;
        continue;
      }
      if (b === COMMA) {
        if (expectElement) throw new JsonArrayError('unexpected ,', offset + i);
        expectElement = true;
        continue;
      }
      if (!expectElement) throw new JsonArrayError('missing , between elements', offset + i);
      // An element begins.
      expectElement = false;
      elemStart = offset + i;
      partStart = i;
      parts = [];
      depth = 0;
      if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth = 1;
    }
    if (elemStart >= 0 && partStart >= 0) parts.push(chunk.subarray(partStart));
    offset += chunk.length;

    function finish(endInChunk: number): JsonArrayElement {
      parts.push(chunk.subarray(partStart, endInChunk));
      const bytes = parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
      const trimmed = trimEnd(bytes);
      const element: JsonArrayElement = {
        index: index++,
        start: elemStart,
        end: elemStart + trimmed.length,
        bytes: trimmed,
      };
      elemStart = -1;
      partStart = -1;
      parts = [];
      depth = 0;
      return element;
    }
  }
  if (elemStart >= 0 || !finished) {
    throw new JsonArrayError(started ? 'the array is not closed (truncated file?)' : 'empty file', offset);
  }
}

function trimEnd(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && isSpace(bytes[end - 1]!)) end--;
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}

/** The elements of the JSON array in a file, read in 1 MiB chunks. */
export function jsonArrayFileElements(path: string): AsyncGenerator<JsonArrayElement> {
  return jsonArrayElements(createReadStream(path, { highWaterMark: 1 << 20 }));
}
