// npm run bench:client — speed and accuracy of the streaming client (SPEC §15).
// The server runs in its own process pinned to core 1, this client on core 0 (re-executed under taskset).
//  (a) chunks/s parsed and timestamped against a 1000-event stream served as fast as possible (conc 1, 8)
//  (b) TTFT/TPOT accuracy with 1000 concurrent trickling streams (first token 100 ms, then every 10 ms)
//  (c) memory per in-flight request during (b)
//  (d) nginx firehose: nginx (one process, sendfile, core 1) serving a static 1000-event vLLM-shaped
//      completions stream to every POST, compact and spaced JSON, 64 streams; with --peer "CMD" an
//      external client command runs alternately with ours on the same nginx and core (the ratio is printed)
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineIdleS, nginxAvailable, startNginx } from './servers/nginx-firehose.mjs';

const self = fileURLToPath(import.meta.url);
// BENCH_CLIENT_CPUS / BENCH_SERVER_CPUS (taskset lists, default 0 and 1): `0,1` for both lets --workers
// threads spread over the two cores (worker scaling), with the server sharing them.
const clientCpus = process.env.BENCH_CLIENT_CPUS ?? '0';
const serverCpus = process.env.BENCH_SERVER_CPUS ?? '1';
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (hasTaskset && !process.env.BENCH_PINNED) {
  const child = spawn(
    'taskset',
    [
      '-c',
      clientCpus,
      process.execPath,
      '--expose-gc',
      // e.g. BENCH_NODE_FLAGS=--cpu-prof to profile the client under load
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      self,
      ...process.argv.slice(2),
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PINNED: '1' },
    },
  );
  const [code] = await once(child, 'exit');
  process.exit(code ?? 1);
}

// BENCH_CLIENT_MODULE points at another build of streaming-client.js (a before/after comparison).
const clientModule = process.env.BENCH_CLIENT_MODULE
  ? pathToFileURL(process.env.BENCH_CLIENT_MODULE).href
  : '../packages/llm/dist/client/streaming-client.js';
const { createStreamingClient } = await import(clientModule);
const quirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };
const item = { id: 'b-0', prompt: 'hello', promptTokens: 1, outputTokens: 1000 };
const quick = process.argv.includes('--quick');
// --trickle-only skips (a); --stagger / --no-stagger: how the trickle streams' starts are spread (below).
const trickleOnly = process.argv.includes('--trickle-only');
// --firehose-only runs only (d); --no-firehose skips it; --peer "CMD" (or --peer=CMD) adds the peer.
const firehoseOnly = process.argv.includes('--firehose-only');
const noFirehose = process.argv.includes('--no-firehose');
// --workers=1,2: (d) runs our client with each number of worker threads (load/workers.ts) in turn.
const workerCounts = (process.argv.find((a) => a.startsWith('--workers='))?.split('=')[1] ?? '1')
  .split(',')
  .map(Number);
const peerAt = process.argv.findIndex((a) => a === '--peer' || a.startsWith('--peer='));
const peerCmd =
  peerAt < 0
    ? null
    : process.argv[peerAt].startsWith('--peer=')
      ? process.argv[peerAt].slice(7)
      : process.argv[peerAt + 1];
// --stagger=gap (default): stream i starts at i/streams of one token gap, so packets arrive at a steady
// rate; but every stream ends its request within ~10 ms of the others, and at 2,000 streams that burst of
// completions and new requests delays the last tokens of each round (bench/notes/client.md).
// --stagger=request: spread over one request's nominal length (first token plus the gaps), so request
// ends and new requests are spread too; there the first token of every request came 12-22 ms late on this
// machine, for the bare reader as for ours (the notes again). --no-stagger: all at once (lock-step).
const stagger = process.argv.includes('--no-stagger')
  ? 'none'
  : (process.argv.find((a) => a.startsWith('--stagger='))?.split('=')[1] ?? 'gap');
if (!['request', 'gap', 'none'].includes(stagger)) throw new Error('--stagger is request, gap or none');
// The trickle server's schedule: first token FIRST_MS after the request, then one every GAP_MS, TOKENS in all.
const TRICKLE = { firstMs: 100, gapMs: 10, tokens: 100 };
/** The span stream starts are spread over (ms). */
const staggerMs =
  stagger === 'request'
    ? TRICKLE.firstMs + (TRICKLE.tokens - 1) * TRICKLE.gapMs
    : stagger === 'gap'
      ? TRICKLE.gapMs
      : 0;
// --bare: after our client's trickle rounds, the same load read by a client that does nothing per read.
const bare = process.argv.includes('--bare');
const { bareTrickle } = await import('./bare-reader.mjs');
// --transport=raw,undici (default both) and --rounds=N: each round runs every transport in turn, so a
// change in machine load hits both alike; compare client CPU per chunk, not wall time alone.
const transports = (process.argv.find((a) => a.startsWith('--transport='))?.split('=')[1] ?? 'raw,undici')
  .split(',')
  .filter(Boolean);
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 1);

async function startServer(file, env = {}) {
  const script = fileURLToPath(new URL(`./servers/${file}`, import.meta.url));
  const flags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
  // A .c server is compiled first (cc -O2) and run as its own binary.
  let command = [process.execPath, ...flags, script];
  if (file.endsWith('.c')) {
    const bin = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-server-')), file.replace(/\.c$/, ''));
    const cc = spawnSync('cc', ['-O2', '-o', bin, script], { stdio: 'inherit' });
    if (cc.status !== 0) throw new Error(`could not build ${file} with cc (apt-get install gcc)`);
    command = [bin];
  }
  const args = hasTaskset ? ['-c', serverCpus, ...command] : command.slice(1);
  const proc = spawn(hasTaskset ? 'taskset' : command[0], args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`server ${file} exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/v1`, origin: `http://127.0.0.1:${port}`, stop: () => proc.kill() };
}

function percentile(values, q) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Our client with `workers` threads (1: the plain client on this thread; N > 1: load/workers.ts). */
async function makeClient(url, concurrency, transport, workers = 1) {
  return workers > 1
    ? (await import('../packages/llm/dist/load/workers.js')).createWorkerClient({
        baseUrl: url,
        connections: concurrency,
        quirks,
        transport,
        workers,
      })
    : createStreamingClient({ baseUrl: url, connections: concurrency, quirks, transport });
}

/** Opens the connections and runs 20 requests so the JIT has compiled the hot path before timing. */
async function warmClient(client, concurrency, api) {
  await client.warm(concurrency);
  for (let i = 0; i < 20; i++) await client.send({ item, api, model: 'm' }, { timeoutMs: 30_000 });
}

/** A closed loop of `concurrency` streams for `durationMs` on an open client: content chunks per second. */
async function closedLoop(client, concurrency, durationMs, api) {
  const request = { item, api, model: 'm' };
  let chunks = 0;
  let requests = 0;
  let failures = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = t0 + durationMs;
  async function worker() {
    // The result in a callback, as in the trickle below (an async frame keeps its last awaited value).
    while (performance.now() < deadline)
      await client.send(request, { timeoutMs: 30_000 }).then((r) => {
        if (r.status !== 'ok' || r.chunkTimes.length !== 1000) failures++;
        chunks += r.chunkTimes.length;
        requests++;
      });
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    concurrency,
    chunksPerS: chunks / elapsedS,
    chunksPerCpuS: chunks / ((cpu.user + cpu.system) / 1e6),
    requests,
    failures,
    cpuS: (cpu.user + cpu.system) / 1e6,
    elapsedS,
  };
}

/**
 * Runs `run` (our client against nginx) and adds, over the same interval, nginx's own CPU and the
 * machine's idle time in % of one core: the split of the cores printed beside the rates.
 */
async function withCpuSplit(nginx, run) {
  const n0 = nginx.cpuS();
  const i0 = machineIdleS();
  const r = await run();
  const n1 = nginx.cpuS();
  const i1 = machineIdleS();
  r.serverCpuPct = n0 === null || n1 === null ? null : ((n1 - n0) / r.elapsedS) * 100;
  r.idlePct = i0 === null || i1 === null ? null : ((i1 - i0) / r.elapsedS) * 100;
  return r;
}

/** (a)/(d) A fresh client, warmed, then a closed loop at `concurrency` for `durationMs`. */
async function fastRun(url, concurrency, durationMs, transport, api = 'chat', workers = 1) {
  const client = await makeClient(url, concurrency, transport, workers);
  await warmClient(client, concurrency, api);
  const r = await closedLoop(client, concurrency, durationMs, api);
  await client.close();
  return r;
}

/** (b)+(c) `streams` concurrent trickling streams, a warm-up request then `rounds` measured ones each. */
async function trickleRun(server, streams, rounds, transport) {
  const client = createStreamingClient({ baseUrl: server.url, connections: streams, quirks, transport });
  await client.warm(streams);
  const request = { item: { ...item, outputTokens: 100 }, api: 'chat', model: 'm' };
  globalThis.gc?.();
  const mem0 = process.memoryUsage();
  let peak = { inFlight: 0, heapUsed: 0, rss: 0 };
  let inFlight = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (inFlight >= peak.inFlight && m.heapUsed + m.rss > peak.heapUsed + peak.rss)
      peak = { inFlight, heapUsed: m.heapUsed, rss: m.rss };
  }, 50);
  const ttftMs = [];
  const tpotMs = [];
  const delayMs = [];
  const tpotErrPct = [];
  const trueTtftMs = [];
  let failures = 0;
  // Every chunk read, warm-up round included: the rate and the CPU per chunk are over the whole run.
  let allChunks = 0;
  async function worker(index) {
    // Streams start spread over `staggerMs` (see --stagger), so packets, request ends and new requests
    // arrive at a steady rate as from independent users, not in lock-step bursts.
    if (staggerMs > 0) await new Promise((r) => setTimeout(r, (index * staggerMs) / streams));
    // Round 0 is each stream's warm-up and is not measured: it starts all streams within one token gap
    // (a burst of `streams` requests that the steady state never sees) and runs the client's first-chunk
    // and per-request paths cold. The measured rounds follow on the same streams, back to back, as a
    // level's window follows its gate.
    // Each result is taken in a callback, not bound in this loop: an async function's frame keeps the
    // last awaited value alive through the next await, so every stream held its previous result (text,
    // chunk times) for the whole next request, and all of them were promoted at every scavenge (a heap
    // snapshot at 2,000 streams: 1,813 such texts, 3.3 MB, retained from the generator's registers).
    for (let r = 0; r <= rounds; r++) {
      inFlight++;
      await client.send(request, { timeoutMs: 60_000 }).then((res) => measure(r, res));
    }
  }
  function measure(r, res) {
    inFlight--;
    if (res.status === 'ok') allChunks += res.chunkTimes.length;
    if (r === 0) {
      if (res.status !== 'ok') failures++;
      return;
    }
    if (res.status !== 'ok' || res.chunkTimes.length < 2) {
      failures++;
      return;
    }
    const t = res.chunkTimes;
    ttftMs.push(t[0] - res.sentAt);
    tpotMs.push((t[t.length - 1] - t[0]) / (t.length - 1));
    // Each token's text is `|<absolute ms when the server wrote it>`: the truth to compare with. Only
    // the first and last are parsed (the bench's own work shares the client's core during the run).
    const text = res.text;
    let marks = 0;
    for (let k = text.indexOf('|'); k >= 0; k = text.indexOf('|', k + 1)) marks++;
    if (marks === t.length) {
      const firstWritten = Number.parseFloat(text.slice(text.indexOf('|') + 1));
      const lastWritten = Number.parseFloat(text.slice(text.lastIndexOf('|') + 1));
      const written = [firstWritten, lastWritten];
      const origin = performance.timeOrigin;
      delayMs.push(origin + t[0] - written[0]);
      const trueTpot = (written[1] - written[0]) / (t.length - 1);
      tpotErrPct.push(((tpotMs[tpotMs.length - 1] - trueTpot) / trueTpot) * 100);
      trueTtftMs.push(written[0] - (origin + res.sentAt));
    }
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: streams }, (_, i) => worker(i)));
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const serverLag = await (await fetch(`${server.origin}/stats`)).json();
  await client.close();
  return {
    streams,
    requests: ttftMs.length,
    failures,
    chunksPerS: allChunks / elapsedS,
    clientCpuPct: ((cpu.user + cpu.system) / 1e6 / elapsedS) * 100,
    clientSysPct: (cpu.system / 1e6 / elapsedS) * 100,
    cpuUsPerChunk: (cpu.user + cpu.system) / allChunks,
    ttftP50Ms: percentile(ttftMs, 0.5),
    ttftP99Ms: percentile(ttftMs, 0.99),
    tpotP50Ms: percentile(tpotMs, 0.5),
    tpotP99Ms: percentile(tpotMs, 0.99),
    ttftErrP50Ms: percentile(delayMs, 0.5),
    ttftErrP99Ms: percentile(delayMs, 0.99),
    trueTtftP50Ms: percentile(trueTtftMs, 0.5),
    tpotErrP50Pct: percentile(tpotErrPct, 0.5),
    serverWriteLagMinMs: serverLag.minMs,
    serverWriteLagP50Ms: serverLag.p50Ms,
    serverWriteLagP99Ms: serverLag.p99Ms,
    serverWrites: serverLag.writes,
    memPerInFlightKiB:
      peak.inFlight > 0 ? (peak.heapUsed + peak.rss - mem0.heapUsed - mem0.rss) / peak.inFlight / 1024 : null,
    peakInFlight: peak.inFlight,
  };
}

const fmt = (x, d = 2) => (x === null || x === undefined ? 'n/a' : Number(x).toFixed(d));
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, node ${process.version}, pinned: ${hasTaskset}`,
);

const fast = trickleOnly || firehoseOnly ? null : await startServer('fast-stream.mjs');
if (fast)
  try {
    for (let round = 0; round < rounds; round++)
      for (const transport of transports)
        for (const concurrency of [1, 8]) {
          const r = await fastRun(fast.url, concurrency, quick ? 1500 : 5000, transport);
          console.log(
            `(a) [${transport}] fast stream, concurrency ${concurrency}: ${fmt(r.chunksPerS / 1000, 1)}k chunks/s ` +
              `(${r.requests} requests, ${r.failures} bad, client cpu ${fmt((r.cpuS / r.elapsedS) * 100, 0)}%, ` +
              `${fmt(r.chunksPerCpuS / 1000, 1)}k chunks per client cpu-second; the target is the ratio to vLLM's client in (d))`,
          );
        }
  } finally {
    fast.stop();
  }

if (!firehoseOnly) {
  // The trickle server: its C twin (bench/servers/trickle-stream.c, built with cc) by default, because the
  // Node one cannot write 200,000 packets/s on one core of a small machine (2,000 streams; it delivered
  // 126-163k here, with a write lag p50 of 9-86 ms), so the load under test never reached the client.
  // --trickle-server=node runs the Node one (also the fallback without a C compiler).
  const hasCc = spawnSync('cc', ['--version']).status === 0;
  const trickleServer =
    process.argv.find((a) => a.startsWith('--trickle-server='))?.split('=')[1] ?? (hasCc ? 'c' : 'node');
  if (trickleServer === 'c' && !hasCc)
    throw new Error('--trickle-server=c needs a C compiler (apt-get install gcc)');
  console.log(
    `(b) trickle server: ${trickleServer === 'c' ? 'C (bench/servers/trickle-stream.c)' : 'Node (bench/servers/trickle-stream.mjs)'}`,
  );
  const trickle = await startServer(trickleServer === 'c' ? 'trickle-stream.c' : 'trickle-stream.mjs', {
    FIRST_MS: String(TRICKLE.firstMs),
    GAP_MS: String(TRICKLE.gapMs),
    TOKENS: String(TRICKLE.tokens),
  });
  try {
    // --streams=1000,2000 runs each count in turn (SPEC §15 asks for 1,000 and 2,000).
    const streamCounts = (
      process.argv.find((a) => a.startsWith('--streams='))?.split('=')[1] ?? (quick ? '200' : '1000,2000')
    )
      .split(',')
      .map(Number);
    for (let round = 0; round < rounds; round++)
      for (const streams of streamCounts)
        for (const transport of transports) {
          const r = await trickleRun(trickle, streams, quick ? 1 : 3, transport);
          console.log(
            `(b) [${transport}] [load avg ${os.loadavg()[0].toFixed(1)}] trickle, ${r.streams} streams${stagger === 'none' ? ' (lock-step starts)' : ` (starts spread over ${staggerMs} ms)`}: ${r.requests} measured requests after one warm-up request per stream (${r.failures} bad), ` +
              `${fmt(r.chunksPerS / 1000, 1)}k chunks/s, client cpu ${fmt(r.clientCpuPct, 0)}% ` +
              `(kernel ${fmt(r.clientSysPct, 0)}%; ${fmt(r.cpuUsPerChunk, 1)} µs of client cpu per chunk)\n` +
              `    TTFT p50 ${fmt(r.ttftP50Ms)} ms (error ${fmt(r.ttftP50Ms - TRICKLE.firstMs)} ms, target |err| <= 2), p99 ${fmt(r.ttftP99Ms)} ms\n` +
              `    TPOT p50 ${fmt(r.tpotP50Ms, 3)} ms (error ${fmt(((r.tpotP50Ms - TRICKLE.gapMs) / TRICKLE.gapMs) * 100)}%, target <= 1%), p99 ${fmt(r.tpotP99Ms, 3)} ms\n` +
              `    against the server's actual write times: TTFT error p50 ${fmt(r.ttftErrP50Ms, 3)} ms, p99 ${fmt(r.ttftErrP99Ms, 3)} ms ` +
              `(true TTFT p50 ${fmt(r.trueTtftP50Ms)} ms), TPOT error p50 ${fmt(r.tpotErrP50Pct, 3)}%\n` +
              `    server's own write lag vs nominal min ${fmt(r.serverWriteLagMinMs, 3)} ms, p50 ${fmt(r.serverWriteLagP50Ms, 3)} ms, p99 ${fmt(r.serverWriteLagP99Ms, 3)} ms (${r.serverWrites} writes)`,
          );
          // The verdict against SPEC §15's targets (the errors against the server's actual writes), and
          // whether the server kept to its schedule: one that falls behind writes in catch-up bursts, so
          // the run did not offer the specified load.
          const ttftMet = Math.abs(r.ttftErrP50Ms) <= 2;
          const tpotMet = Math.abs(r.tpotErrP50Pct) <= 1;
          console.log(
            `    verdict: TTFT ${ttftMet ? 'met' : 'missed'}, TPOT ${tpotMet ? 'met' : 'missed'}` +
              (r.serverWriteLagP50Ms > 2
                ? `; the server fell behind its schedule (write lag p50 ${fmt(r.serverWriteLagP50Ms, 1)} ms > 2 ms), so the load was burstier than specified`
                : ''),
          );
          console.log(
            `(c) [${transport}] memory per in-flight request: ${fmt(r.memPerInFlightKiB, 1)} KiB (heapUsed+rss delta at ${r.peakInFlight} in flight)`,
          );
        }
    // --bare: right after ours, the floor of any Node client on the same server (bench/bare-reader.mjs).
    if (bare)
      for (const streams of streamCounts) {
        const port = Number(new URL(trickle.origin).port);
        await fetch(`${trickle.origin}/stats`).then((r) => r.text());
        const b = await bareTrickle({ port, streams, rounds: quick ? 1 : 3, staggerMs });
        const lag = await (await fetch(`${trickle.origin}/stats`)).json();
        const cpuS = b.cpuUserS + b.cpuSystemS;
        // The host's floor: the kernel's time per read(2) (the copy, the ACK, and on loopback that ACK's
        // processing for the server's socket) at the offered packet rate. Over 100% of a core, no client
        // that reads each packet can keep up on one core, whatever it does in user space.
        const offeredPerS = (streams * 1000) / TRICKLE.gapMs;
        const kernelShare = (b.cpuSystemS / b.reads) * offeredPerS;
        console.log(
          `(b) [bare Node reader] [load avg ${os.loadavg()[0].toFixed(1)}] trickle, ${streams} streams: ${b.errorsMs.length} requests, ` +
            `${fmt(b.reads / b.elapsedS / 1000, 1)}k reads/s, client cpu ${fmt((cpuS / b.elapsedS) * 100, 0)}% ` +
            `(${fmt((b.cpuUserS / b.reads) * 1e6, 2)} µs user + ${fmt((b.cpuSystemS / b.reads) * 1e6, 2)} µs kernel per read)\n` +
            `    against the server's actual write times: TTFT error p50 ${fmt(percentile(b.errorsMs, 0.5), 3)} ms, p99 ${fmt(percentile(b.errorsMs, 0.99), 3)} ms; ` +
            `server's own write lag vs nominal min ${fmt(lag.minMs, 3)} ms, p50 ${fmt(lag.p50Ms, 3)} ms, p99 ${fmt(lag.p99Ms, 3)} ms (${lag.writes} writes)\n` +
            `    the kernel alone, at that time per read and the offered ${fmt(offeredPerS / 1000, 0)}k packets/s: ${fmt(kernelShare * 100, 0)}% of a core` +
            (kernelShare > 1 ? ' (over 100%: this host cannot carry the specified load on one core)' : ''),
        );
      }
  } finally {
    trickle.stop();
  }
}

/**
 * Runs the peer command pinned like our client, with PEER_URL (the completions URL), PEER_CONCURRENCY and
 * PEER_DURATION_S in its environment; it must print "chunks/s <n>" (optionally "chunks <n> cpu_s <s>").
 */
async function peerRun(url, concurrency, durationS) {
  const argv = hasTaskset ? ['taskset', '-c', clientCpus, 'sh', '-c', peerCmd] : ['sh', '-c', peerCmd];
  const proc = spawn(argv[0], argv.slice(1), {
    env: {
      ...process.env,
      PEER_URL: `${url}/completions`,
      PEER_CONCURRENCY: String(concurrency),
      PEER_DURATION_S: String(durationS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  const [code] = await once(proc, 'exit');
  const m = /chunks\/s\s+([\d.]+)/.exec(out);
  if (code !== 0 || !m) throw new Error(`peer command failed (exit ${code}): ${out.trim().slice(0, 200)}`);
  // Optional "cpu_s <seconds>" and "chunks <n>": the peer's own CPU time, for chunks per CPU-second.
  const cpu = /cpu_s\s+([\d.]+)/.exec(out);
  const n = /chunks\s+(\d+)/.exec(out);
  return {
    chunksPerS: Number(m[1]),
    chunksPerCpuS: cpu && n ? Number(n[1]) / Number(cpu[1]) : null,
  };
}

if (!trickleOnly && !noFirehose) {
  if (!nginxAvailable()) console.log('(d) nginx firehose skipped: no nginx on PATH (apt-get install nginx)');
  else {
    const durationS = quick ? 2 : 5;
    const firehoseRounds = Number(
      process.argv.find((a) => a.startsWith('--firehose-rounds='))?.split('=')[1] ?? 2,
    );
    for (let round = 0; round < firehoseRounds; round++)
      for (const framing of ['compact', 'spaced']) {
        const nginx = await startNginx({ framing, cpu: serverCpus });
        try {
          const runOurs = (workers) =>
            withCpuSplit(nginx, () =>
              fastRun(nginx.url, 64, durationS * 1000, 'raw', 'completions', workers),
            );
          const split = (r) =>
            `cpu split: client ${fmt((r.cpuS / r.elapsedS) * 100, 0)}%, nginx ${fmt(r.serverCpuPct, 0)}%, idle ${fmt(r.idlePct, 0)}%`;
          // Alternate who goes first, so a change in machine load does not always favour one side.
          let peer = null;
          if (peerCmd && round % 2 === 1) peer = await peerRun(nginx.url, 64, durationS);
          const ours = await runOurs(1);
          if (peerCmd && round % 2 === 0) peer = await peerRun(nginx.url, 64, durationS);
          const load = os.loadavg()[0].toFixed(1);
          console.log(
            `(d) nginx firehose, ${framing} JSON, 64 streams, round ${round + 1}: ours ${fmt(ours.chunksPerS / 1000, 1)}k chunks/s ` +
              `(${ours.requests} requests, ${ours.failures} bad, ${split(ours)}, ${fmt(ours.chunksPerCpuS / 1000, 1)}k per client cpu-second)` +
              (peer
                ? `, peer ${fmt(peer.chunksPerS / 1000, 1)}k chunks/s, ratio ${fmt(ours.chunksPerS / peer.chunksPerS)}x (target >= 3)` +
                  (peer.chunksPerCpuS
                    ? `; per client cpu-second ours ${fmt(ours.chunksPerCpuS / 1000, 1)}k, peer ${fmt(peer.chunksPerCpuS / 1000, 1)}k, ratio ${fmt(ours.chunksPerCpuS / peer.chunksPerCpuS)}x`
                    : '')
                : '') +
              ` [load avg ${load}]`,
          );
        } finally {
          await nginx.stop();
        }
      }
  }
}

// (e) --workers=1,N: worker scaling against nginx, in interleaved pairs. The machine's speed drifts by 10-20%
// between runs of a few seconds here (a shared VM), so one run of each side says more about the drift than
// about the threads: both clients stay open, and each pair runs them back to back (who goes first
// alternates); the ratios are per pair, summarised by their median and range.
if (workerCounts.length > 1 && !trickleOnly) {
  if (!nginxAvailable()) console.log('(e) worker scaling skipped: no nginx on PATH (apt-get install nginx)');
  else {
    const pairs = Number(
      process.argv.find((a) => a.startsWith('--scaling-pairs='))?.split('=')[1] ?? (quick ? 3 : 8),
    );
    const seconds = Number(process.argv.find((a) => a.startsWith('--scaling-seconds='))?.split('=')[1] ?? 2);
    const [base, ...others] = workerCounts;
    const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    for (const framing of ['compact', 'spaced']) {
      const nginx = await startNginx({ framing, cpu: serverCpus });
      try {
        const clients = new Map();
        for (const w of workerCounts) {
          const c = await makeClient(nginx.url, 64, 'raw', w);
          await warmClient(c, 64, 'completions');
          clients.set(w, c);
        }
        const timed = (w) =>
          withCpuSplit(nginx, () => closedLoop(clients.get(w), 64, seconds * 1000, 'completions'));
        for (const w of others) {
          const rate = [];
          const perCpu = [];
          const cpu = { [base]: [], [w]: [] };
          for (let i = 0; i < pairs; i++) {
            const order = i % 2 === 0 ? [base, w] : [w, base];
            const r = {};
            for (const k of order) r[k] = await timed(k);
            rate.push(r[w].chunksPerS / r[base].chunksPerS);
            perCpu.push(r[w].chunksPerCpuS / r[base].chunksPerCpuS);
            for (const k of order) cpu[k].push(r[k]);
            console.log(
              `(e) ${framing} JSON, pair ${i + 1}: ${base} worker(s) ${fmt(r[base].chunksPerS / 1e6, 2)}M chunks/s, ${w} workers ${fmt(r[w].chunksPerS / 1e6, 2)}M: ` +
                `total ${fmt(rate[i], 3)}x, per client cpu-second ${fmt(perCpu[i], 3)}x`,
            );
          }
          const share = (rs, key) =>
            fmt(median(rs.map((r) => (key === 'client' ? (r.cpuS / r.elapsedS) * 100 : r[key]))), 0);
          console.log(
            `(e) ${framing} JSON, ${w} workers vs ${base}, ${pairs} pairs of ${seconds} s: total rate median ${fmt(median(rate), 3)}x ` +
              `[${fmt(Math.min(...rate), 3)}, ${fmt(Math.max(...rate), 3)}] (target >= 1.6), per client cpu-second median ${fmt(median(perCpu), 3)}x ` +
              `[${fmt(Math.min(...perCpu), 3)}, ${fmt(Math.max(...perCpu), 3)}] (target within 10%); cpu split (medians): ` +
              `${base}: client ${share(cpu[base], 'client')}%, nginx ${share(cpu[base], 'serverCpuPct')}%, idle ${share(cpu[base], 'idlePct')}%; ` +
              `${w}: client ${share(cpu[w], 'client')}%, nginx ${share(cpu[w], 'serverCpuPct')}%, idle ${share(cpu[w], 'idlePct')}% [load avg ${os.loadavg()[0].toFixed(1)}]`,
          );
        }
        for (const c of clients.values()) await c.close();
      } finally {
        await nginx.stop();
      }
    }
  }
}
