import type { Rng } from 'inferencebench';
import type { PromptItem, StreamingClient } from '../types.js';
import type { TokenCounter } from '../tokenizers/index.js';

/** How many prompts a synthetic dataset holds; the driver samples from them with the seed. */
export const SYNTHETIC_ITEMS = 1000;

export type LengthDist = 'fixed' | 'uniform' | 'normal';

/**
 * One length from the distribution: `fixed` = mean; `uniform` = integer in [mean - spread, mean + spread];
 * `normal` = round(N(mean, spread)). Always at least 1.
 */
export function sampleLength(rng: Rng, dist: LengthDist, mean: number, spread: number): number {
  let value = mean;
  if (dist === 'uniform' && spread > 0) {
    const lo = Math.round(mean - spread);
    const hi = Math.round(mean + spread);
    value = lo + rng.int(hi - lo + 1);
  } else if (dist === 'normal' && spread > 0) {
    value = Math.round(rng.normal(mean, spread));
  }
  return Math.max(1, Math.round(value));
}

// Common English words; those that are one token in the tokenizer (with and without a leading space)
// make prompts whose token count is the word count.
const WORD_POOL = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have ' +
  'an they you were her she there been one all we their has would when if so what out up more about ' +
  'into than them can only other new some could time these two may then do first any my now such like ' +
  'our over man me even most made after also did many before must through back years where much your way ' +
  'well down should because each just those people how too little state good very make world still own ' +
  'see men work long get here between both life being under never day same another know while last might ' +
  'us great old year off come since against go came right used take three system model data server token ' +
  'request batch memory cache queue latency power energy engine compute network green river stone light'
).split(' ');

/** Builds prompts of an exact token count in one tokenizer. */
export class PromptBuilder {
  private readonly words: string[];

  constructor(private readonly counter: TokenCounter) {
    // Keep words that are one token alone, after a space, and twice in a row (no merges across words).
    const single = WORD_POOL.filter(
      (w) => counter.count(w) === 1 && counter.count(` ${w}`) === 1 && counter.count(`${w} ${w}`) === 2,
    );
    this.words = single.length >= 8 ? single : WORD_POOL;
  }

  /** A prompt of `targetTokens` tokens (exact when the tokenizer allows; the returned count is the truth). */
  build(rng: Rng, targetTokens: number): { prompt: string; tokens: number } {
    const parts: string[] = [];
    for (let i = 0; i < targetTokens; i++) parts.push(this.words[rng.int(this.words.length)]!);
    let tokens = this.counter.count(parts.join(' '));
    // Merges across words are rare; trim or extend word by word until the count is right.
    for (let guard = 0; tokens !== targetTokens && guard < 64; guard++) {
      if (tokens > targetTokens && parts.length > 1) parts.pop();
      else parts.push(this.words[rng.int(this.words.length)]!);
      tokens = this.counter.count(parts.join(' '));
    }
    return { prompt: parts.join(' '), tokens };
  }
}

/** `count` synthetic prompts with lengths from the distributions, all derived from `rng`. */
export function syntheticItems(
  rng: Rng,
  counter: TokenCounter,
  options: {
    inputLen: number;
    outputLen: number;
    lengthDist: LengthDist;
    inputLenSpread: number;
    outputLenSpread: number;
  },
  count: number = SYNTHETIC_ITEMS,
): PromptItem[] {
  // Separate streams, so changing the output spread does not change the prompts.
  const inRng = rng.fork('input-lengths');
  const outRng = rng.fork('output-lengths');
  const wordRng = rng.fork('words');
  const builder = new PromptBuilder(counter);
  const items: PromptItem[] = [];
  for (let i = 0; i < count; i++) {
    const target = sampleLength(inRng, options.lengthDist, options.inputLen, options.inputLenSpread);
    const outputTokens = sampleLength(outRng, options.lengthDist, options.outputLen, options.outputLenSpread);
    const { prompt, tokens } = builder.build(wordRng, target);
    items.push({ id: `synthetic-${i}`, prompt, promptTokens: tokens, outputTokens });
  }
  return items;
}

/** Words of each synthetic prompt replaced by a per-request random prefix. */
export const UNIQUE_PREFIX_WORDS = 16;

/**
 * The prompt with its first words replaced by words drawn from `rng` out of the prompt's own words (each
 * one token in the dataset's tokenizer, so the length stays what it was): every request's prompt differs
 * from the first token on, and an engine's prefix cache can only serve what all prompts share (a chat
 * template's opening), which is then reported as cached (SPEC §4).
 */
export function uniquePrompt(rng: Rng, prompt: string): string {
  const words = prompt.split(' ');
  const pool = [...new Set(words)];
  if (pool.length === 0) return prompt;
  const k = Math.min(UNIQUE_PREFIX_WORDS, words.length);
  for (let i = 0; i < k; i++) words[i] = pool[rng.int(pool.length)]!;
  return words.join(' ');
}

/**
 * A client that sends every synthetic request with a unique prompt (SPEC §4). `rng` should be forked with
 * the run id, so that two runs with one seed do not repeat each other's prompts against a warm server.
 */
export function withUniquePrompts(client: StreamingClient, rng: Rng): StreamingClient {
  return {
    send: (request, options) =>
      client.send(
        { ...request, item: { ...request.item, prompt: uniquePrompt(rng, request.item.prompt) } },
        options,
      ),
    warm: (n) => client.warm(n),
    close: () => client.close(),
  };
}
