import { describe, expect, it } from 'vitest';
import { type FlavorName, startSimServer } from '../src/index.js';
import { fastProfile, http, stream, tokenEvents } from './helpers.js';

async function withSim(flavor: FlavorName, fn: (url: string) => Promise<void>, loadTimeS = 0): Promise<void> {
  const sim = await startSimServer({ profile: fastProfile(), flavor, loadTimeS, streamInterval: 3 });
  try {
    await fn(sim.url);
  } finally {
    await sim.close();
  }
}

describe('flavor routes', () => {
  it('vllm: /version, /v1/models, /metrics with vLLM and DCGM names, /dcgm/metrics', () =>
    withSim('vllm', async (url) => {
      expect(JSON.parse((await http(`${url}/version`)).body)).toEqual({ version: expect.any(String) });
      const models = JSON.parse((await http(`${url}/v1/models`)).body);
      expect(models.data[0].id).toBe('meta-llama/Llama-3.1-8B-Instruct');
      const m = (await http(`${url}/metrics`)).body;
      for (const name of [
        'vllm:num_requests_running{',
        'vllm:kv_cache_usage_perc{',
        'DCGM_FI_DEV_POWER_USAGE{gpu="0"',
      ]) {
        expect(m).toContain(name);
      }
      const d = (await http(`${url}/dcgm/metrics`)).body;
      expect(d).toContain('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0"');
      expect(d).not.toContain('vllm:');
    }));

  it('sglang: server info routes, sglang: metrics, --stream-interval packs tokens', () =>
    withSim('sglang', async (url) => {
      expect((await http(`${url}/health`)).status).toBe(200);
      for (const p of ['/get_server_info', '/server_info'])
        expect(JSON.parse((await http(`${url}${p}`)).body).version).toBeTypeOf('string');
      const m = (await http(`${url}/metrics`)).body;
      for (const n of [
        'sglang:num_running_reqs{',
        'sglang:num_queue_reqs{',
        'sglang:token_usage{',
        'sglang:prompt_tokens_total{',
        'sglang:generation_tokens_total{',
      ]) {
        expect(m).toContain(n);
      }
      const r = await stream(`${url}/v1/completions`, {
        prompt: 'x',
        max_tokens: 7,
        ignore_eos: true,
        stream: true,
      });
      // First token alone, then packs of 3, the rest with the finish: 1 + 3 + 3.
      const texts = tokenEvents(r.events).map(
        (e) => (e.json.choices as { text: string }[])[0]!.text.trim().split(' ').length,
      );
      expect(texts).toEqual([1, 3, 3]);
    }));

  it('trtllm: rejects non-OpenAI fields with 400, metrics at /prometheus/metrics', () =>
    withSim('trtllm', async (url) => {
      const bad = await http(`${url}/v1/completions`, {
        body: { prompt: 'x', max_tokens: 2, ignore_eos: true },
      });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).message).toContain('ignore_eos');
      const bad2 = await http(`${url}/v1/chat/completions`, {
        body: { messages: [{ role: 'user', content: 'x' }], min_tokens: 2 },
      });
      expect(bad2.status).toBe(400);
      const ok = await http(`${url}/v1/completions`, {
        body: { prompt: 'x', max_tokens: 2, stream_options: null },
      });
      expect(ok.status).toBe(200);
      expect(JSON.parse((await http(`${url}/version`)).body).version).toBeTypeOf('string');
      expect((await http(`${url}/prometheus/metrics`)).body).toContain('trtllm_num_requests_running{');
      expect((await http(`${url}/metrics`)).status).toBe(404);
    }));

  it('llama.cpp: loading 503 body, then {"status":"ok"}, /props build_info, llamacpp: metrics, n_predict', () =>
    withSim(
      'llama.cpp',
      async (url) => {
        const loading = await http(`${url}/health`);
        expect(loading.status).toBe(503);
        expect(JSON.parse(loading.body)).toEqual({
          error: { code: 503, message: 'Loading model', type: 'unavailable_error' },
        });
        await new Promise((r) => setTimeout(r, 450));
        const ready = await http(`${url}/health`);
        expect([ready.status, JSON.parse(ready.body)]).toEqual([200, { status: 'ok' }]);
        expect(JSON.parse((await http(`${url}/props`)).body).build_info).toMatch(/^b\d+-[0-9a-f]+$/);
        const r = JSON.parse(
          (await http(`${url}/v1/completions`, { body: { prompt: 'x', n_predict: 9, ignore_eos: true } }))
            .body,
        );
        expect(r.usage.completion_tokens).toBe(9);
        const m = (await http(`${url}/metrics`)).body;
        for (const n of [
          'llamacpp:prompt_tokens_total ',
          'llamacpp:tokens_predicted_total 9',
          'llamacpp:requests_processing ',
          'llamacpp:requests_deferred ',
        ]) {
          expect(m).toContain(n);
        }
        expect((await http(`${url}/version`)).status).toBe(404);
      },
      0.4,
    ));

  it('mlx: /health 200 while loading but requests 503; no /version, no metrics; ignore_eos not honoured; system_fingerprint', () =>
    withSim(
      'mlx',
      async (url) => {
        expect((await http(`${url}/health`)).status).toBe(200);
        expect((await http(`${url}/v1/completions`, { body: { prompt: 'x', max_tokens: 2 } })).status).toBe(
          503,
        );
        await new Promise((r) => setTimeout(r, 350));
        expect((await http(`${url}/version`)).status).toBe(404);
        expect((await http(`${url}/metrics`)).status).toBe(404);
        // 12 requests asking for 2000 forced tokens: sampled EOS (mean 256) stops nearly all well before.
        const counts: number[] = [];
        for (let i = 0; i < 12; i++) {
          const r = JSON.parse(
            (
              await http(`${url}/v1/completions`, {
                body: { prompt: 'x', max_tokens: 2000, ignore_eos: true, min_tokens: 2000 },
              })
            ).body,
          );
          counts.push(r.usage.completion_tokens);
          expect(r.system_fingerprint).toBeTypeOf('string');
        }
        expect(counts.filter((n) => n < 2000).length).toBeGreaterThan(8);
        const s = await stream(`${url}/v1/completions`, { prompt: 'x', max_tokens: 2, stream: true });
        expect(tokenEvents(s.events)[0]!.json.system_fingerprint).toBeTypeOf('string');
      },
      0.3,
    ));
});
