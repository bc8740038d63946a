// Load-driver benchmark (SPEC §15): scheduling lag at 500 req/s against a fast local server, memory per
// in-flight request, memory per 100,000-request run of driver records. Run after `npm run build`:
//   node --expose-gc bench/driver.bench.mjs [rate=500] [durationS=10]
// Pin for the SPEC setup: taskset -c 0 node --expose-gc bench/driver.bench.mjs (server thread floats).
import { Worker } from 'node:worker_threads';
import { createRng } from 'inferencebench';
import { buildRecord, levelDocument, resolveSlo, runLevel, wordCounter } from 'inferencebench-llm';
import { createStreamingClient } from '../packages/llm/dist/client/streaming-client.js';

const rate = Number(process.argv[2] ?? 500);
const durationS = Number(process.argv[3] ?? 10);
const gc = globalThis.gc ?? (() => {});

// A fast server in its own thread: 4 tokens, 1 ms apart; `stall` mode holds streams open forever.
const SERVER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const s = http.createServer((req, res) => {
  if (req.method === 'GET') { res.end('{"data":[]}'); return; }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (workerData.stall) { res.write(': hold\\n\\n'); return; }
    let i = 0;
    const tick = () => {
      res.write('data: {"choices":[{"index":0,"text":"x "}]}\\n\\n');
      if (++i < 4) setTimeout(tick, 1);
      else { res.write('data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":4}}\\n\\ndata: [DONE]\\n\\n'); res.end(); }
    };
    tick();
  });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
`;
async function server(stall) {
  const w = new Worker(SERVER, { eval: true, workerData: { stall } });
  const port = await new Promise((r) => w.once('message', r));
  return { url: `http://127.0.0.1:${port}/v1`, close: () => w.terminate() };
}
const quirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };
const items = Array.from({ length: 100 }, (_, i) => ({
  id: `b${i}`,
  prompt: 'hello world',
  promptTokens: 8,
  outputTokens: 4,
}));
const mb = (b) => (b / 1048576).toFixed(1);

// 1. Scheduling lag at `rate` req/s, open loop, cap high enough that slots are free.
{
  const s = await server(false);
  const client = createStreamingClient({ baseUrl: s.url, connections: 256, quirks });
  await client.warm(64);
  const run = await runLevel({
    levelIndex: 0,
    concurrency: 256,
    rate,
    durationS,
    warmupRuns: 1,
    gateWindow: 30,
    gateCov: 10,
    gateMetric: 'e2e',
    gateTimeoutS: 1,
    drainTimeoutS: 5,
    requestTimeoutS: 10,
    client,
    items,
    api: 'completions',
    model: 'm',
    rng: createRng(42),
  });
  const doc = levelDocument(run, resolveSlo('llm.standard'), createRng(1));
  console.log(
    `lag @ ${rate} req/s for ${durationS} s: measured ${doc.requests.measured} (ok ${doc.requests.ok}),` +
      ` achieved ${doc.driver.achieved_rate_req_s?.toFixed(1)} req/s,` +
      ` lag p50 ${doc.driver.lag_p50_ms?.toFixed(3)} ms, p99 ${doc.driver.lag_p99_ms?.toFixed(3)} ms,` +
      ` max ${doc.driver.lag_max_ms?.toFixed(3)} ms, client_limited ${doc.driver.client_limited}`,
  );
  await client.close();
  await s.close();
}

// 2. Memory per in-flight request: N streams held open by a stalling server, heap + RSS delta / N.
{
  const n = 2000;
  const s = await server(true);
  const client = createStreamingClient({ baseUrl: s.url, connections: n, quirks });
  gc();
  const before = process.memoryUsage();
  const ctrl = new AbortController();
  const pending = [];
  for (let i = 0; i < n; i++) {
    pending.push(
      client.send(
        { item: items[i % items.length], api: 'completions', model: 'm' },
        { signal: ctrl.signal, timeoutMs: 60_000 },
      ),
    );
  }
  await new Promise((r) => setTimeout(r, 3000));
  gc();
  const during = process.memoryUsage();
  console.log(
    `in-flight: ${n} streams, heap +${mb(during.heapUsed - before.heapUsed)} MB,` +
      ` rss +${mb(during.rss - before.rss)} MB -> ${((during.heapUsed - before.heapUsed) / n / 1024).toFixed(1)} KiB heap` +
      ` and ${((during.rss - before.rss) / n / 1024).toFixed(1)} KiB rss per request`,
  );
  ctrl.abort();
  await Promise.all(pending);
  await client.close();
  await s.close();
}

// 3. Memory of a 100,000-request run's measured records (what the driver keeps for the level metrics).
for (const tokens of [16, 256]) {
  {
    gc();
    const before = process.memoryUsage().heapUsed;
    const keep = [];
    for (let i = 0; i < 100_000; i++) {
      const t0 = i * 2;
      const chunkTimes = Array.from({ length: tokens }, (_, k) => t0 + 50 + k * 10);
      keep.push(
        buildRecord(
          { seq: i, phase: 'measured', scheduledMs: t0, dispatchMs: t0, nInFallback: 8 },
          {
            status: 'ok',
            sentAt: t0,
            chunkTimes,
            chunkTokens: chunkTimes.map(() => null),
            usageCompletionTokens: tokens,
            usagePromptTokens: 8,
            text: '',
            httpStatus: 200,
            error: null,
            systemFingerprint: null,
          },
          wordCounter,
        ),
      );
    }
    gc();
    const after = process.memoryUsage().heapUsed;
    console.log(
      `records: 100,000 measured requests x ${tokens} tokens: heap +${mb(after - before)} MB` +
        ` (${((after - before) / 100_000).toFixed(0)} B per request)`,
    );
    keep.length = 0;
  }
}
