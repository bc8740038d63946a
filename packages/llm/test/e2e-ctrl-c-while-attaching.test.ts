import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  benchEnv,
  collect,
  runArgs,
  runIdOf,
  type Sandbox,
  sandbox,
  showRun,
  startBench,
  waitForStderr,
} from './e2e-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 14 "Ctrl-C while attaching is ignored": a server that is slow to become ready, in three ways; a
// SIGINT during the attach ends the run within 2 s, exit 4, the run stored as aborted.
type Slowness = 'health-503' | 'health-hangs' | 'models-hangs' | 'models-slow';

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const [, mode, ...rest] = (req.url ?? '/').split('/');
    const path = `/${rest.join('/')}`;
    if (mode === 'models-slow') {
      // Answers /v1/models after 3 s, then is ready at once: the SIGINT lands before the engine is acquired.
      if (path === '/v1/models')
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}'), 3000);
      else res.writeHead(path === '/health' ? 200 : 404).end();
      return;
    }
    if (path === '/health') {
      if (mode === 'health-hangs') return; // never answers: each readiness probe waits for its own timeout
      res.writeHead(503).end('loading');
      return;
    }
    if (path === '/v1/models') {
      if (mode === 'models-hangs') return;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('Ctrl-C while attaching to a server that is not ready', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.cleanup();
  });

  it.each<Slowness>(['health-503', 'health-hangs', 'models-hangs', 'models-slow'])(
    '%s: exit 4 within 2 s of the SIGINT, run aborted',
    async (slowness) => {
      const box = sandbox();
      boxes.push(box);
      const env = benchEnv(box);
      const child = startBench(
        runArgs('vllm', [
          '--endpoint',
          `http://127.0.0.1:${port}/${slowness}/v1`,
          '--ready-timeout',
          '600',
          '--concurrency',
          '1,2',
          '--duration',
          '10',
          '--power-source',
          'none',
        ]),
        env,
      );
      const done = collect(child, 40_000);
      await waitForStderr(child, 'plan:');
      // Well inside the attach: past the first probe, before any timeout of one.
      await sleep(1500);
      const sentAt = performance.now();
      child.kill('SIGINT');
      const r = await done;
      const exitMs = performance.now() - sentAt;
      console.log(`${slowness}: exit ${r.code} ${exitMs.toFixed(0)} ms after the SIGINT`);
      expect(r.code, r.stderr).toBe(4);
      expect(exitMs).toBeLessThan(2000);
      expect(r.stderr).toContain('SIGINT: stopping the run');
      const doc = await showRun(runIdOf(r), env);
      expect(doc.status).toBe('aborted');
      expect(doc.levels).toHaveLength(0);
    },
  );
});
