/**
 * `--workers N`: the level runner keeps the one seeded schedule (arrival times, prompts, phases) on the main
 * thread, and this client hands each arrival, in dispatch order, to the worker thread with the fewest
 * requests in flight, where a
 * streaming client of its own sends it, parses the stream and timestamps the chunks. Results come back as
 * plain records on the main thread's clock, so latency still counts from the scheduled arrival and the
 * records merge in sequence order exactly as with one thread. The schedule depends on the seed alone, never
 * on N.
 */
import { Worker } from 'node:worker_threads';
import type { StreamingClientOptions } from '../client/streaming-client.js';
import { type ClientRequest, type ClientResult, NO_CHUNK_TOKENS, type StreamingClient } from '../types.js';

// The worker runs the built client module (under vitest this file is the .ts source: use its dist twin).
function builtModuleUrl(relative: string): string {
  const url = new URL(relative, import.meta.url).href;
  return url.endsWith('.ts') ? url.replace('/src/', '/dist/').replace(/\.ts$/, '.js') : url;
}

/**
 * The monotonic clock's reading at this thread's `performance.now()` zero, in ms. Each thread's
 * performance.now() has its own origin; process.hrtime is one clock for the whole process. Each
 * performance.now() is read between two hrtime readings and the tightest of eight such brackets counts: a
 * thread preempted between a single pair of readings (a loaded machine) put its times off by the pause,
 * milliseconds, and a first chunk before its request was sent.
 */
export function originOnHrtimeMs(): number {
  let width = Number.POSITIVE_INFINITY;
  let origin = 0;
  for (let i = 0; i < 8; i++) {
    const before = process.hrtime.bigint();
    const now = performance.now();
    const after = process.hrtime.bigint();
    const w = Number(after - before);
    if (w < width) {
      width = w;
      origin = (Number(before) + w / 2) / 1e6 - now;
    }
  }
  return origin;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const origin = (${originOnHrtimeMs.toString()})();
Promise.all([import(workerData.clientModule), import(workerData.metricsModule)]).then(([
  { createStreamingClient },
  { serverOutputTokens },
]) => {
  const client = createStreamingClient(workerData.options);
  const controllers = new Map();
  let outbox = [];
  let outboxTransfer = [];
  const flush = () => {
    const batch = outbox;
    const transfer = outboxTransfer;
    outbox = [];
    outboxTransfer = [];
    parentPort.postMessage({ type: 'results', batch }, transfer);
  };
  parentPort.on('message', async (m) => {
    if (m.type === 'send') {
      const ac = new AbortController();
      controllers.set(m.id, ac);
      const r = await client.send(m.request, { timeoutMs: m.timeoutMs, signal: ac.signal });
      controllers.delete(m.id);
      // Chunk times travel as a transferred Float64Array and unknown token counts (the client's empty
      // list) as null: cloning two 1000-element arrays per request cost ~10% of a thread's CPU on the firehose.
      const times = Float64Array.from(r.chunkTimes);
      const tokens = r.chunkTokens.length === 0 ? null : r.chunkTokens;
      // The text is there to count tokens when the server does not (buildRecord); with the server's own
      // count it is not read, and cloning it is most of what the main thread allocates per result.
      const counted = serverOutputTokens(r) !== null;
      // Results finished in one turn of this thread's loop travel in one message (sent once the turn's
      // I/O is done): each message wakes the main thread, and on a VM a wake-up costs more than a clone.
      outbox.push({
        id: m.id,
        result: { ...r, chunkTimes: times, chunkTokens: tokens, text: counted ? '' : r.text },
      });
      outboxTransfer.push(times.buffer);
      if (outbox.length === 1) setImmediate(flush);
    } else if (m.type === 'cancel') {
      controllers.get(m.id)?.abort();
    } else if (m.type === 'warm') {
      await client.warm(m.connections);
      parentPort.postMessage({ type: 'warmed', id: m.id });
    } else if (m.type === 'close') {
      await client.close();
      parentPort.postMessage({ type: 'closed', id: m.id });
    }
  });
  parentPort.postMessage({ type: 'ready', origin });
});
`;

interface Pending {
  resolve: (value: unknown) => void;
  worker: WorkerSlot;
}

interface WorkerSlot {
  worker: Worker;
  /** Add to this worker's times to get the main thread's performance.now() times. */
  offsetMs: number;
}

export interface WorkerClientOptions extends StreamingClientOptions {
  /** Worker threads (>= 1); each gets an equal share of the connection pool. */
  workers: number;
}

/** A StreamingClient whose requests run on `workers` worker threads, one arrival per worker in turn. */
export async function createWorkerClient(options: WorkerClientOptions): Promise<StreamingClient> {
  const { workers: n, ...clientOptions } = options;
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError('workers must be a positive integer');
  const share = Math.max(1, Math.ceil(clientOptions.connections / n));
  const mainOrigin = originOnHrtimeMs();
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const slots: WorkerSlot[] = await Promise.all(
    Array.from({ length: n }, async () => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          clientModule: builtModuleUrl('../client/streaming-client.ts'),
          metricsModule: builtModuleUrl('../metrics/request-metrics.ts'),
          options: { ...clientOptions, connections: share },
        },
      });
      const origin = await new Promise<number>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (m: { type: string; origin: number }) => resolve(m.origin));
      });
      const slot: WorkerSlot = { worker, offsetMs: origin - mainOrigin };
      const settle = (id: number, value: unknown): void => {
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        p.resolve(value);
      };
      // A batch of results, or the answer to a warm/close call.
      worker.on('message', (m: { id: number; batch?: { id: number; result: PostedResult }[] }) => {
        if (m.batch) for (const r of m.batch) settle(r.id, r.result);
        else settle(m.id, undefined);
      });
      return slot;
    }),
  );
  // Requests that were cut short by a crashed worker must still settle (as cancelled, with their error).
  for (const slot of slots) {
    slot.worker.on('error', (err) => {
      for (const [id, p] of pending) {
        if (p.worker !== slot) continue;
        pending.delete(id);
        p.resolve(workerFailure(err));
      }
    });
  }

  const call = (slot: WorkerSlot, message: Record<string, unknown>): Promise<unknown> => {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { resolve, worker: slot });
      slot.worker.postMessage({ ...message, id });
    });
  };
  // Each arrival goes to the worker with the fewest requests in flight, ties broken in turn. A fixed
  // k mod N split makes every thread do exactly 1/N of the requests, so the thread the server or the
  // scheduler preempts least sits idle while the slowest sets the pace (11% of two cores idle against
  // nginx; bench/notes/client.md). Which thread runs an arrival never changes what is sent or when.
  const inFlight = new Array<number>(n).fill(0);
  let turn = 0;
  const pick = (): number => {
    let best = turn % n;
    for (let i = 1; i < n; i++) {
      const k = (turn + i) % n;
      if (inFlight[k]! < inFlight[best]!) best = k;
    }
    turn++;
    return best;
  };

  return {
    async send(
      request: ClientRequest,
      opts: { signal?: AbortSignal; timeoutMs: number },
    ): Promise<ClientResult> {
      const index = pick();
      const slot = slots[index]!;
      inFlight[index]!++;
      const id = nextId++;
      const done = new Promise<PostedResult>((resolve) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, worker: slot });
      });
      const onAbort = (): void => slot.worker.postMessage({ type: 'cancel', id });
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      slot.worker.postMessage({ type: 'send', id, request, timeoutMs: opts.timeoutMs });
      const r = await done;
      inFlight[index]!--;
      opts.signal?.removeEventListener('abort', onAbort);
      return toMainClock(r, slot.offsetMs);
    },
    async warm(connections: number): Promise<void> {
      const each = Math.max(1, Math.ceil(connections / n));
      await Promise.all(slots.map((s) => call(s, { type: 'warm', connections: each })));
    },
    async close(): Promise<void> {
      await Promise.all(slots.map((s) => call(s, { type: 'close' })));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** A result as a worker posts it: chunk times in a (transferred) Float64Array, null for all-null token
 * counts. */
type PostedResult = Omit<ClientResult, 'chunkTimes' | 'chunkTokens'> & {
  chunkTimes: Float64Array;
  chunkTokens: (number | null)[] | null;
};

/** The worker's result back in ClientResult's shape, its times moved onto the main thread's clock (in
 * place: the array was transferred to this thread, nobody else holds it). */
function toMainClock(r: PostedResult, offsetMs: number): ClientResult {
  const chunkTimes = r.chunkTimes;
  const n = chunkTimes.length;
  for (let i = 0; i < n; i++) chunkTimes[i]! += offsetMs;
  // No count known for any chunk: an empty list, which every reader takes as "unknown" for each chunk.
  const chunkTokens = r.chunkTokens ?? NO_CHUNK_TOKENS;
  return { ...r, sentAt: r.sentAt + offsetMs, chunkTimes, chunkTokens };
}

function workerFailure(err: unknown): ClientResult {
  return {
    status: 'cancelled',
    sentAt: performance.now(),
    chunkTimes: [],
    chunkTokens: [],
    usageCompletionTokens: null,
    usagePromptTokens: null,
    text: '',
    httpStatus: null,
    error: `client worker failed: ${err instanceof Error ? err.message : String(err)}`,
    systemFingerprint: null,
  };
}
