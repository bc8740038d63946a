import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevel } from '../src/load/level-runner.js';
import { startTimedServer, type TimedServer, tinyClient } from './driver-helpers.js';
import { shortLevel } from './driver-options.js';

describe('convergence gate', () => {
  let server: TimedServer;
  beforeAll(async () => {
    server = await startTimedServer({ ttftMs: 5, gapMs: 5, tokens: 4 });
  });
  afterAll(() => server.close());

  it('opens when the CoV of the last window falls below the threshold', async () => {
    const client = tinyClient(server.baseUrl, 2);
    const run = await runLevel(shortLevel({ client, gateWindow: 5, gateCov: 0.2, gateTimeoutS: 5 }));
    await client.close();
    expect(run.gate.converged).toBe(true);
    expect(run.gate.cov!).toBeLessThan(0.2);
    expect(run.gate.completed).toBeGreaterThanOrEqual(5);
    expect(run.gate.duration_s).toBeLessThan(2);
  });

  it('measures anyway after the gate timeout and flags converged: false', async () => {
    const client = tinyClient(server.baseUrl, 2);
    // A CoV below 0.0001 never happens with real timers: the gate times out after 0.4 s.
    const run = await runLevel(shortLevel({ client, gateWindow: 5, gateCov: 0.0001, gateTimeoutS: 0.4 }));
    await client.close();
    expect(run.gate.converged).toBe(false);
    expect(run.gate.duration_s).toBeGreaterThanOrEqual(0.39);
    expect(run.measured.length).toBeGreaterThan(0);
  });
});
