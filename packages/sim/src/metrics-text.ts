/** Prometheus text exposition of the simulator's engine metrics and its DCGM-exporter imitation. */
import type { SimEngine } from './engine.js';
import type { MetricsStyle } from './flavors.js';
import type { Histogram } from './histogram.js';

function esc(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function gauge(out: string[], name: string, help: string, labels: string, value: number): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}{${labels}} ${value}`);
}

function counter(out: string[], name: string, help: string, labels: string, value: number): void {
  // prometheus_client style: the family is named without _total, the sample with it.
  const family = name.replace(/_total$/, '');
  out.push(`# HELP ${family} ${help}`, `# TYPE ${family} counter`, `${name}{${labels}} ${value}`);
}

function histogram(out: string[], name: string, help: string, labels: string, h: Histogram): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  let cumulative = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    cumulative += h.counts[i]!;
    out.push(`${name}_bucket{${labels},le="${h.bounds[i]}"} ${cumulative}`);
  }
  out.push(`${name}_bucket{${labels},le="+Inf"} ${h.count}`);
  out.push(`${name}_sum{${labels}} ${h.sum}`, `${name}_count{${labels}} ${h.count}`);
}

/** The engine's own metrics in the style of the imitated engine. */
export function engineMetricsText(engine: SimEngine, style: MetricsStyle, modelName: string): string {
  const out: string[] = [];
  const m = `model_name="${esc(modelName)}"`;
  const kv = engine.scheduler.kvUsage();
  switch (style) {
    case 'vllm':
      gauge(
        out,
        'vllm:num_requests_running',
        'Number of requests in model execution batches.',
        m,
        engine.running,
      );
      gauge(
        out,
        'vllm:num_requests_waiting',
        'Number of requests waiting to be processed.',
        m,
        engine.waiting,
      );
      gauge(out, 'vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', m, kv);
      counter(
        out,
        'vllm:prompt_tokens_total',
        'Number of prefill tokens processed.',
        m,
        engine.promptTokensTotal,
      );
      counter(
        out,
        'vllm:generation_tokens_total',
        'Number of generation tokens processed.',
        m,
        engine.generationTokensTotal,
      );
      counter(
        out,
        'vllm:num_preemptions_total',
        'Cumulative number of preemptions.',
        m,
        engine.preemptions(),
      );
      histogram(
        out,
        'vllm:time_to_first_token_seconds',
        'Histogram of time to first token in seconds.',
        m,
        engine.ttftHist,
      );
      histogram(
        out,
        'vllm:inter_token_latency_seconds',
        'Histogram of inter-token latency in seconds.',
        m,
        engine.itlHist,
      );
      break;
    case 'sglang':
      gauge(out, 'sglang:num_running_reqs', 'The number of running requests.', m, engine.running);
      gauge(out, 'sglang:num_queue_reqs', 'The number of requests in the waiting queue.', m, engine.waiting);
      gauge(out, 'sglang:token_usage', 'The token usage (0..1).', m, kv);
      counter(
        out,
        'sglang:prompt_tokens_total',
        'Number of prefill tokens processed.',
        m,
        engine.promptTokensTotal,
      );
      counter(
        out,
        'sglang:generation_tokens_total',
        'Number of generation tokens processed.',
        m,
        engine.generationTokensTotal,
      );
      histogram(
        out,
        'sglang:time_to_first_token_seconds',
        'Histogram of time to first token.',
        m,
        engine.ttftHist,
      );
      break;
    case 'trtllm':
      gauge(out, 'trtllm_num_requests_running', 'Requests in the in-flight batch.', m, engine.running);
      gauge(
        out,
        'trtllm_num_requests_waiting',
        'Requests queued for the in-flight batch.',
        m,
        engine.waiting,
      );
      gauge(out, 'trtllm_kv_cache_utilization', 'KV-cache blocks in use (0..1).', m, kv);
      counter(
        out,
        'trtllm_prompt_tokens_total',
        'Number of context tokens processed.',
        m,
        engine.promptTokensTotal,
      );
      counter(
        out,
        'trtllm_generation_tokens_total',
        'Number of generated tokens.',
        m,
        engine.generationTokensTotal,
      );
      histogram(
        out,
        'trtllm_time_to_first_token_seconds',
        'Histogram of time to first token.',
        m,
        engine.ttftHist,
      );
      break;
    case 'llama.cpp':
      // llama.cpp's metric lines carry no labels.
      out.push(
        '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.',
        '# TYPE llamacpp:prompt_tokens_total counter',
        `llamacpp:prompt_tokens_total ${engine.promptTokensTotal}`,
        '# HELP llamacpp:tokens_predicted_total Number of generation tokens processed.',
        '# TYPE llamacpp:tokens_predicted_total counter',
        `llamacpp:tokens_predicted_total ${engine.generationTokensTotal}`,
        '# HELP llamacpp:requests_processing Number of requests processing.',
        '# TYPE llamacpp:requests_processing gauge',
        `llamacpp:requests_processing ${engine.running}`,
        '# HELP llamacpp:requests_deferred Number of requests deferred.',
        '# TYPE llamacpp:requests_deferred gauge',
        `llamacpp:requests_deferred ${engine.waiting}`,
      );
      break;
  }
  return `${out.join('\n')}\n`;
}

/** DCGM exporter lines: power (W) and total energy (mJ) per GPU from the power model. */
export function dcgmMetricsText(engine: SimEngine): string {
  const gpu = engine.profile.gpu;
  const energyMj = engine.energyMjNow();
  const powerW = engine.powerW();
  const labels = (i: number): string =>
    `gpu="${i}",UUID="GPU-sim-${i}",device="nvidia${i}",modelName="${esc(gpu.name)}",Hostname="inferencebench-sim"`;
  const out = ['# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).', '# TYPE DCGM_FI_DEV_POWER_USAGE gauge'];
  // The model's power is for all GPUs together; tensor-parallel GPUs share it evenly.
  for (let i = 0; i < gpu.count; i++)
    out.push(`DCGM_FI_DEV_POWER_USAGE{${labels(i)}} ${(powerW / gpu.count).toFixed(3)}`);
  out.push(
    '# HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).',
    '# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter',
  );
  for (let i = 0; i < gpu.count; i++) {
    out.push(`DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{${labels(i)}} ${Math.floor(energyMj / gpu.count)}`);
  }
  return `${out.join('\n')}\n`;
}
