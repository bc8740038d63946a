/**
 * Deterministic stand-ins for a tokenizer: prompt token counts from word counts, generated text as words.
 */
import type { Rng } from 'inferencebench';

/** Extra tokens a chat template adds per message (role header and separators). */
export const CHAT_TOKENS_PER_MESSAGE = 4;

/** Number of whitespace-separated words. */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

/** Prompt tokens of a text: round(words x 1.3), at least 1. */
export function textTokens(text: string): number {
  return Math.max(1, Math.round(countWords(text) * 1.3));
}

/**
 * Prompt tokens of a completions `prompt`: a string by the word rule, an array of token ids by its
 * length, an array of strings summed.
 */
export function completionPromptTokens(prompt: unknown): number | null {
  if (typeof prompt === 'string') return prompt.length === 0 ? null : textTokens(prompt);
  if (Array.isArray(prompt) && prompt.length > 0) {
    if (prompt.every((x) => typeof x === 'number')) return prompt.length;
    if (prompt.every((x) => typeof x === 'string')) return prompt.reduce((n, s) => n + textTokens(s), 0);
    if (prompt.every((x) => Array.isArray(x))) return prompt.reduce((n, a) => n + (a as unknown[]).length, 0);
  }
  return null;
}

/** Prompt tokens of chat `messages`: each message's content by the word rule plus the template overhead. */
export function chatPromptTokens(messages: unknown): number | null {
  if (!Array.isArray(messages) || messages.length === 0) return null;
  let total = 0;
  for (const m of messages) {
    if (typeof m !== 'object' || m === null) return null;
    const content = (m as { content?: unknown }).content;
    let text = '';
    if (typeof content === 'string') text = content;
    else if (Array.isArray(content)) {
      // OpenAI content parts: only text parts count.
      text = content
        .map((p) => (typeof p === 'object' && p && 'text' in p ? String((p as { text: unknown }).text) : ''))
        .join(' ');
    }
    total += countWords(text) === 0 ? 0 : textTokens(text);
    total += CHAT_TOKENS_PER_MESSAGE;
  }
  return total;
}

// Plain ASCII words: no JSON escaping is ever needed when they are put in a chunk.
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there one all we can their has been if more when will would who so no time model ' +
  'token engine batch cache serve stream latency power energy step queue prefill decode request value ' +
  'system data result number point world people year way day thing man woman child life hand part place'
).split(' ');

// Built once: the hot path hands out these strings instead of concatenating one per token.
const SPACED_WORDS = WORDS.map((w) => ` ${w}`);

/** The text of one generated token: a space and a word drawn from the request's stream. */
export function nextTokenText(rng: Rng): string {
  return SPACED_WORDS[rng.int(SPACED_WORDS.length)]!;
}
