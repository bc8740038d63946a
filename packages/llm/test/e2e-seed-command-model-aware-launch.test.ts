import { afterAll, describe, expect, it } from 'vitest';
import { benchEnv, fakeArgvs, flagValue, runBench, sandbox } from './e2e-helpers.js';

// Issue 17 "Done when": the product page's own command, through the real CLI, with a stand-in
// nvidia-smi and the fake `vllm` (which parses vLLM's real flags and serves the simulator).
const H100_CSV = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${i}, NVIDIA H100 80GB HBM3, 0x233010DE, 81559, 550.54.15, 700.00`,
  ).join('\n');

/** The seed's command (SPEC §2), shortened only in how long each level runs. */
const seedArgs = (extra: string[] = []) => [
  'run',
  'llm.inference',
  '--model',
  'meta-llama/Llama-4-Maverick',
  '--engine',
  'vllm',
  '--hardware',
  'h100',
  '--quant',
  'fp8',
  '--concurrency',
  '2',
  '--duration',
  '1',
  '--slo-template',
  'llm.standard',
  '--seed',
  '42',
  // Short and offline: one level, a tiny synthetic dataset, no hub tokenizer.
  '--dataset',
  'synthetic',
  '--input-len',
  '32',
  '--output-len',
  '16',
  '--tokenizer',
  'words',
  '--warmup-runs',
  '1',
  '--gate-window',
  '8',
  '--gate-cov',
  '0.5',
  '--gate-timeout',
  '2',
  '--ready-timeout',
  '30',
  ...extra,
];

describe("the seed's command: model-aware vLLM launch", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());

  it("on 8 H100s: launches the FP8 hub id with tp 8 and the recipe's 430K context, and prints the seed's Model line", async () => {
    const env = benchEnv(box, { FAKE_NVIDIA_SMI_CSV: H100_CSV(8) });
    const r = await runBench(seedArgs(), env, 90_000);
    expect(r.code, r.stderr).toBe(0);
    const argv = fakeArgvs(box).at(-1)!;
    expect(argv.slice(0, 2)).toEqual(['serve', 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8']);
    expect(flagValue(argv, '--tensor-parallel-size')).toBe('8');
    expect(flagValue(argv, '--max-model-len')).toBe('430000');
    // The FP8 checkpoint carries its scheme: a --quantization flag would contradict it.
    expect(argv).not.toContain('--quantization');
    expect(r.stdout).toContain('\nModel: meta-llama/Llama-4-Maverick @ fp8 on 8x H100-SXM5-80GB\n');
    expect(r.stderr).toContain(
      'model meta-llama/Llama-4-Maverick -> meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8 (fp8 checkpoint)',
    );
    expect(r.stderr).toContain(
      'tuned config vllm/h100/fp8 for meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8 on 8 GPUs (https://blog.vllm.ai/2025/04/05/llama4.html)',
    );
  });

  it('on 1 H100: refuses before launching, exit 2, with the arithmetic, and leaves no run record', async () => {
    const env = benchEnv(box, { FAKE_NVIDIA_SMI_CSV: H100_CSV(1) });
    const before = fakeArgvs(box).length;
    const r = await runBench(seedArgs(), env, 60_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'error: meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8 needs ~400 GB at fp8, 1x H100-SXM5-80GB detected (~75 GB usable); use 8 GPUs or a smaller model',
    );
    expect(r.stderr).toMatch(/hint: weights: 400B parameters \(17B active, 128 experts\) x 1 byte at fp8/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fakeArgvs(box).length).toBe(before);
    const list = await runBench(['runs', 'list', '--format', 'json'], env, 20_000);
    const runs = JSON.parse(list.stdout) as { status: string }[];
    expect(runs.filter((x) => x.status === 'failed')).toHaveLength(0);
  });

  it('honours --tp 4 and warns that it cannot fit', async () => {
    const env = benchEnv(box, { FAKE_NVIDIA_SMI_CSV: H100_CSV(8) });
    const r = await runBench(seedArgs(['--tp', '4']), env, 90_000);
    expect(r.code, r.stderr).toBe(0);
    const argv = fakeArgvs(box).at(-1)!;
    expect(flagValue(argv, '--tensor-parallel-size')).toBe('4');
    // The 8-GPU recipe does not apply at tp 4: its 430K context is not passed either.
    expect(argv).not.toContain('--max-model-len');
    expect(r.stderr).toMatch(
      /warning: --tp 4: .* needs ~400 GB at fp8, ~100 GB per GPU .* will not load; 8 GPUs would fit/,
    );
    expect(r.stdout).toContain('\nModel: meta-llama/Llama-4-Maverick @ fp8 on 4x H100-SXM5-80GB\n');
  });

  it('runs end to end on the simulator with the Maverick FP8 8x H100 profile', async () => {
    const args = seedArgs().map((a) => (a === 'vllm' ? 'sim' : a));
    const r = await runBench(args, benchEnv(box), 90_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '\nModel: meta-llama/Llama-4-Maverick @ fp8 on 8x H100-SXM5-80GB (simulated)\n',
    );
    const tpot = /tpot_p50_ms\s+([\d.]+)/.exec(r.stdout);
    // The profile's estimate at batch 2: ~8.2 ms per token (8.0 ms step overhead + 2 sequences).
    expect(Number(tpot?.[1])).toBeGreaterThan(7);
    expect(Number(tpot?.[1])).toBeLessThan(12);
  });
});
