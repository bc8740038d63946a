import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, http } from './helpers.js';

/** Sends the same request sequence one after another; returns each output's token count and text. */
async function run(seed: number): Promise<{ n: number; text: string }[]> {
  const sim = await startSimServer({ profile: fastProfile(), seed });
  try {
    const out: { n: number; text: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await http(`${sim.url}/v1/completions`, {
        body: { model: 'llama-3.1-8b', prompt: `request number ${i}`, max_tokens: 600 },
      });
      const body = JSON.parse(r.body) as {
        choices: { text: string }[];
        usage: { completion_tokens: number };
      };
      out.push({ n: body.usage.completion_tokens, text: body.choices[0]!.text });
    }
    return out;
  } finally {
    await sim.close();
  }
}

describe('determinism', () => {
  it('gives the same token counts and texts for the same seed and request sequence, others for another seed', async () => {
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b).toEqual(a);
    // Sampled EOS lengths vary between requests (not all stopped by max_tokens).
    expect(new Set(a.map((x) => x.n)).size).toBeGreaterThan(3);
    expect(c.map((x) => x.n)).not.toEqual(a.map((x) => x.n));
    for (const x of a) expect(x.text.trim().split(' ')).toHaveLength(x.n);
  });
});
