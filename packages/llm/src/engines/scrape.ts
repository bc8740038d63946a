import type { EngineHandle } from '../types.js';
import { probe } from './http.js';
import { parsePrometheusText } from './prometheus.js';

/** Normalised engine series written to the store. */
export type EngineSeries =
  | 'running'
  | 'waiting'
  | 'kv_cache_usage'
  | 'prompt_tokens_total'
  | 'generation_tokens_total';

/**
 * Engine metric name -> normalised series, first name per series wins when an engine exposes two
 * (vLLM renamed gpu_cache_usage_perc to kv_cache_usage_perc; both are listed, newest first).
 */
export const METRIC_MAP: Record<string, { name: string; series: EngineSeries }[]> = {
  vllm: [
    { name: 'vllm:num_requests_running', series: 'running' },
    { name: 'vllm:num_requests_waiting', series: 'waiting' },
    { name: 'vllm:kv_cache_usage_perc', series: 'kv_cache_usage' },
    { name: 'vllm:gpu_cache_usage_perc', series: 'kv_cache_usage' },
    { name: 'vllm:prompt_tokens_total', series: 'prompt_tokens_total' },
    { name: 'vllm:generation_tokens_total', series: 'generation_tokens_total' },
  ],
  sglang: [
    { name: 'sglang:num_running_reqs', series: 'running' },
    { name: 'sglang:num_queue_reqs', series: 'waiting' },
    { name: 'sglang:token_usage', series: 'kv_cache_usage' },
    { name: 'sglang:prompt_tokens_total', series: 'prompt_tokens_total' },
    { name: 'sglang:generation_tokens_total', series: 'generation_tokens_total' },
  ],
  trtllm: [
    // Names differ across TensorRT-LLM releases (`trtllm_` in 1.1, `tensorrt_llm:` in later servers).
    { name: 'tensorrt_llm:num_requests_running', series: 'running' },
    { name: 'trtllm_num_requests_running', series: 'running' },
    { name: 'tensorrt_llm:num_requests_waiting', series: 'waiting' },
    { name: 'trtllm_num_requests_waiting', series: 'waiting' },
    { name: 'tensorrt_llm:kv_cache_usage_perc', series: 'kv_cache_usage' },
    { name: 'tensorrt_llm:gpu_cache_usage_perc', series: 'kv_cache_usage' },
    { name: 'trtllm_kv_cache_utilization', series: 'kv_cache_usage' },
    { name: 'tensorrt_llm:prompt_tokens_total', series: 'prompt_tokens_total' },
    { name: 'trtllm_prompt_tokens_total', series: 'prompt_tokens_total' },
    { name: 'tensorrt_llm:generation_tokens_total', series: 'generation_tokens_total' },
    { name: 'trtllm_generation_tokens_total', series: 'generation_tokens_total' },
  ],
  'llama.cpp': [
    { name: 'llamacpp:requests_processing', series: 'running' },
    { name: 'llamacpp:requests_deferred', series: 'waiting' },
    { name: 'llamacpp:kv_cache_usage_ratio', series: 'kv_cache_usage' },
    { name: 'llamacpp:prompt_tokens_total', series: 'prompt_tokens_total' },
    { name: 'llamacpp:tokens_predicted_total', series: 'generation_tokens_total' },
  ],
};
// The simulator speaks vLLM's names.
METRIC_MAP.sim = METRIC_MAP.vllm as { name: string; series: EngineSeries }[];

const ALL_SERIES: EngineSeries[] = [
  'running',
  'waiting',
  'kv_cache_usage',
  'prompt_tokens_total',
  'generation_tokens_total',
];

/** A sample as the store's writer takes it. */
export interface EngineSample {
  series: string;
  tMs: number;
  value: number;
  labels?: Record<string, string>;
}

/**
 * Pick the series of interest out of one scrape (pure). Unknown engines fall back to every known
 * mapping. Returns the samples and the series that were absent.
 */
export function selectSeries(
  engine: string,
  text: string,
  tMs: number,
): { samples: EngineSample[]; absent: EngineSeries[] } {
  const mapping = METRIC_MAP[engine] ?? Object.values(METRIC_MAP).flat();
  const byName = new Map<string, ReturnType<typeof parsePrometheusText>>();
  for (const s of parsePrometheusText(text)) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const samples: EngineSample[] = [];
  const found = new Set<EngineSeries>();
  for (const { name, series } of mapping) {
    if (found.has(series)) continue;
    const hits = byName.get(name);
    if (!hits) continue;
    found.add(series);
    for (const h of hits)
      samples.push({ series, tMs, value: h.value, labels: { ...h.labels, metric: name } });
  }
  return { samples, absent: ALL_SERIES.filter((s) => !found.has(s)) };
}

export interface ScraperOptions {
  /** Default 1000 (1 Hz). */
  intervalMs?: number;
  /** Where "absent metric" and "scrape failed" notes go (once each). */
  log?: { info(message: string): void; warn(message: string): void };
  /** Clock for sample times (epoch ms). Default Date.now. */
  now?: () => number;
}

/**
 * Scrape the engine's Prometheus endpoint at 1 Hz and hand each series of interest to `onSample`
 * (the driver passes `ctx.writer.sample`). Missing metrics and failed scrapes are noted once, never
 * fatal. A no-op when the engine has no metrics endpoint.
 */
export function startScraper(
  handle: Pick<EngineHandle, 'name' | 'metricsUrl'>,
  onSample: (sample: EngineSample) => void,
  opts: ScraperOptions = {},
): { first: Promise<void>; stop(): Promise<void> } {
  const url = handle.metricsUrl;
  if (!url) {
    opts.log?.info(`${handle.name} exposes no Prometheus metrics; engine time series not recorded`);
    return { first: Promise.resolve(), stop: async () => {} };
  }
  const now = opts.now ?? Date.now;
  let notedAbsent = false;
  let notedFailure = false;
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const scrapeOnce = async () => {
    const res = await probe(url, { timeoutMs: Math.max(500, (opts.intervalMs ?? 1000) * 0.9) });
    if (stopped) return;
    if (res.status !== 200) {
      if (!notedFailure)
        opts.log?.warn(`scraping ${url} failed (${res.status ?? res.error}); will keep trying`);
      notedFailure = true;
      return;
    }
    const { samples, absent } = selectSeries(handle.name, res.body, now());
    for (const s of samples) onSample(s);
    if (!notedAbsent && absent.length > 0) {
      opts.log?.info(`${handle.name} metrics: ${absent.join(', ')} not exposed at ${url}`);
    }
    notedAbsent = true;
  };
  const tick = () => {
    // Skip a tick rather than pile up requests when the engine is slow to answer.
    if (inFlight || stopped) return;
    inFlight = scrapeOnce().finally(() => {
      inFlight = null;
    });
  };
  tick();
  const first = inFlight ?? Promise.resolve();
  const timer = setInterval(tick, opts.intervalMs ?? 1000);
  timer.unref();
  return {
    /** The first scrape is over (taken before any request, the counters' starting point). */
    first,
    async stop() {
      clearInterval(timer);
      await inFlight;
      // One last scrape once every request is over, so the counters' last samples cover the whole run
      // (the run's output tokens are checked against the engine's own count).
      if (!stopped) await scrapeOnce();
      stopped = true;
    },
  };
}
