import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The built CLI (`npm test` runs `tsc -b` first). */
export const BIN = join(import.meta.dirname, '../../core/dist/bin.js');

export interface E2eResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh INFERENCEBENCH_HOME per test file, removed by `cleanup`. */
export function e2eHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ib-e2e-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Run `bench` to completion with INFERENCEBENCH_HOME = `home`. `onStderr` sees stderr as it arrives
 * (tests use it to find the launched engine's URL while the run is still going).
 */
export function runBench(
  args: string[],
  home: string,
  options: { env?: Record<string, string>; onStderr?: (all: string) => void; timeoutMs?: number } = {},
): Promise<E2eResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      INFERENCEBENCH_HOME: home,
      INFERENCEBENCH_PLUGIN_MODULES: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    options.onStderr?.(stderr);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Fail with the run's output when it did not exit 0 (or `expected`): the first thing to read on a failure. */
export function assertExit(r: E2eResult, expected = 0): void {
  if (r.code !== expected) {
    throw new Error(
      `bench exited ${r.code} (wanted ${expected})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
  }
}

/** The subset of the run document (SPEC §12) these tests read. */
export interface E2eMetric {
  value: number | null;
  ci95?: [number, number] | null;
  [k: string]: unknown;
}
export interface E2eLevel {
  index: number;
  concurrency: number;
  rate_req_s: number | 'inf';
  window_s: number;
  window_epoch_ms: [number, number];
  requests: { measured: number; ok: number };
  metrics: Record<string, E2eMetric>;
  slo: { holds: boolean };
  notes: string[];
  search?: { probe: number; rate_req_s: number; holds: boolean };
}
/** A stored request row as `bench runs show --format json` prints it. */
export interface E2eRequest {
  level: number;
  seq: number;
  status: string;
  ttft_ms: number | null;
  n_in: number | null;
  n_out: number | null;
  data: Record<string, unknown> | null;
}
export interface E2eDoc {
  run_id: string;
  status: string;
  plan: Record<string, unknown>;
  environment: Record<string, unknown> & {
    dataset?: { id: string; checksum: string; meta: Record<string, unknown> };
    power?: { source: string; idle: { idle_w: number | null } | null };
  };
  levels: E2eLevel[];
  summary: Record<string, unknown>;
  /** Only in `bench runs show --format json`. */
  requests?: E2eRequest[];
}

/** The JSON document a run wrote with `--output FILE`. */
export function readDoc(path: string): E2eDoc {
  return JSON.parse(readFileSync(path, 'utf8')) as E2eDoc;
}

/** Value of a metric line in the terminal block (`  name   12.3  (...)`): the number and what follows. */
export function printedMetric(stdout: string, name: string): { value: string; rest: string } | null {
  const m = new RegExp(`\\n {2}${name} +(\\S+)(.*)`).exec(stdout);
  return m === null ? null : { value: m[1]!, rest: m[2]!.trim() };
}

/** |a - b| / |b|. */
export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}
