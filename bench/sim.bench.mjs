#!/usr/bin/env node
/**
 * Simulator scale benchmark (`npm run bench:sim`): one simulator process pinned to core 1 holds 5,000
 * concurrent streams driven by a load process pinned to core 0. Reports how late each engine step ended
 * versus its modelled time (p50/p99/max), the simulator's CPU use and memory.
 *
 * Env: SIM_BENCH_STREAMS (5000), SIM_BENCH_DURATION_S (40), SIM_BENCH_PROFILE (llama-3.1-8b),
 * SIM_BENCH_NICE (nice level of both processes, e.g. -10; off), SIM_BENCH_RT (SCHED_FIFO priority of
 * the simulator, e.g. 50, through `chrt`; off), SIM_BENCH_NODE_ARGS (node flags of the simulator;
 * default `--single-threaded-gc`; '' for none, or e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 * Needs a build first (`npx tsc -b packages/sim`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const STREAMS = Number(process.env.SIM_BENCH_STREAMS ?? 5000);
const DURATION_S = Number(process.env.SIM_BENCH_DURATION_S ?? 40);
const PROFILE = process.env.SIM_BENCH_PROFILE ?? 'llama-3.1-8b';
const NICE = process.env.SIM_BENCH_NICE ?? '';
const RT = process.env.SIM_BENCH_RT ?? '';
// V8's GC helper threads share the simulator's one pinned core with the event loop (and, under
// SCHED_FIFO, are not preempted by it): without them, late steps at 5,000 streams drop from tens of ms
// to ~2 ms. It is a start-up flag (setting it at run time aborts V8), so it is passed here.
const NODE_ARGS = process.env.SIM_BENCH_NODE_ARGS ?? '--single-threaded-gc';
const CLI = fileURLToPath(new URL('../packages/sim/dist/cli.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function hasTaskset() {
  return ['/usr/bin/taskset', '/bin/taskset'].some((p) => existsSync(p));
}

/** argv to run `cmd` pinned to `core` when taskset exists. */
function pinned(core, cmd, realtime = false) {
  // On a shared machine other work also runs on the pinned cores; SIM_BENCH_NICE (both processes) or
  // SIM_BENCH_RT (SCHED_FIFO for the simulator only; both need privileges) lend them the priority that
  // the dedicated cores of the target would give. The simulator sleeps most of each step, so FIFO
  // takes no more of core 1 than the simulator uses.
  let full = NICE ? ['nice', '-n', NICE, ...cmd] : cmd;
  if (realtime && RT) full = ['chrt', '-f', RT, ...full];
  return hasTaskset() ? ['taskset', ['-c', String(core), ...full]] : [full[0], full.slice(1)];
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

/**
 * Load mode: keep STREAMS streaming requests open (closed loop) until told to stop on stdin. Raw `net`
 * sockets with keep-alive and a pre-encoded request, so the load process stays far from its core's
 * limit and never shapes the simulator's timing: a read is counted, and the end of a response is the
 * chunked terminator at the end of a read (the only place `0\r\n\r\n` can appear in this stream).
 */
async function loadMode(url) {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    prompt: Array.from({ length: 256 }, (_, i) => i + 1),
    max_tokens: 256,
    ignore_eos: true,
    stream: true,
  });
  const requestBytes = Buffer.from(
    `POST /v1/completions HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`,
  );
  const terminator = Buffer.from('0\r\n\r\n');
  const ok = Buffer.from('HTTP/1.1 200');
  let open = 0;
  let peakOpen = 0;
  let reads = 0;
  let bytes = 0;
  let completed = 0;
  let errors = 0;
  let stopping = false;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  const connect = () => {
    const socket = createConnection({ host: hostname, port: Number(port), noDelay: true });
    let inResponse = false;
    // The last bytes of the previous read, in case the terminator is split across reads.
    let carry = Buffer.alloc(0);
    const send = () => {
      if (stopping) return;
      inResponse = false;
      socket.write(requestBytes);
    };
    socket.on('connect', send);
    socket.on('data', (buf) => {
      reads++;
      bytes += buf.length;
      if (!inResponse) {
        inResponse = true;
        open++;
        peakOpen = Math.max(peakOpen, open);
        if (buf.length < ok.length || buf.compare(ok, 0, ok.length, 0, ok.length) !== 0) errors++;
      }
      const tail = buf.length >= terminator.length ? buf : Buffer.concat([carry, buf]);
      if (tail.length >= terminator.length && tail.compare(terminator, 0, 5, tail.length - 5) === 0) {
        open--;
        completed++;
        carry = Buffer.alloc(0);
        send();
      } else {
        carry = buf.length >= 5 ? buf.subarray(buf.length - 5) : tail.subarray(-5);
      }
    });
    socket.on('error', () => {
      errors++;
    });
  };
  for (let i = 0; i < STREAMS; i++) connect();
  process.stdin.once('data', () => {
    stopping = true;
    const cpu = process.cpuUsage(cpu0);
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100;
    const stats = {
      open,
      peakOpen,
      reads,
      bytes,
      completed,
      errors,
      cpuPercent: Number(cpuPercent.toFixed(1)),
    };
    process.stdout.write(`${JSON.stringify(stats)}\n`);
    process.exit(0);
  });
}

async function main() {
  if (!existsSync(CLI)) {
    console.error(`error: ${CLI} is missing\nhint: build first: npx tsc -b packages/sim`);
    process.exit(2);
  }
  const nodeArgs = NODE_ARGS.split(' ').filter(Boolean);
  const [simCmd, simArgs] = pinned(
    1,
    [process.execPath, ...nodeArgs, CLI, 'serve', '--port', '0', '--profile', PROFILE],
    true,
  );
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
  const loadStart = loadavg()[0];
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
    // When the last token of a step was handed to its socket (the hand-off burst included).
    step_handoff_done_ms: after.handoff_done_ms && {
      p50: Number(after.handoff_done_ms.p50.toFixed(3)),
      p99: Number(after.handoff_done_ms.p99.toFixed(3)),
      max: Number(after.handoff_done_ms.max.toFixed(3)),
    },
    step_handoff_cpu_ms: after.handoff_cpu_ms && {
      p50: Number(after.handoff_cpu_ms.p50.toFixed(3)),
      p99: Number(after.handoff_cpu_ms.p99.toFixed(3)),
      max: Number(after.handoff_cpu_ms.max.toFixed(3)),
    },
    sim_cpu_percent: Number(((cpuS / wallS) * 100).toFixed(1)),
    sim_cpu_system_percent: Number(
      (((after.cpu_system_us - before.cpu_system_us) / 1e6 / wallS) * 100).toFixed(1),
    ),
    sim_rss_mb: Number((after.rss_bytes / 2 ** 20).toFixed(1)),
    sim_heap_mb: Number((after.heap_used_bytes / 2 ** 20).toFixed(1)),
    mid_run: {
      running: mid.running,
      waiting: mid.waiting,
      kv_cache_usage: Number(mid.kv_cache_usage.toFixed(3)),
    },
    tokens_streamed: after.generation_tokens_total - before.generation_tokens_total,
    load: loadStats,
    // The machine's 1-minute load average at the start and the end: other work steals the pinned cores.
    loadavg_1m: [Number(loadStart.toFixed(2)), Number(loadavg()[0].toFixed(2))],
    priority: { nice: NICE || null, sched_fifo: RT || null },
    sim_node_args: NODE_ARGS,
  };
  console.log(JSON.stringify(result, null, 2));
  const ok = result.step_lateness_ms.p99 <= 1;
  console.error(
    `step lateness p99 ${result.step_lateness_ms.p99} ms: ${ok ? 'within' : 'OVER'} the 1 ms target`,
  );
}

if (process.argv[2] === '--load') await loadMode(process.argv[3]);
else await main();
