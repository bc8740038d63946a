import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimServer, startSimServer } from '../src/index.js';
import { fastProfile, http } from './helpers.js';

describe('bad requests', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ profile: fastProfile(50, { maxModelLen: 100 }) });
  });
  afterAll(() => sim.close());

  const cases: [string, string, unknown][] = [
    ['missing prompt', '/v1/completions', { model: 'llama-3.1-8b', max_tokens: 4 }],
    ['missing messages', '/v1/chat/completions', { model: 'llama-3.1-8b' }],
    ['unknown model', '/v1/completions', { model: 'gpt-17', prompt: 'hi', max_tokens: 4 }],
    ['max_tokens 0', '/v1/completions', { prompt: 'hi', max_tokens: 0 }],
    [
      'max_completion_tokens -3',
      '/v1/chat/completions',
      { messages: [{ role: 'user', content: 'x' }], max_completion_tokens: -3 },
    ],
    [
      'prompt longer than the context',
      '/v1/completions',
      { prompt: Array.from({ length: 101 }, () => 1), max_tokens: 1 },
    ],
    ['prompt + max_tokens beyond the context', '/v1/completions', { prompt: [1, 2, 3], max_tokens: 98 }],
  ];
  for (const [name, path, body] of cases) {
    it(`answers 400 with an OpenAI error object: ${name}`, async () => {
      const r = await http(`${sim.url}${path}`, { body });
      expect(r.status).toBe(400);
      const err = JSON.parse(r.body) as Record<string, unknown>;
      expect(err).toMatchObject({ object: 'error', type: 'BadRequestError', code: 400 });
      expect(typeof err.message).toBe('string');
    });
  }

  it('answers 400 to a body that is not JSON', async () => {
    const r = await http(`${sim.url}/v1/completions`, { body: undefined, method: 'POST' });
    expect(r.status).toBe(400);
  });
});
