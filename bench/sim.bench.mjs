#!/usr/bin/env node
/**
 * Simulator scale benchmark (`npm run bench:sim`): one simulator process pinned to core 1 holds 5,000
 * concurrent streams driven by a load process pinned to core 0. Reports how late each engine step ended
 * versus its modelled time (p50/p99/max), the simulator's CPU use and memory.
 *
 * Env: SIM_BENCH_STREAMS (5000), SIM_BENCH_DURATION_S (40), SIM_BENCH_PROFILE (llama-3.1-8b).
 * Needs a build first (`npx tsc -b packages/sim`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const STREAMS = Number(process.env.SIM_BENCH_STREAMS ?? 5000);
const DURATION_S = Number(process.env.SIM_BENCH_DURATION_S ?? 40);
const PROFILE = process.env.SIM_BENCH_PROFILE ?? 'llama-3.1-8b';
const CLI = fileURLToPath(new URL('../packages/sim/dist/cli.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function hasTaskset() {
  return ['/usr/bin/taskset', '/bin/taskset'].some((p) => existsSync(p));
}

/** argv to run `cmd` pinned to `core` when taskset exists. */
function pinned(core, cmd) {
  return hasTaskset() ? ['taskset', ['-c', String(core), ...cmd]] : [cmd[0], cmd.slice(1)];
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
}

/** Load mode: keep STREAMS streaming requests open (closed loop) until told to stop on stdin. */
async function loadMode(url) {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const body = JSON.stringify({
    prompt: Array.from({ length: 256 }, (_, i) => i + 1),
    max_tokens: 256,
    ignore_eos: true,
    stream: true,
  });
  let open = 0;
  let peakOpen = 0;
  let chunks = 0;
  let completed = 0;
  let errors = 0;
  let stopping = false;
  const start = () => {
    if (stopping) return;
    const req = request(`${url}/v1/completions`, { method: 'POST', agent }, (res) => {
      open++;
      peakOpen = Math.max(peakOpen, open);
      res.on('data', () => {
        chunks++;
      });
      res.on('end', () => {
        open--;
        completed++;
        start();
      });
    });
    req.on('error', () => {
      errors++;
    });
    req.end(body);
  };
  for (let i = 0; i < STREAMS; i++) start();
  process.stdin.once('data', () => {
    stopping = true;
    process.stdout.write(`${JSON.stringify({ open, peakOpen, chunks, completed, errors })}\n`);
    process.exit(0);
  });
}

async function main() {
  if (!existsSync(CLI)) {
    console.error(`error: ${CLI} is missing\nhint: build first: npx tsc -b packages/sim`);
    process.exit(2);
  }
  const [simCmd, simArgs] = pinned(1, [process.execPath, CLI, 'serve', '--port', '0', '--profile', PROFILE]);
  const sim = spawn(simCmd, simArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    sim.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    sim.on('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  const before = await getJson(`${url}/sim/stats`);
  const [loadCmd, loadArgs] = pinned(0, [process.execPath, SELF, '--load', url]);
  const load = spawn(loadCmd, loadArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
  const t0 = performance.now();
  console.error(`bench:sim ${STREAMS} streams for ${DURATION_S} s against ${url} (taskset: ${hasTaskset()})`);
  // Sample the sim's load mid-run (after ramp-up) for the running/waiting picture.
  await new Promise((r) => setTimeout(r, (DURATION_S * 1000) / 2));
  const mid = await getJson(`${url}/sim/stats`);
  await new Promise((r) => setTimeout(r, (DURATION_S * 1000) / 2));
  // Lateness over the second half only: the first includes accepting and parsing 5,000 requests.
  const after = await getJson(`${url}/sim/stats?since_step=${mid.steps}`);
  const all = await getJson(`${url}/sim/stats`);
  const wallS = (performance.now() - t0) / 1000;
  load.stdin.write('stop\n');
  const loadStats = await new Promise((resolve) => {
    let out = '';
    load.stdout.on('data', (c) => {
      out += c;
    });
    load.on('exit', () => resolve(JSON.parse(out || '{}')));
  });
  sim.kill('SIGTERM');
  const cpuS = (after.cpu_user_us + after.cpu_system_us - before.cpu_user_us - before.cpu_system_us) / 1e6;
  const result = {
    streams: STREAMS,
    duration_s: Number(wallS.toFixed(1)),
    profile: PROFILE,
    steps: after.steps - before.steps,
    step_lateness_ms_whole_run: {
      p50: Number(all.lateness_ms.p50.toFixed(3)),
      p99: Number(all.lateness_ms.p99.toFixed(3)),
      max: Number(all.lateness_ms.max.toFixed(3)),
    },
    steady_steps: after.lateness_steps,
    step_lateness_ms: {
      p50: Number(after.lateness_ms.p50.toFixed(3)),
      p99: Number(after.lateness_ms.p99.toFixed(3)),
      max: Number(after.lateness_ms.max.toFixed(3)),
    },
    sim_cpu_percent: Number(((cpuS / wallS) * 100).toFixed(1)),
    sim_rss_mb: Number((after.rss_bytes / 2 ** 20).toFixed(1)),
    sim_heap_mb: Number((after.heap_used_bytes / 2 ** 20).toFixed(1)),
    mid_run: {
      running: mid.running,
      waiting: mid.waiting,
      kv_cache_usage: Number(mid.kv_cache_usage.toFixed(3)),
    },
    tokens_streamed: after.generation_tokens_total - before.generation_tokens_total,
    load: loadStats,
  };
  console.log(JSON.stringify(result, null, 2));
  const ok = result.step_lateness_ms.p99 <= 1;
  console.error(
    `step lateness p99 ${result.step_lateness_ms.p99} ms: ${ok ? 'within' : 'OVER'} the 1 ms target`,
  );
}

if (process.argv[2] === '--load') await loadMode(process.argv[3]);
else await main();
