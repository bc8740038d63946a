import { describe, expect, it } from 'vitest';
import { engineCommands } from '../src/engines/index.js';
import { useFakesOnPath } from './fixtures/engines/helpers.js';

describe('bench engines', () => {
  it('lists each engine, whether its executable is on PATH, and the tuned configs', async () => {
    useFakesOnPath();
    const cmd = engineCommands.find((c) => c.name === 'engines');
    let out = '';
    const code = await cmd?.run([], { format: 'table' }, { stdout: (t) => (out += t), stderr: () => {} });
    expect(code).toBe(0);
    expect(out).toMatch(/needs vllm\s+found: .*fixtures\/engines\/vllm/);
    expect(out).toMatch(/needs trtllm-serve\s+found:/);
    expect(out).toMatch(/tuned h200\/bf16 \(generic\)\s+https:\/\//);
    for (const e of ['vllm', 'sglang', 'trtllm', 'llama.cpp', 'mlx', 'sim', 'openai'])
      expect(out).toContain(`${e} `);
  });

  it('says NOT FOUND for a missing executable, and prints JSON with --format json', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      let out = '';
      await engineCommands[0]?.run([], { format: 'json' }, { stdout: (t) => (out += t), stderr: () => {} });
      const rows = JSON.parse(out) as { engine: string; needs: { what: string; found: string | null }[] }[];
      expect(rows.find((r) => r.engine === 'llama.cpp')?.needs[0]).toEqual({
        what: 'llama-server',
        found: null,
      });
    } finally {
      process.env.PATH = saved;
    }
  });
});
