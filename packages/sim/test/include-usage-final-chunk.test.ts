import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, stream, tokenEvents } from './helpers.js';

describe('stream_options.include_usage', () => {
  it('ends completions and chat streams with a choices:[] usage chunk, then [DONE]', async () => {
    const sim = await startSimServer({ profile: fastProfile() });
    try {
      for (const [path, body] of [
        ['/v1/completions', { prompt: 'one two three four five', max_tokens: 6, ignore_eos: true }],
        [
          '/v1/chat/completions',
          { messages: [{ role: 'user', content: 'one two' }], max_tokens: 6, ignore_eos: true },
        ],
      ] as const) {
        const r = await stream(`${sim.url}${path}`, {
          ...body,
          stream: true,
          stream_options: { include_usage: true },
        });
        expect(r.status).toBe(200);
        const data = r.events.map((e) => e.data);
        expect(data.at(-1)).toBe('data: [DONE]');
        const usage = JSON.parse(data.at(-2)!.slice(6)) as Record<string, unknown>;
        expect(usage.choices).toEqual([]);
        const promptTokens = path === '/v1/completions' ? 7 : 3 + 4;
        expect(usage.usage).toEqual({
          prompt_tokens: promptTokens,
          completion_tokens: 6,
          total_tokens: promptTokens + 6,
        });
        const tokens = tokenEvents(r.events);
        expect(tokens).toHaveLength(6);
        const last = tokens.at(-1)!.json as { choices: { finish_reason: string }[]; object: string };
        expect(last.choices[0]!.finish_reason).toBe('length');
        expect(last.object).toBe(path === '/v1/completions' ? 'text_completion' : 'chat.completion.chunk');
        if (path === '/v1/chat/completions') {
          // The first chat chunk is a role-only delta.
          expect(JSON.parse(data[0]!.slice(6)).choices[0].delta).toEqual({ role: 'assistant' });
        }
        for (const t of tokens) {
          expect(Object.keys(t.json)).toEqual(['id', 'object', 'created', 'model', 'choices']);
          expect(t.json.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
        }
      }
      // Without include_usage there is no usage chunk.
      const plain = await stream(`${sim.url}/v1/completions`, {
        prompt: 'x',
        max_tokens: 3,
        ignore_eos: true,
        stream: true,
      });
      expect(plain.events.some((e) => e.data.includes('"usage"'))).toBe(false);
    } finally {
      await sim.close();
    }
  });
});
