import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretEvent, interpretEventFull, StreamAccumulator } from '../src/client/chunk-interpreter.js';
import { SseParser } from '../src/client/sse-parser.js';
import { bytes } from './sse-test-helpers.js';

// Streams shaped like the ones real servers send (field sets and orders read from their sources), each in
// compact JSON (pydantic's model_dump_json, nlohmann::json::dump, JS JSON.stringify) and in Python
// json.dumps' default framing (", " and ": " separators, non-ASCII escaped as \uXXXX). The byte-scanning
// fast path must give exactly the full JSON.parse interpretation on all of them, however the stream is
// split into reads, and its shape path must fire on the token chunks of every one of them.
type Json = Record<string, unknown>;
interface Framing {
  name: string;
  /** The event for token i (text `t`), the first (role) event, the finish event and the usage event. */
  token(t: string, i: number): Json;
  first?: Json;
  finish: Json;
  usage: Json;
}

const TOKENS = [
  ' Hello',
  ',',
  ' wörld',
  ' "quoted"',
  ' back\\slash',
  '\n',
  ' 日本',
  ' 🎉',
  '',
  ' tab\there',
  ' end',
];
const ID = (n: number): string => `cmpl-${'0123456789abcdef'.repeat(4).slice(0, n)}`;
const created = 1764547200;
const model = 'meta-llama/Llama-3.1-8B-Instruct';

const vllmCompletion = (id: string): Framing => {
  // vLLM serving_completion.py: CompletionStreamResponse.model_dump_json(exclude_unset=False).
  const top = { id, object: 'text_completion', created, model };
  const choice = (text: string, finish: string | null) => ({
    index: 0,
    text,
    logprobs: null,
    finish_reason: finish,
    stop_reason: null,
    prompt_token_ids: null,
    token_ids: null,
  });
  return {
    name: `vLLM completions (id of ${id.length} bytes)`,
    token: (t) => ({ ...top, choices: [choice(t, null)], usage: null }),
    finish: { ...top, choices: [choice('', 'length')], usage: null },
    usage: { ...top, choices: [], usage: { prompt_tokens: 5, total_tokens: 16, completion_tokens: 11 } },
  };
};
const vllmChat = (id: string): Framing => {
  // vLLM serving_chat.py: ChatCompletionStreamResponse.model_dump_json(exclude_unset=True).
  const top = { id, object: 'chat.completion.chunk', created, model };
  return {
    name: 'vLLM chat',
    first: {
      ...top,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    },
    token: (t) => ({
      ...top,
      choices: [{ index: 0, delta: { content: t }, logprobs: null, finish_reason: null }],
    }),
    finish: {
      ...top,
      choices: [
        { index: 0, delta: { content: '' }, logprobs: null, finish_reason: 'length', stop_reason: null },
      ],
    },
    usage: { ...top, choices: [], usage: { prompt_tokens: 5, total_tokens: 16, completion_tokens: 11 } },
  };
};
const sglangCompletion: Framing = {
  // SGLang's CompletionStreamResponse: usage null on token chunks, matched_stop in the choice.
  name: 'SGLang completions',
  token: (t) => ({
    id: 'a3c1f0e2b4d64f7a9e8b1c2d3e4f5a6b',
    object: 'text_completion',
    created,
    model: 'default',
    choices: [{ index: 0, text: t, logprobs: null, finish_reason: null, matched_stop: null }],
    usage: null,
  }),
  finish: {
    id: 'a3c1f0e2b4d64f7a9e8b1c2d3e4f5a6b',
    object: 'text_completion',
    created,
    model: 'default',
    choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'length', matched_stop: null }],
    usage: null,
  },
  usage: {
    id: 'a3c1f0e2b4d64f7a9e8b1c2d3e4f5a6b',
    object: 'text_completion',
    created,
    model: 'default',
    choices: [],
    usage: { prompt_tokens: 5, total_tokens: 16, completion_tokens: 11, prompt_tokens_details: null },
  },
};
const llamaCppChat: Framing = {
  // llama.cpp server: choices first, then created/id/model, system_fingerprint after the choices.
  name: 'llama.cpp chat',
  first: {
    choices: [{ finish_reason: null, index: 0, delta: { role: 'assistant', content: null } }],
    created,
    id: 'chatcmpl-DHvcEyFobkuV4Xu1QSYo4bqNv18TDqaA',
    model: 'gpt-oss:20b',
    system_fingerprint: 'b6881-8b11deea4',
    object: 'chat.completion.chunk',
  },
  token: (t) => ({
    choices: [{ finish_reason: null, index: 0, delta: { content: t } }],
    created,
    id: 'chatcmpl-DHvcEyFobkuV4Xu1QSYo4bqNv18TDqaA',
    model: 'gpt-oss:20b',
    system_fingerprint: 'b6881-8b11deea4',
    object: 'chat.completion.chunk',
  }),
  finish: {
    choices: [{ finish_reason: 'length', index: 0, delta: {} }],
    created,
    id: 'chatcmpl-DHvcEyFobkuV4Xu1QSYo4bqNv18TDqaA',
    model: 'gpt-oss:20b',
    system_fingerprint: 'b6881-8b11deea4',
    object: 'chat.completion.chunk',
    usage: { completion_tokens: 11, prompt_tokens: 5, total_tokens: 16 },
    timings: { prompt_n: 5, prompt_ms: 20.3, predicted_n: 11, predicted_ms: 93.3 },
  },
  usage: {
    choices: [],
    created,
    id: 'chatcmpl-DHvcEyFobkuV4Xu1QSYo4bqNv18TDqaA',
    model: 'gpt-oss:20b',
    system_fingerprint: 'b6881-8b11deea4',
    object: 'chat.completion.chunk',
    usage: { completion_tokens: 11, prompt_tokens: 5, total_tokens: 16 },
  },
};
const llamaCppReasoning: Framing = {
  // llama.cpp with a reasoning model: the tokens arrive as delta.reasoning_content.
  ...llamaCppChat,
  name: 'llama.cpp reasoning',
  token: (t) => ({
    choices: [{ finish_reason: null, index: 0, delta: { reasoning_content: t } }],
    created,
    id: 'chatcmpl-DHvcEyFobkuV4Xu1QSYo4bqNv18TDqaA',
    model: 'gpt-oss:20b',
    system_fingerprint: 'b6881-8b11deea4',
    object: 'chat.completion.chunk',
  }),
};
const llamaCppCompletion: Framing = {
  name: 'llama.cpp completions',
  token: (t) => ({
    choices: [{ text: t, index: 0, logprobs: null, finish_reason: null }],
    created,
    model: 'gpt-3.5-turbo',
    system_fingerprint: 'b4100-3ee6382d',
    object: 'text_completion',
    id: 'chatcmpl-xs3iVmLgaUwRZTjR7UAJadxmgdyqMPmI',
  }),
  finish: {
    choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'length' }],
    created,
    model: 'gpt-3.5-turbo',
    system_fingerprint: 'b4100-3ee6382d',
    object: 'text_completion',
    id: 'chatcmpl-xs3iVmLgaUwRZTjR7UAJadxmgdyqMPmI',
    usage: { completion_tokens: 11, prompt_tokens: 5, total_tokens: 16 },
  },
  usage: { choices: [], usage: { completion_tokens: 11, prompt_tokens: 5, total_tokens: 16 } },
};
const trtllmCompletion: Framing = {
  // trtllm-serve: pydantic models dumped with every field, nulls included.
  name: 'TRT-LLM completions',
  token: (t) => ({
    id: 'cmpl-9f2c',
    object: 'text_completion',
    created,
    model: 'llama',
    choices: [
      {
        index: 0,
        text: t,
        token_ids: null,
        logprobs: null,
        context_logits: null,
        finish_reason: null,
        stop_reason: null,
        disaggregated_params: null,
        avg_decoded_tokens_per_iter: null,
      },
    ],
    usage: null,
    prompt_token_ids: null,
  }),
  finish: {
    id: 'cmpl-9f2c',
    object: 'text_completion',
    created,
    model: 'llama',
    choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'length', stop_reason: null }],
    usage: null,
  },
  usage: {
    id: 'cmpl-9f2c',
    object: 'text_completion',
    created,
    model: 'llama',
    choices: [],
    usage: { prompt_tokens: 5, total_tokens: 16, completion_tokens: 11 },
  },
};
const openAiChat: Framing = {
  // OpenAI: system_fingerprint and service_tier in every chunk, usage:null until the usage chunk.
  name: 'OpenAI chat',
  first: {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion.chunk',
    created,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ],
    usage: null,
  },
  token: (t) => ({
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion.chunk',
    created,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ index: 0, delta: { content: t }, logprobs: null, finish_reason: null }],
    usage: null,
  }),
  finish: {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion.chunk',
    created,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }],
    usage: null,
  },
  usage: {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion.chunk',
    created,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [],
    usage: { prompt_tokens: 5, completion_tokens: 11, total_tokens: 16 },
  },
};
const openAiObfuscated: Framing = {
  // OpenAI's newer streams add an `obfuscation` string of varying length to every chunk: the shape
  // changes each time, so only the agreement (not the shape path) is required of this one.
  ...openAiChat,
  name: 'OpenAI chat with obfuscation',
  token: (t, i) => ({ ...openAiChat.token(t, i), obfuscation: 'xYz0'.slice(0, i % 4) }),
};

const FRAMINGS: Framing[] = [
  vllmCompletion(ID(8)),
  vllmCompletion(ID(37)),
  vllmCompletion(ID(64)),
  vllmChat('chatcmpl-0123456789abcdef0123456789abcdef'),
  sglangCompletion,
  llamaCppChat,
  llamaCppReasoning,
  llamaCppCompletion,
  trtllmCompletion,
  openAiChat,
];

/** Python's json.dumps defaults: ", " and ": " separators, ensure_ascii (non-ASCII as \uXXXX). */
function pythonDumps(v: unknown): string {
  if (v === null || typeof v !== 'object')
    return JSON.stringify(v).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (Array.isArray(v)) return `[${v.map(pythonDumps).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pythonDumps(k)}: ${pythonDumps(x)}`)
    .join(', ')}}`;
}

const SERIALIZERS = [
  { name: 'compact', dump: (o: Json) => JSON.stringify(o) },
  { name: 'spaced', dump: pythonDumps },
];

function streamText(f: Framing, dump: (o: Json) => string): string {
  const events = [...(f.first ? [f.first] : []), ...TOKENS.map((t, i) => f.token(t, i)), f.finish, f.usage];
  return `${events.map((e) => `data: ${dump(e)}\n\n`).join('')}data: [DONE]\n\n`;
}

function run(reads: Uint8Array[], interpret: typeof interpretEvent): StreamAccumulator {
  const acc = new StreamAccumulator();
  const parser = new SseParser((kind, buf, start, end, t) => interpret(acc, kind, buf, start, end, t));
  for (let i = 0; i < reads.length; i++) parser.push(reads[i]!, i);
  parser.end(reads.length);
  return acc;
}

function snapshot(acc: StreamAccumulator) {
  return {
    chunkTimes: acc.chunkTimes,
    chunkTokens: acc.chunkTokens,
    usageCompletionTokens: acc.usageCompletionTokens,
    usagePromptTokens: acc.usagePromptTokens,
    systemFingerprint: acc.systemFingerprint,
    done: acc.done,
    error: acc.error,
    text: acc.text,
  };
}

describe('chunk interpreter on real servers framings', () => {
  for (const f of [...FRAMINGS, openAiObfuscated])
    for (const s of SERIALIZERS) {
      const all = bytes(streamText(f, s.dump));
      it(`${f.name}, ${s.name}: fast path = JSON.parse path, split at every byte`, () => {
        const full = run([all], interpretEventFull);
        expect(full.done).toBe(true);
        expect(full.error).toBeNull();
        expect(full.text).toBe(TOKENS.join(''));
        expect(full.chunkTimes.length).toBe(TOKENS.filter((t) => t.length > 0).length);
        expect(full.usageCompletionTokens).toBe(11);
        const whole = run([all], interpretEvent);
        expect(snapshot(whole)).toEqual(snapshot(full));
        // The shape path takes every token chunk after the first of its shape (one scan each otherwise).
        if (f !== openAiObfuscated) expect(whole.shapeHits).toBeGreaterThanOrEqual(TOKENS.length - 2);
        for (let cut = 1; cut < all.length; cut++) {
          const two = run([all.subarray(0, cut), all.subarray(cut)], interpretEvent);
          // Times differ by which read completed each event; everything else must not.
          expect({ ...snapshot(two), chunkTimes: [] }).toEqual({ ...snapshot(full), chunkTimes: [] });
          expect(snapshot(two)).toEqual(
            snapshot(run([all.subarray(0, cut), all.subarray(cut)], interpretEventFull)),
          );
        }
      });
    }

  it('agrees with JSON.parse on any split of any framing into many reads', () => {
    const streams = FRAMINGS.flatMap((f) => SERIALIZERS.map((s) => bytes(streamText(f, s.dump))));
    fc.assert(
      fc.property(fc.nat(streams.length - 1), fc.array(fc.nat(), { maxLength: 40 }), (k, cuts) => {
        const all = streams[k]!;
        const points = [...new Set(cuts.map((c) => c % all.length))].sort((a, b) => a - b);
        const reads: Uint8Array[] = [];
        let from = 0;
        for (const p of points) {
          reads.push(all.subarray(from, p));
          from = p;
        }
        reads.push(all.subarray(from));
        expect(snapshot(run(reads, interpretEvent))).toEqual(snapshot(run(reads, interpretEventFull)));
      }),
      { numRuns: 300 },
    );
  });
});
