import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, http } from './helpers.js';

describe('non-streaming responses', () => {
  it('returns one completion / chat.completion object with text, finish_reason and usage', async () => {
    const sim = await startSimServer({ profile: fastProfile() });
    try {
      const c = JSON.parse(
        (
          await http(`${sim.url}/v1/completions`, {
            body: { prompt: 'a b c', max_tokens: 5, ignore_eos: true },
          })
        ).body,
      );
      expect(c).toMatchObject({
        object: 'text_completion',
        model: sim.model,
        usage: { prompt_tokens: 4, completion_tokens: 5 },
      });
      expect(c.choices[0]).toMatchObject({ index: 0, logprobs: null, finish_reason: 'length' });
      expect(c.choices[0].text.trim().split(' ')).toHaveLength(5);
      const chat = JSON.parse(
        (
          await http(`${sim.url}/v1/chat/completions`, {
            body: { messages: [{ role: 'user', content: 'hello' }], max_completion_tokens: 4, min_tokens: 4 },
          })
        ).body,
      );
      expect(chat).toMatchObject({ object: 'chat.completion', usage: { completion_tokens: 4 } });
      expect(chat.choices[0].message.role).toBe('assistant');
      expect(chat.choices[0].finish_reason).toBe('length');
    } finally {
      await sim.close();
    }
  });
});
