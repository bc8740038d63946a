import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, http, stream } from './helpers.js';

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
  return Number(line!.split(' ').at(-1));
}

describe('queueing when the engine is full', () => {
  it('keeps requests beyond max_num_seqs waiting (vllm:num_requests_waiting > 0) and serves them all', async () => {
    const sim = await startSimServer({ profile: fastProfile(1, { maxNumSeqs: 2 }) });
    try {
      const all = Array.from({ length: 6 }, () =>
        stream(`${sim.url}/v1/completions`, { prompt: 'x', max_tokens: 60, ignore_eos: true, stream: true }),
      );
      await new Promise((r) => setTimeout(r, 150));
      const m = (await http(`${sim.url}/metrics`)).body;
      expect(metric(m, 'vllm:num_requests_running')).toBe(2);
      expect(metric(m, 'vllm:num_requests_waiting')).toBe(4);
      const done = await Promise.all(all);
      for (const d of done) expect(d.raw).toContain('"finish_reason":"length"');
    } finally {
      await sim.close();
    }
  });
});
