/** Shared test helpers: a small SSE client on node:http and a spawner for the simulator's CLI. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadProfile, type Profile } from '../src/index.js';

export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The 8B profile with every time cost divided by `factor`, so behaviour tests run fast. */
export function fastProfile(factor = 50, patch: Partial<Profile['scheduler']> = {}): Profile {
  const p = loadProfile('llama-3.1-8b');
  for (const k of Object.keys(p.timing) as (keyof Profile['timing'])[]) p.timing[k] /= factor;
  Object.assign(p.scheduler, patch);
  return p;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** One HTTP request, whole body as text. */
export function http(url: string, options: { method?: string; body?: unknown } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const data = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? (data ? 'POST' : 'GET'),
        agent,
        headers: data
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
          : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** One SSE event as received. */
export interface SseEvent {
  tMs: number;
  data: string;
}

/** A streaming request: every SSE event (data lines and comments) with its arrival time. */
export function stream(
  url: string,
  body: unknown,
  onEvent?: (e: SseEvent) => void,
): Promise<{ status: number; events: SseEvent[]; raw: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        const events: SseEvent[] = [];
        let buf = '';
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          const tMs = performance.now();
          raw += c;
          buf += c;
          let idx = buf.indexOf('\n\n');
          while (idx >= 0) {
            const e = { tMs, data: buf.slice(0, idx) };
            buf = buf.slice(idx + 2);
            events.push(e);
            onEvent?.(e);
            idx = buf.indexOf('\n\n');
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, events, raw }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Content events (token chunks) of a stream: data events with a non-empty choices array. */
export function tokenEvents(events: SseEvent[]): { tMs: number; json: Record<string, unknown> }[] {
  return events
    .filter((e) => e.data.startsWith('data: {'))
    .map((e) => ({ tMs: e.tMs, json: JSON.parse(e.data.slice(6)) as Record<string, unknown> }))
    .filter((e) => {
      const choices = e.json.choices as { text?: string; delta?: { content?: string } }[] | undefined;
      return (
        !!choices &&
        choices.length > 0 &&
        (choices[0]!.text !== undefined || choices[0]!.delta?.content !== undefined)
      );
    });
}

/** A simulator started from its CLI, as an engine launcher would. */
export interface SpawnedSim {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function spawnSim(args: string[]): Promise<SpawnedSim> {
  if (!existsSync(CLI_PATH)) throw new Error(`build first: ${CLI_PATH} is missing (npx tsc -b packages/sim)`);
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /inferencebench-sim listening on (http:\/\/\S+)\n/.exec(out);
      if (m) {
        resolve({
          url: m[1]!,
          child,
          stderr: () => err,
          exited,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`simulator exited (${code}) before listening: ${err}`)));
  });
}
