import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LevelDocument } from '../src/metrics/level-metrics.js';
import type { LlmSummary } from '../src/output/render.js';
import { createLlmInferencePlugin } from '../src/plugin.js';
import { startTimedServer, type TimedServer, tinyClient } from './driver-helpers.js';
import { memoryContext } from './plugin-helpers.js';

describe('llm.inference plugin run', () => {
  let server: TimedServer;
  beforeAll(async () => {
    server = await startTimedServer({ ttftMs: 10, gapMs: 4, tokens: 6 });
  });
  afterAll(() => server.close());

  it('runs a sweep, stores each level in the SPEC §12 shape, a summary and per-request records', async () => {
    const plugin = createLlmInferencePlugin({ createClient: (o) => tinyClient(o.baseUrl, o.connections) });
    const { ctx, store, document } = memoryContext({
      model: 'm',
      engine: 'openai',
      endpoint: server.baseUrl,
      apiKeyEnv: undefined,
      dataset: 'synthetic',
      tokenizer: 'words',
      inputLen: 8,
      outputLen: 6,
      concurrency: [1, 2],
      rate: 'auto',
      durationS: 1,
      warmupRuns: 1,
      gateWindow: 4,
      gateCov: 0.5,
      // An auto level's gate also waits for mean in-flight within 10% of C, which takes longer at C = 2.
      gateTimeoutS: 10,
      drainTimeoutS: 2,
      requestTimeoutS: 5,
    });
    process.env.OPENAI_API_KEY = 'sk-test-secret-value';
    const outcome = await plugin.run(ctx);
    delete process.env.OPENAI_API_KEY;
    expect(store.levels).toHaveLength(2);
    const l = store.levels[1] as LevelDocument;
    expect(l.concurrency).toBe(2);
    expect(typeof l.rate_req_s).toBe('number');
    expect(l.converged).toBe(true);
    expect(l.window_s).toBe(1);
    expect(l.requests.measured).toBeGreaterThan(0);
    expect(l.metrics.ttft_p50_ms!.ci95).toHaveLength(2);
    expect(l.metrics.throughput_tok_s!.value).toBeGreaterThan(0);
    const summary = store.summary as LlmSummary;
    expect(summary.goodput_at_slo.req_s).toBeGreaterThan(0);
    expect(summary.slo).toMatchObject({ id: 'llm.standard', ttft_p99_ms: 300 });
    expect(outcome.gateFailed).toBe(summary.gate_failed);
    expect(store.requests.some((r) => r.phase === 'warmup')).toBe(true);
    expect(store.requests.some((r) => r.phase === 'measured')).toBe(true);
    // The key never reaches plan, environment or records.
    expect(JSON.stringify(store)).not.toContain('sk-test-secret-value');
    const text = plugin.render!(document('complete'));
    if (process.env.SHOW_RENDER) console.log(text);
    expect(text).toMatch(/^Run id: 01TESTRUN\nModel: m @ default on /);
    expect(text).toMatch(/\nMetrics:\n {2}ttft_p50_ms\s+\d/);
    expect(text).toMatch(/goodput_at_slo\s+\d+\.\d+ req\/s/);
    expect(text).toMatch(/level\s+conc\s+rate req\/s/);
  });
});
