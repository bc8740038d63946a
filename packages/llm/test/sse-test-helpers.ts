// Helpers shared by the sse-parser tests: feed chunks, collect events and stream results.
import { interpretEvent, StreamAccumulator } from '../src/client/chunk-interpreter.js';
import { SseParser } from '../src/client/sse-parser.js';

export interface CollectedEvent {
  kind: number;
  data: string;
  arrivalMs: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Encodes text as bytes. */
export function bytes(text: string): Uint8Array {
  return enc.encode(text);
}

/** Feeds `chunks` (chunk i arrives at time i) and returns the dispatched events. */
export function collectEvents(chunks: (string | Uint8Array)[], endAtMs = chunks.length): CollectedEvent[] {
  const events: CollectedEvent[] = [];
  const parser = new SseParser((kind, buf, start, end, arrivalMs) => {
    events.push({ kind, data: dec.decode(buf.subarray(start, end)), arrivalMs });
  });
  chunks.forEach((c, i) => {
    parser.push(typeof c === 'string' ? bytes(c) : c, i);
  });
  parser.end(endAtMs);
  return events;
}

/** Parses and interprets a whole stream given as chunks (chunk i arrives at time i). */
export function interpretStream(chunks: (string | Uint8Array)[]): StreamAccumulator {
  const acc = new StreamAccumulator();
  const parser = new SseParser((kind, buf, start, end, arrivalMs) =>
    interpretEvent(acc, kind, buf, start, end, arrivalMs),
  );
  chunks.forEach((c, i) => {
    parser.push(typeof c === 'string' ? bytes(c) : c, i);
  });
  parser.end(chunks.length);
  return acc;
}

/** A chat content chunk as vLLM writes it. */
export function chatChunk(content: string, extra = ''): string {
  return `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]${extra}}\n\n`;
}
