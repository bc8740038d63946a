import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertExit, e2eHome, readDoc, runBench } from './e2e-cli.js';

/**
 * Issue 10 §1, done-when, through the real CLI and the simulator: at c = 16 with the default `--rate auto`
 * the client queue stays empty (queue wait p50 < 5 ms), TTFT p50 is the server's (within 5 ms of server
 * TTFT p50), and TTFT p50 does not grow with the window (15 s against 60 s). Under the old model (λ = C / L
 * with a cap of C) the client queue ran at utilisation 1: 528 ms TTFT p50 at 15 s, 3,826 ms at 120 s, against
 * ~25 ms at the server.
 */
describe('--rate auto on the simulator: TTFT is the server', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  const level = async (durationS: number) => {
    const out = join(home.dir, `run-${durationS}.json`);
    const r = await runBench(
      [
        'run',
        'llm.inference',
        '--engine',
        'sim',
        '--model',
        'llama-3.1-8b',
        '--dataset',
        'synthetic',
        '--concurrency',
        '16',
        '--duration',
        String(durationS),
        '--output',
        out,
        '--quiet',
      ],
      home.dir,
      { timeoutMs: 240_000 },
    );
    assertExit(r);
    const l = readDoc(out).levels[0]!;
    const v = (k: string): number => l.metrics[k]!.value!;
    return {
      ttftP50: v('ttft_p50_ms'),
      serverTtftP50: v('server_ttft_p50_ms'),
      queueP50: v('queue_wait_p50_ms'),
      level: l as unknown as { driver: { mean_in_flight: number; cap_in_flight: number | null } },
      stdout: r.stdout,
    };
  };

  it('queue wait p50 < 5 ms, TTFT p50 within 5 ms of the server, and no growth from 15 s to 60 s', async () => {
    const short = await level(15);
    const long = await level(60);
    for (const [s, run] of [
      [15, short],
      [60, long],
    ] as const)
      console.log(
        `${s} s window: ttft p50 ${run.ttftP50.toFixed(2)} ms, server ttft p50 ${run.serverTtftP50.toFixed(2)} ms, queue wait p50 ${run.queueP50.toFixed(3)} ms, mean in-flight ${run.level.driver.mean_in_flight.toFixed(2)}`,
      );
    for (const run of [short, long]) {
      expect(run.queueP50).toBeLessThan(5);
      expect(Math.abs(run.ttftP50 - run.serverTtftP50)).toBeLessThan(5);
      // No client cap on an auto level, and the mean in-flight it aimed at.
      expect(run.level.driver.cap_in_flight).toBeNull();
      expect(run.level.driver.mean_in_flight).toBeGreaterThan(16 * 0.75);
      expect(run.level.driver.mean_in_flight).toBeLessThan(16 * 1.25);
      // The table shows it: the auto rate, no cap, the queue and the server's TTFT beside TTFT.
      expect(run.stdout).toMatch(/\(auto\)/);
      expect(run.stdout).toMatch(/no cap/);
      expect(run.stdout).toMatch(/server ttft p50/);
    }
    // A client queue at utilisation 1 grows with the window (7x from 15 s to 120 s in the old model); a
    // server-shaped TTFT does not. Margin for a loaded 2-core machine: 25% plus 5 ms.
    expect(long.ttftP50).toBeLessThan(short.ttftP50 * 1.25 + 5);
  }, 400_000);
});
