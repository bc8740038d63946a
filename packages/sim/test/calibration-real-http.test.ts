import { type ClientRequest, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../src/index.js';
import { type SpawnedSim, spawnSim } from './helpers.js';

// Batch 8 and 128 through real HTTP and real timers, the simulator in its own process as an engine would
// run. Batch 512 is checked in virtual time (calibration-virtual-time.test.ts): at 47 ms per step a
// steady window needs more seconds than a unit test may take on a shared 2-core machine.

interface Measured {
  itlP50Ms: number;
  throughputTokS: number;
}

/** Closed loop at `batch` for warmupMs + windowMs; ITL and throughput from the tokens inside the window. */
async function closedLoop(url: string, batch: number, warmupMs: number, windowMs: number): Promise<Measured> {
  const profile = loadProfile('llama-3.1-8b');
  const body = JSON.stringify({
    model: 'llama-3.1-8b',
    prompt: Array.from({ length: profile.calibration.promptTokens }, (_, i) => i + 1),
    max_tokens: profile.calibration.outputTokens,
    ignore_eos: true,
    stream: true,
  });
  const t0 = performance.now();
  const winStart = t0 + warmupMs;
  const winEnd = winStart + windowMs;
  let windowTokens = 0;
  const open = new Set<ClientRequest>();
  let stopped = false;

  const startOne = (): void => {
    if (stopped) return;
    const req = request(
      `${url}/v1/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const t = performance.now();
          // One token per `"text":` event (stream interval 1).
          let n = 0;
          for (let i = chunk.indexOf('"text":'); i >= 0; i = chunk.indexOf('"text":', i + 1)) n++;
          if (n > 0 && t >= winStart && t < winEnd) windowTokens += n;
        });
        res.on('end', () => {
          open.delete(req);
          startOne();
        });
      },
    );
    req.on('error', () => open.delete(req));
    open.add(req);
    req.end(body);
  };
  for (let i = 0; i < batch; i++) startOne();
  await new Promise((r) => setTimeout(r, warmupMs + windowMs));
  stopped = true;
  for (const r of open) r.destroy();
  // The stream's inter-token latency from the aggregate count (batch x window / tokens), not from gaps
  // between reads: on a busy 2-core machine this client's own read delays bunch tokens together, which
  // moves the median of read gaps both ways while the number of tokens the server sent does not move.
  // In steady decode every step gives each running stream one token, so the two agree on an idle machine.
  return {
    itlP50Ms: windowTokens > 0 ? (batch * windowMs) / windowTokens : Number.NaN,
    throughputTokS: windowTokens / (windowMs / 1000),
  };
}

describe('calibration through real HTTP', () => {
  let sim: SpawnedSim;
  beforeAll(async () => {
    sim = await spawnSim(['--profile', 'llama-3.1-8b-h100-bf16', '--seed', '7']);
  });
  afterAll(async () => {
    await sim.stop();
  });

  for (const [batch, warmupMs, windowMs] of [
    [8, 400, 2000],
    [128, 2000, 2500],
  ] as const) {
    it(`batch ${batch}: median ITL and throughput within 10% of the profile's targets`, async () => {
      const target = loadProfile('llama-3.1-8b').targets.find((t) => t.batch === batch)!;
      const m = await closedLoop(sim.url, batch, warmupMs, windowMs);
      expect(Math.abs(m.itlP50Ms / target.itlP50Ms - 1), `ITL ${m.itlP50Ms} ms`).toBeLessThan(0.1);
      expect(
        Math.abs(m.throughputTokS / target.throughputTokS - 1),
        `${m.throughputTokS} tok/s`,
      ).toBeLessThan(0.1);
    });
  }
});
