import { describe, expect, it } from 'vitest';
import { selectSeries } from '../src/engines/index.js';

describe('selectSeries', () => {
  it('maps the older vllm:gpu_cache_usage_perc to kv_cache_usage and reports absent series', () => {
    const text = [
      '# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage.',
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      'vllm:gpu_cache_usage_perc{model_name="m"} 0.25',
      'vllm:num_requests_running{model_name="m"} 7',
      'vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="m"} 3',
    ].join('\n');
    const { samples, absent } = selectSeries('vllm', text, 1000);
    expect(samples).toEqual([
      {
        series: 'running',
        tMs: 1000,
        value: 7,
        labels: { model_name: 'm', metric: 'vllm:num_requests_running' },
      },
      {
        series: 'kv_cache_usage',
        tMs: 1000,
        value: 0.25,
        labels: { model_name: 'm', metric: 'vllm:gpu_cache_usage_perc' },
      },
    ]);
    expect(absent).toEqual(['waiting', 'prompt_tokens_total', 'generation_tokens_total']);
  });

  it('prefers the newer name when both are exposed', () => {
    const text = 'vllm:kv_cache_usage_perc 0.5\nvllm:gpu_cache_usage_perc 0.4\n';
    const kv = selectSeries('vllm', text, 0).samples.filter((s) => s.series === 'kv_cache_usage');
    expect(kv.map((s) => s.value)).toEqual([0.5]);
  });

  it('reads llama.cpp and SGLang names', () => {
    expect(selectSeries('llama.cpp', 'llamacpp:requests_deferred 3\n', 0).samples[0]?.series).toBe('waiting');
    expect(selectSeries('sglang', 'sglang:token_usage{tp_rank="0"} 0.3\n', 0).samples[0]?.series).toBe(
      'kv_cache_usage',
    );
  });
});
