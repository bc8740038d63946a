import { afterAll, describe, expect, it } from 'vitest';
import { benchEnv, runArgs, runBench, runIdOf, type Sandbox, sandbox, showRun } from './e2e-helpers.js';

/** What the fake nvidia-smi answers: one H100 SXM (PCI device id 0x2330), as `--query-gpu` prints it. */
const H100_SXM_CSV = '0, NVIDIA H100 80GB HBM3, 0x233010DE, 81559, 550.54.15, 700.00\n';

// Issue 6, hardware detection, through the CLI: the detected GPU names the "Model: ... on ..." line, and a
// --hardware that disagrees with it draws a warning.
describe('hardware detection with a fake nvidia-smi on PATH', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.cleanup();
  });

  const runWithGpu = async (extra: string[]) => {
    const box = sandbox();
    boxes.push(box);
    const env = benchEnv(box, { FAKE_NVIDIA_SMI_CSV: H100_SXM_CSV });
    const r = await runBench(runArgs('vllm', ['--power-source', 'none', ...extra]), env);
    return { r, env };
  };

  it.concurrent('shows the detected H100-SXM5-80GB in the Model line and stores it', async () => {
    const { r, env } = await runWithGpu([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Model: \S+ @ default on H100-SXM5-80GB$/m);
    expect(r.stderr).not.toContain('--hardware');
    const doc = await showRun(runIdOf(r), env);
    expect(doc.environment.hardware?.gpus.map((g) => g.model)).toEqual(['H100-SXM5-80GB']);
  });

  it.concurrent('warns on stderr when --hardware h200 disagrees with the detected H100', async () => {
    const { r } = await runWithGpu(['--hardware', 'h200']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: --hardware h200 given but detected H100-SXM5-80GB/m);
    // Results go to stdout only; the warning does not.
    expect(r.stdout).not.toContain('warning:');
  });
});
