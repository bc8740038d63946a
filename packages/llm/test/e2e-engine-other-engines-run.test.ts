import { afterAll, describe, expect, it } from 'vitest';
import {
  benchEnv,
  engineGone,
  fakeArgvs,
  MODEL,
  runArgs,
  runBench,
  runIdOf,
  type Sandbox,
  sandbox,
  showRun,
} from './e2e-helpers.js';

interface EngineCase {
  engine: string;
  /** argv[0] of the stored command line: what must be on PATH. */
  bin: string;
  /** The start of what the fake must have received. */
  argvHead: string[];
  /** Flags the launch must carry (tuned config, metrics switch). */
  argvHas: string[];
  /** Prefix of the engine's own Prometheus names, or null when it has no metrics endpoint. */
  metricPrefix: string | null;
  /** Can the engine be made to produce exactly the requested output length? */
  enforced: boolean;
}

const CASES: EngineCase[] = [
  {
    engine: 'sglang',
    bin: 'python3',
    argvHead: ['-m', 'sglang.launch_server', '--model-path', MODEL],
    argvHas: ['--enable-metrics', '--quantization', '--max-running-requests'],
    metricPrefix: 'sglang:',
    enforced: true,
  },
  {
    engine: 'trtllm',
    bin: 'trtllm-serve',
    argvHead: [MODEL],
    // The tuned config's YAML is written into the run directory; the fake checks that it exists.
    argvHas: ['--max_batch_size', '--extra_llm_api_options'],
    metricPrefix: 'trtllm_',
    enforced: false,
  },
  {
    engine: 'llama.cpp',
    bin: 'llama-server',
    argvHead: ['-m', MODEL],
    argvHas: ['--metrics'],
    metricPrefix: 'llamacpp:',
    enforced: true,
  },
  {
    engine: 'mlx',
    bin: 'mlx_lm.server',
    argvHead: ['--model', MODEL],
    argvHas: [],
    metricPrefix: null,
    enforced: false,
  },
];

// Issue 6 "Done when", second bullet: the same run as for vLLM works against each other engine's fake.
// The four runs are independent (own home, own engine, own port) and mostly waiting, so they overlap.
describe('bench run --hardware h100 --quant fp8 against the other engines (fakes)', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.cleanup();
  });

  it.concurrent.each(CASES)(
    '$engine completes, records its version, command line and metric series',
    async (c) => {
      const box = sandbox();
      boxes.push(box);
      const env = benchEnv(box);
      const r = await runBench(
        runArgs(c.engine, [
          '--hardware',
          'h100',
          '--quant',
          'fp8',
          '--power-source',
          'none',
          '--format',
          'json',
        ]),
        env,
      );
      expect(r.code, r.stderr).toBe(0);

      const argvs = fakeArgvs(box);
      expect(argvs).toHaveLength(1);
      const argv = argvs[0]!;
      expect(argv.slice(0, c.argvHead.length)).toEqual(c.argvHead);
      for (const flag of c.argvHas) expect(argv, flag).toContain(flag);

      // --format json prints only the run document.
      const out = JSON.parse(r.stdout) as {
        status: string;
        environment: { engine: { name: string; version: string | null; command_line: string[] } };
        levels: { requests: { ok: number; measured: number }; notes: string[] }[];
      };
      expect(out.status).toBe('complete');
      expect(out.environment.engine.name).toBe(c.engine);
      expect(out.environment.engine.version).toEqual(expect.any(String));
      expect(out.environment.engine.version).not.toBe('');
      expect(out.environment.engine.command_line).toEqual([c.bin, ...argv]);
      expect(out.levels).toHaveLength(1);
      expect(out.levels[0]!.requests.ok).toBeGreaterThan(0);
      expect(out.levels[0]!.requests.ok).toBe(out.levels[0]!.requests.measured);

      const doc = await showRun(runIdOf(r), env);
      expect(doc.environment.engine?.version).toBe(out.environment.engine.version);
      // MLX (and TRT-LLM, whose strict fields rule out ignore_eos) cannot force the requested length: said
      // in the environment and as a level flag, so the numbers are not read as fixed-length ones.
      expect(doc.environment.engine?.output_length_enforced).toBe(c.enforced);
      const lengthNote = doc.levels[0]!.notes.find((n) => n.startsWith('output length not enforced'));
      if (c.enforced) expect(lengthNote).toBeUndefined();
      else expect(lengthNote).toContain(c.engine);

      const running = doc.samples.filter((s) => s.series === 'running');
      if (c.metricPrefix === null) {
        expect(doc.samples.filter((s) => s.labels?.metric)).toEqual([]);
        expect(r.stderr).toContain(`${c.engine} exposes no Prometheus metrics`);
      } else {
        expect(running.length).toBeGreaterThanOrEqual(2);
        expect(running.every((s) => s.labels?.metric?.startsWith(c.metricPrefix!))).toBe(true);
        expect(doc.samples.some((s) => s.series === 'waiting')).toBe(true);
      }

      expect(await engineGone(box, 500)).toBe(true);
    },
  );
});
