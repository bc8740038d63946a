import { describe, expect, it } from 'vitest';
import { benchEnv, runBench, sandbox } from './e2e-helpers.js';

// `bench engines --model ID`: what `bench run` would launch, and why, without launching anything.
describe('bench engines --model', () => {
  const box = sandbox();

  it("plans the seed's launch for 8 H100s given as --hardware/--gpus: command, recipe and fit", async () => {
    const r = await runBench(
      [
        'engines',
        '--model',
        'meta-llama/Llama-4-Maverick',
        '--quant',
        'fp8',
        '--hardware',
        'h100',
        '--gpus',
        '8',
      ],
      benchEnv(box),
      20_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'model    meta-llama/Llama-4-Maverick -> meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8',
    );
    expect(r.stdout).toContain(
      'command  vllm serve meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8 --host 127.0.0.1 --port 8000 --tensor-parallel-size 8 --max-model-len 430000\n',
    );
    expect(r.stdout).toContain('verdict  fits');
    expect(r.stdout).toContain('recipe: vllm-llama-4-maverick-fp8-8xh100.json');
  });

  it('uses the detected GPUs (a stand-in nvidia-smi with one H100) and says it would refuse, as JSON', async () => {
    const csv = '0, NVIDIA H100 80GB HBM3, 0x233010DE, 81559, 550.54.15, 700.00';
    const r = await runBench(
      ['engines', '--model', 'llama-4-maverick', '--quant', 'fp8', '--format', 'json'],
      benchEnv(box, { FAKE_NVIDIA_SMI_CSV: csv }),
      20_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { refusal: string; model_served: string; gpus: { count: number } };
    expect(j.model_served).toBe('meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8');
    expect(j.gpus.count).toBe(1);
    expect(j.refusal).toContain('use 8 GPUs or a smaller model');
  });

  it('rejects --gpus without --hardware with one line and a hint', async () => {
    const r = await runBench(['engines', '--model', 'llama-3.1-8b', '--gpus', '2'], benchEnv(box), 20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --gpus needs --hardware');
    expect(r.stderr).toContain('hint:');
  });
});
