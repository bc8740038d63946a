import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, http } from './helpers.js';

// Prometheus text format: comments, or `name{labels} value` with a metric name of [a-zA-Z_:][a-zA-Z0-9_:]*.
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf)$/;

describe('/metrics', () => {
  it('parses as Prometheus text and counts the tokens served, with consistent histograms', async () => {
    const sim = await startSimServer({ profile: fastProfile() });
    try {
      for (let i = 0; i < 3; i++) {
        await http(`${sim.url}/v1/completions`, {
          body: { prompt: 'a b c d e f g h i j', max_tokens: 10, ignore_eos: true },
        });
      }
      const text = (await http(`${sim.url}/metrics`)).body;
      const values = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
        const m = SAMPLE.exec(line);
        expect(m, line).not.toBeNull();
        values.set(line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1)));
      }
      const lbl = '{model_name="meta-llama/Llama-3.1-8B-Instruct"}';
      expect(values.get(`vllm:generation_tokens_total${lbl}`)).toBe(30);
      expect(values.get(`vllm:prompt_tokens_total${lbl}`)).toBe(3 * 13);
      expect(values.get(`vllm:time_to_first_token_seconds_count${lbl}`)).toBe(3);
      expect(values.get(`vllm:inter_token_latency_seconds_count${lbl}`)).toBe(27);
      expect(
        values.get(
          'vllm:inter_token_latency_seconds_bucket{model_name="meta-llama/Llama-3.1-8B-Instruct",le="+Inf"}',
        ),
      ).toBe(27);
      expect(values.get(`vllm:num_requests_running${lbl}`)).toBe(0);
      const kv = values.get(`vllm:kv_cache_usage_perc${lbl}`)!;
      expect(kv >= 0 && kv <= 1).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
