// The real llama.cpp llama-server (tiny random-weight Llama, one thread), attached to as a user would:
// `--engine llama.cpp --endpoint` (chat and completions) and `--engine openai` on its /v1. Each run must
// have no errors on the unpatched server (stale keep-alive connections are retried, SPEC §5), every output
// as long as asked, TTFT and TPOT p50 within 10% of the server's own timings for the same requests, the
// output tokens equal to the server's tokens_predicted_total delta, and the cached-token share reported.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runBench, runIdOf } from './e2e-helpers.js';
import { checkRealRun, realRunArgs } from './fixtures/llama/check-run.js';
import {
  describeRealLlama,
  exportRun,
  type LlamaServer,
  startLlamaServer,
} from './fixtures/llama/real-llama.js';
import { e2eHome } from './e2e-cli.js';

describeRealLlama('bench run attached to a real llama-server (tiny random model)', () => {
  let server: LlamaServer;
  const home = e2eHome();
  const env = { ...process.env, INFERENCEBENCH_HOME: home.dir, INFERENCEBENCH_PLUGIN_MODULES: '' };
  beforeAll(async () => {
    server = await startLlamaServer({ slots: 4, ctx: 4 * 512 });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    home.cleanup();
  });

  it.each([
    ['llama.cpp', 'chat', 'on'],
    ['llama.cpp', 'completions', 'on'],
    ['openai', 'chat', 'on'],
    ['llama.cpp', 'chat', 'off'],
  ] as const)(
    '--engine %s --api %s --prompt-cache %s, c=1 and c=4',
    async (engine, api, cache) => {
      const before = await server.counters();
      const target = ['--engine', engine, '--endpoint', `${server.origin}/v1`, '--model', 'tiny'];
      const r = await runBench(realRunArgs([...target, '--api', api, '--prompt-cache', cache]), env, 120_000);
      const after = await server.counters();
      const doc = exportRun(runIdOf(r), env);
      // The model's own metadata, read from the GGUF the server reports in /props.
      if (engine === 'llama.cpp')
        expect(doc.environment.engine?.model).toMatchObject({
          architecture: 'llama',
          quant: 'Q8_0',
          parameters: 77_730_304,
          slots: 4,
        });
      // `--engine openai` reads the server's system_fingerprint with one 1-token request before the run.
      const probeTokens = engine === 'openai' ? 1 : 0;
      checkRealRun(doc, r, {
        label: `attach ${engine} ${api} prompt-cache ${cache}`,
        counterDelta:
          after['llamacpp:tokens_predicted_total']! -
          before['llamacpp:tokens_predicted_total']! -
          probeTokens,
        // Unique prompts share only the chat template's opening (30 of 99 tokens) or the BOS token; with
        // --prompt-cache off the server computes every prompt token.
        cacheShareBelow: cache === 'off' ? 0.001 : api === 'chat' ? 0.4 : 0.05,
      });
    },
    150_000,
  );
});
