import { afterAll, describe, expect, it } from 'vitest';
import { compareEnv, compareRunArgs, fakeLaunches, type GroupDoc } from './compare-helpers.js';
import { e2eHome, runBench } from './e2e-cli.js';

describe('a launch set whose engine fails to start', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('stops at that launch, exits 3, and still prints the group document with what ran', async () => {
    const r = await runBench(
      compareRunArgs('vllm,sglang', ['--launches', '3', '--format', 'json']),
      home.dir,
      {
        env: { ...compareEnv(home.dir), FAKE_FAIL_SGLANG: 'CUDA out of memory' },
        timeoutMs: 60_000,
      },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: launch set (\w+) stopped at launch 2\/6 \(sglang #1\): /m);
    expect(r.stderr).toMatch(/^hint: the 1 launch\(es\) before it are stored under group \w+/m);
    // No launch after the failed one.
    expect(fakeLaunches(home.dir).map((l) => l.engine)).toEqual(['vllm', 'sglang']);
    const doc = JSON.parse(r.stdout) as GroupDoc;
    expect(doc.status).toBe('failed');
    expect(doc.launches.map((l) => l.side)).toEqual(['vllm', 'sglang']);
    expect(doc.runs.map((x) => x.status)).toEqual(['complete', 'failed']);
  }, 90_000);
});
