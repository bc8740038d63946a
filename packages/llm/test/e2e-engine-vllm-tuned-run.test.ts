import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTunedConfig } from '../src/engines/index.js';
import {
  benchEnv,
  engineGone,
  fakeArgvs,
  flagValue,
  MODEL,
  runArgs,
  runBench,
  runIdOf,
  sandbox,
  showRun,
} from './e2e-helpers.js';

// Issue 6 "Done when", first bullet, through the real CLI and the fake `vllm` on PATH.
describe('bench run --engine vllm --hardware h100 --quant fp8 (fake vllm)', () => {
  const box = sandbox();
  afterAll(() => box.cleanup());

  it('launches with the tuned flags, prints the engine version, stores metric series and command line, leaves no process', async () => {
    const env = benchEnv(box);
    // Default --power-source (auto): the simulator's DCGM-style endpoint is picked, as on a real box.
    const r = await runBench(runArgs('vllm', ['--hardware', 'h100', '--quant', 'fp8']), env);
    expect(r.code, r.stderr).toBe(0);

    // Launched once, as `vllm serve MODEL ...`, with every tuned flag of vllm/h100/fp8 and the quant flag.
    const argvs = fakeArgvs(box);
    expect(argvs).toHaveLength(1);
    const argv = argvs[0]!;
    expect(argv.slice(0, 2)).toEqual(['serve', MODEL]);
    const tuned = findTunedConfig('vllm', 'h100', 'fp8');
    expect(tuned).not.toBeNull();
    for (let i = 0; i < tuned!.args.length; i++) {
      const a = tuned!.args[i]!;
      if (!a.startsWith('--')) continue;
      const next = tuned!.args[i + 1];
      if (next !== undefined && !next.startsWith('--')) expect(flagValue(argv, a), a).toBe(next);
      else expect(argv, a).toContain(a);
    }
    expect(flagValue(argv, '--quantization')).toBe('fp8');
    expect(flagValue(argv, '--host')).toBe('127.0.0.1');
    expect(r.stderr).toContain('tuned config vllm/h100/fp8');

    // The seed's block: what was asked for, and the version the engine reported.
    // No GPU on this machine: the flag is shown as what was asked, never as detected hardware.
    expect(r.stdout).toContain(`\nModel: ${MODEL} @ fp8 on h100 (as given; no GPU detected here)\n`);
    const engineLine = /^Engine: vllm (\S+)$/m.exec(r.stdout);
    expect(engineLine, r.stdout).not.toBeNull();
    expect(engineLine![1]).not.toBe('unknown');

    const id = runIdOf(r);
    const doc = await showRun(id, env);
    expect(doc.status).toBe('complete');
    expect(doc.levels).toHaveLength(1);
    expect(doc.levels[0]!.requests.ok).toBeGreaterThan(0);
    // The effective command line is stored: the executable plus exactly what the engine received.
    expect(doc.environment.engine?.name).toBe('vllm');
    expect(doc.environment.engine?.version).toBe(engineLine![1]);
    expect(doc.environment.engine?.command_line).toEqual(['vllm', ...argv]);
    expect(doc.environment.engine?.output_length_enforced).toBe(true);
    expect(doc.levels[0]!.notes.join('\n')).not.toContain('output length not enforced');

    // Scraped at 1 Hz during the run: vLLM's own metric names under the normalised series.
    const bySeries = new Map<string, string[]>();
    for (const s of doc.samples) {
      const metrics = bySeries.get(s.series) ?? [];
      metrics.push(s.labels?.metric ?? '');
      bySeries.set(s.series, metrics);
    }
    for (const series of ['running', 'waiting', 'kv_cache_usage', 'generation_tokens_total']) {
      expect(bySeries.get(series)?.length ?? 0, series).toBeGreaterThanOrEqual(2);
      expect(
        bySeries.get(series)!.every((m) => m.startsWith('vllm:')),
        series,
      ).toBe(true);
    }
    // The generated-token counter moved: the series were scraped while requests ran, not only at idle.
    const gen = doc.samples.filter((s) => s.series === 'generation_tokens_total').map((s) => s.value);
    expect(Math.max(...gen)).toBeGreaterThan(Math.min(...gen));

    // The engine's output went to its log in the run's directory.
    const log = join(box.home, 'runs', id, 'engine-vllm-1.log');
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain('fake vllm: starting the simulator');

    // Stopped before the CLI returned: nothing of the engine's process group is left.
    expect(await engineGone(box, 500)).toBe(true);
  });
});
