import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { groupAlive, tempRunDir, useFakesOnPath, waitFor } from './fixtures/engines/helpers.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/engines/acquire-then-wait.mjs', import.meta.url));

describe('Ctrl-C on the benchmark process', () => {
  it('leaves no engine process behind (needs `npx tsc -b packages/llm` first)', async () => {
    useFakesOnPath();
    const bench = spawn(process.execPath, [SCRIPT, tempRunDir(), 'vllm'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    bench.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    expect(await waitFor(() => /engine pid \d+/.test(out), 20_000)).toBe(true);
    const pid = Number(/engine pid (\d+)/.exec(out)?.[1]);
    expect(groupAlive(pid)).toBe(true);
    bench.kill('SIGINT');
    const [code] = await once(bench, 'exit');
    expect(code).toBe(4);
    expect(await waitFor(() => !groupAlive(pid), 3000)).toBe(true);
  });
});
