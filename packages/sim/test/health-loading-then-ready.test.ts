import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, http } from './helpers.js';

describe('health while loading', () => {
  it('answers 503 (and refuses requests) during --load-time-s, then 200', async () => {
    const sim = await startSimServer({ profile: fastProfile(), loadTimeS: 0.6 });
    try {
      expect((await http(`${sim.url}/health`)).status).toBe(503);
      const early = await http(`${sim.url}/v1/completions`, { body: { prompt: 'hi', max_tokens: 2 } });
      expect(early.status).toBe(503);
      await new Promise((r) => setTimeout(r, 700));
      expect((await http(`${sim.url}/health`)).status).toBe(200);
      const later = await http(`${sim.url}/v1/completions`, { body: { prompt: 'hi', max_tokens: 2 } });
      expect(later.status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
