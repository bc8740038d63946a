import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { createRng } from 'inferencebench';
import type { ClientRequest, ClientResult, PromptItem, StreamingClient } from '../src/types.js';

/**
 * Test doubles for the driver tests: a real HTTP server with exactly known timing, and a tiny streaming
 * client (until the real client lands; it speaks the same StreamingClient interface).
 */

export type Fault = 'none' | 'http500' | 'http429' | 'disconnect' | 'malformed' | 'stall';

export interface TimedServerOptions {
  /** First token after this many ms (from when the server starts serving the request). */
  ttftMs: number;
  /** Added to the TTFT per other request being served at the same time (latency that rises with load). */
  ttftPerInFlightMs?: number;
  /** Then one token every this many ms. */
  gapMs: number;
  /** Tokens per response (default: the request's max_tokens). */
  tokens?: number;
  /** At most this many served at once; the rest wait in the server's own queue. */
  capacity?: number;
  /** Fault of the n-th request (0-based, arrival order) = faults[n % faults.length]. */
  faults?: Fault[];
  /** Send usage at the end (default true). */
  usage?: boolean;
}

export interface TimedServer {
  baseUrl: string;
  close(): Promise<void>;
}

// The server runs in a worker thread (its own event loop, the other core), as a real server would:
// its timers are not delayed by the driver's work, so "exactly known timing" holds.
const SERVER_JS = `
const http = require('node:http');
const { parentPort, workerData: o } = require('node:worker_threads');
function at(t, fn) {
  const step = () => { const rem = t - performance.now(); if (rem <= 0) fn(); else if (rem > 2) setTimeout(step, rem - 2); else setImmediate(step); };
  step();
}
let served = 0, active = 0;
const waiting = [];
const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const n = served++;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const fault = o.faults ? o.faults[n % o.faults.length] : 'none';
    if (fault === 'http500' || fault === 'http429') {
      res.writeHead(fault === 'http500' ? 500 : 429, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: fault } }));
      return;
    }
    const serve = () => {
      active++;
      const tokens = o.tokens ?? body.max_tokens ?? 16;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      const t0 = performance.now();
      const ttft = o.ttftMs + (o.ttftPerInFlightMs ?? 0) * (active - 1);
      let closed = false;
      const release = () => { active--; const w = waiting.shift(); if (w) w(); };
      res.on('close', () => { if (!closed) { closed = true; release(); } });
      const emit = (i) => {
        if (closed) return;
        if (fault === 'stall' && i === 2) return;
        if (fault === 'disconnect' && i === 2) { closed = true; release(); res.socket && res.socket.destroy(); return; }
        if (fault === 'malformed' && i === 2) {
          res.write('data: {"choices": [ this is not json\\n\\n'); closed = true; release(); res.end(); return;
        }
        res.write('data: {"choices":[{"index":0,"text":"t' + i + ' "}]}\\n\\n');
        if (i + 1 < tokens) at(t0 + ttft + (i + 1) * o.gapMs, () => emit(i + 1));
        else {
          if (o.usage !== false) res.write('data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":' + tokens + '}}\\n\\n');
          res.write('data: [DONE]\\n\\n');
          closed = true; release(); res.end();
        }
      };
      at(t0 + ttft, () => emit(0));
    };
    if (o.capacity !== undefined && active >= o.capacity) waiting.push(serve); else serve();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

export async function startTimedServer(options: TimedServerOptions): Promise<TimedServer> {
  const worker = new Worker(SERVER_JS, { eval: true, workerData: options });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: async () => {
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage('close');
      await exited;
    },
  };
}

/** A minimal SSE streaming client over node:http (keep-alive), timestamps taken as bytes arrive. */
export function tinyClient(baseUrl: string, connections: number): StreamingClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(`${baseUrl}/completions`);
  return {
    send(
      request: ClientRequest,
      options: { signal?: AbortSignal; timeoutMs: number },
    ): Promise<ClientResult> {
      return new Promise((resolve) => {
        const result: ClientResult = {
          status: 'ok',
          sentAt: performance.now(),
          chunkTimes: [],
          chunkTokens: [],
          usageCompletionTokens: null,
          usagePromptTokens: null,
          text: '',
          httpStatus: null,
          error: null,
          systemFingerprint: null,
        };
        let settled = false;
        const done = (status: ClientResult['status'], error: string | null): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          result.status = status;
          result.error = error;
          // Keep the connection for the next request unless this one failed or was cut short.
          if (status !== 'ok') req.destroy();
          resolve(result);
        };
        const timer = setTimeout(() => done('timeout', 'request timeout'), options.timeoutMs);
        const onAbort = (): void => done('cancelled', 'cancelled');
        options.signal?.addEventListener('abort', onAbort, { once: true });
        const body = JSON.stringify({
          model: request.model,
          prompt: request.item.prompt,
          max_tokens: request.item.outputTokens,
          stream: true,
        });
        const req = http.request(url, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        req.on('error', (e) => done('stream_error', e.message));
        req.on('response', (res) => {
          result.httpStatus = res.statusCode ?? null;
          if (res.statusCode !== 200) {
            res.resume();
            res.on('end', () => done('http_error', `HTTP ${res.statusCode}`));
            return;
          }
          let buf = '';
          let sawDone = false;
          res.on('data', (b: Buffer) => {
            const t = performance.now();
            buf += b.toString('utf8');
            let idx = buf.indexOf('\n\n');
            while (idx >= 0) {
              const ev = buf.slice(0, idx);
              buf = buf.slice(idx + 2);
              idx = buf.indexOf('\n\n');
              if (!ev.startsWith('data: ')) continue;
              const data = ev.slice(6);
              if (data === '[DONE]') {
                sawDone = true;
                continue;
              }
              try {
                const j = JSON.parse(data) as {
                  choices: { text?: string }[];
                  usage?: { completion_tokens: number; prompt_tokens: number };
                };
                if (j.usage) {
                  result.usageCompletionTokens = j.usage.completion_tokens;
                  result.usagePromptTokens = j.usage.prompt_tokens;
                }
                const text = j.choices[0]?.text;
                if (text) {
                  result.chunkTimes.push(t);
                  result.chunkTokens.push(null);
                  result.text += text;
                }
              } catch {
                done('stream_error', 'malformed SSE data');
              }
            }
          });
          res.on('end', () =>
            done(sawDone ? 'ok' : 'stream_error', sawDone ? null : 'stream ended without [DONE]'),
          );
          res.on('error', (e) => done('stream_error', e.message));
          res.on('aborted', () => done('stream_error', 'connection closed mid-stream'));
        });
        req.end(body);
      });
    },
    async warm() {},
    async close() {
      agent.destroy();
    },
  };
}

export function items(n: number, outputTokens: number): PromptItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t-${i}`,
    prompt: `prompt ${i}`,
    promptTokens: 8,
    outputTokens,
  }));
}

export const testRng = (seed = 42) => createRng(seed);
