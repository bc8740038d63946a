// `bench run --engine llama.cpp --model FILE.gguf` launches the real llama-server: one slot per concurrent
// request, a context that fits them, one thread (tuned config), the GGUF's own metadata stored; the run
// passes the real-engine checks, its output tokens equal the server's tokens_predicted_total (scraped, the
// last sample taken after the last request), and no llama-server is left after the run, after Ctrl-C and
// after SIGKILL of the benchmark.
import { afterAll, expect, it } from 'vitest';
import { collect, runBench, runIdOf, startBench, waitForStderr } from './e2e-helpers.js';
import { e2eHome } from './e2e-cli.js';
import { waitFor } from './fixtures/engines/helpers.js';
import { checkRealRun, realRunArgs } from './fixtures/llama/check-run.js';
import {
  describeRealLlama,
  exportRun,
  LLAMA_SERVER_BIN,
  LLAMA_TEST_GGUF,
  llamaPids,
} from './fixtures/llama/real-llama.js';

const launchArgs = (extra: string[] = []) =>
  realRunArgs([
    '--engine',
    'llama.cpp',
    '--model',
    LLAMA_TEST_GGUF,
    '--engine-bin',
    LLAMA_SERVER_BIN,
    ...extra,
  ]);

describeRealLlama('bench run launching a real llama-server (tiny random model)', () => {
  const homes: { dir: string; cleanup: () => void }[] = [];
  const envFor = () => {
    const home = e2eHome();
    homes.push(home);
    return {
      dir: home.dir,
      env: { ...process.env, INFERENCEBENCH_HOME: home.dir, INFERENCEBENCH_PLUGIN_MODULES: '' },
    };
  };
  afterAll(() => {
    for (const h of homes) h.cleanup();
  });

  it('chat, c=1 and c=4: checks pass, launch flags and GGUF metadata stored, no server left', async () => {
    const { dir, env } = envFor();
    const r = await runBench(launchArgs(['--api', 'chat']), env, 150_000);
    const doc = exportRun(runIdOf(r), env);
    const engine = doc.environment.engine!;
    expect(engine.model).toMatchObject({
      format: 'gguf',
      architecture: 'llama',
      quant: 'Q8_0',
      parameters: 77_730_304,
    });
    const argv = engine.command_line!;
    const flag = (f: string) => argv[argv.indexOf(f) + 1];
    expect(flag('--parallel')).toBe('4');
    expect(flag('--threads')).toBe('1');
    // 4 slots x (64 + 32 tokens x 1.25 + 64).
    expect(Number(flag('--ctx-size'))).toBe(4 * (Math.ceil(96 * 1.25) + 64));
    const predicted = doc.samples.filter((s) => s.series === 'generation_tokens_total');
    expect(predicted.length).toBeGreaterThan(0);
    checkRealRun(doc, r, {
      label: 'launch llama.cpp chat',
      counterDelta: Math.max(...predicted.map((s) => s.value)),
      cacheShareBelow: 0.6,
    });
    expect(llamaPids(dir)).toEqual([]);
  }, 180_000);

  it.each(['SIGINT', 'SIGKILL'] as const)(
    '%s of the benchmark while measuring: no llama-server left',
    async (signal) => {
      const { dir, env } = envFor();
      const child = startBench(launchArgs(['--api', 'completions', '--duration', '30']), env);
      const done = collect(child, 120_000);
      await waitForStderr(child, 'measuring', 90_000);
      expect(llamaPids(dir)).toHaveLength(1);
      child.kill(signal);
      const res = await done;
      if (signal === 'SIGINT') expect(res.code, res.stderr).toBe(4);
      // SIGINT: the CLI stops it; SIGKILL: the watchdog SIGTERMs it at once (SIGKILL after 5 s).
      expect(await waitFor(() => llamaPids(dir).length === 0, 8000)).toBe(true);
    },
    150_000,
  );
});
