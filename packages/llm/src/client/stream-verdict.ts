/**
 * The end-of-stream decision (SPEC §5): a 200 stream is `ok` only if it delivered at least one content
 * token and ended properly (`[DONE]`, a `finish_reason`, or a complete chunked/length-delimited body).
 * Everything else is a `stream_error` whose reason says which of those was missing.
 */
import type { StreamAccumulator } from './chunk-interpreter.js';

/** Error text kept per request: a server echoing megabytes into its error must not fill the store. */
export const MAX_ERROR_CHARS = 500;

/** The reasons, stable so that tests, docs and users can match them. */
export const STREAM_REASONS = {
  notSse: 'response is not an SSE stream',
  noChoices: 'stream has no `choices`: not an OpenAI-compatible route (does --endpoint end in /v1?)',
  noContent: 'stream ended without a content token',
  cutShort: 'stream ended without [DONE] or a finish_reason (body cut short)',
} as const;

/** Null when the stream is a success, else why it is a `stream_error`. */
export function streamVerdict(
  acc: Pick<StreamAccumulator, 'error' | 'done' | 'finished' | 'sawChoices' | 'chunkTimes'>,
  events: number,
  bodyBytes: number,
  closeDelimited: boolean,
): string | null {
  if (acc.error !== null) return acc.error;
  if (events === 0 && bodyBytes > 0) return STREAM_REASONS.notSse;
  if (acc.chunkTimes.length === 0) {
    // Events other than [DONE] arrived, none with `choices`: llama.cpp's native /completion, for one.
    if (!acc.sawChoices && events > (acc.done ? 1 : 0)) return STREAM_REASONS.noChoices;
    return STREAM_REASONS.noContent;
  }
  // A close-delimited body ends the same way whether it was complete or cut: only the markers tell.
  if (closeDelimited && !acc.done && !acc.finished) return STREAM_REASONS.cutShort;
  return null;
}

/** `text` cut to MAX_ERROR_CHARS (after the key was masked, so no part of a key survives the cut). */
export function capErrorText(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}... (cut)`;
}

/**
 * Seconds a Retry-After header asks for: delta-seconds, or an HTTP-date relative to `nowMs` (never
 * negative); null when it is neither.
 */
export function parseRetryAfterS(value: string, nowMs: number): number | null {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - nowMs) / 1000));
}
