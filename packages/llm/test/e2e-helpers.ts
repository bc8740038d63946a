// Helpers for the end-to-end engine tests: the real `bench` CLI (core's dist), the fake engines of
// fixtures/engines first on PATH, a fresh INFERENCEBENCH_HOME per run, and the fake's own records (argv,
// pid) to check what was launched and that nothing was left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { FAKES_DIR, groupAlive, waitFor } from './fixtures/engines/helpers.js';

/** The built CLI (`tsc -b` runs before the tests). */
export const BIN = resolve(import.meta.dirname, '../../core/dist/bin.js');
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx tsc -b)`);

/** A model every fake can serve: the simulator has a profile for it. */
export const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One CLI invocation's sandbox: its home (store, run directories) and the fake's record files. */
export interface Sandbox {
  home: string;
  argvFile: string;
  pidFile: string;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const home = mkdtempSync(join(tmpdir(), 'ib-e2e-engine-'));
  return {
    home,
    argvFile: join(home, 'fake-argv.jsonl'),
    pidFile: join(home, 'fake-pid'),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * Environment for the CLI: fakes first on PATH, a fresh home, the fake's records in the sandbox, and no
 * FAKE_* knobs leaking in from the test process (tests in one worker share process.env).
 */
export function benchEnv(box: Sandbox, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FAKE_')) env[k] = v;
  return {
    ...env,
    PATH: `${FAKES_DIR}${delimiter}${process.env.PATH ?? ''}`,
    INFERENCEBENCH_HOME: box.home,
    INFERENCEBENCH_PLUGIN_MODULES: '',
    FAKE_ENGINE_ARGV_FILE: box.argvFile,
    FAKE_ENGINE_PID_FILE: box.pidFile,
    // No GPU unless a test says so: the fake nvidia-smi on PATH then lists none.
    FAKE_NVIDIA_SMI_CSV: '',
    ...extra,
  };
}

/**
 * `bench run llm.inference` arguments for a short run against engine `engine`: one level at concurrency
 * 2, a 1-token-spread synthetic dataset, no hub tokenizer (offline), and `extra` last (flags win).
 */
export function runArgs(engine: string, extra: string[] = []): string[] {
  return [
    'run',
    'llm.inference',
    '--engine',
    engine,
    '--model',
    MODEL,
    '--tokenizer',
    'words',
    '--dataset',
    'synthetic',
    '--concurrency',
    '2',
    '--duration',
    '1',
    '--warmup-runs',
    '1',
    '--gate-window',
    '8',
    '--gate-cov',
    '0.5',
    '--gate-timeout',
    '2',
    '--input-len',
    '32',
    '--output-len',
    '16',
    '--ready-timeout',
    '30',
    ...extra,
  ];
}

/** Start the CLI; the caller collects it. */
export function startBench(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collect a started CLI's output until it exits (killed after `timeoutMs`, so a hang fails the test). */
export function collect(child: ChildProcess, timeoutMs = 45_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    }),
  );
}

export function runBench(args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliResult> {
  return collect(startBench(args, env), timeoutMs);
}

/** The run id the CLI printed (`run: ID` on stderr, always, whatever the format). */
export function runIdOf(r: CliResult): string {
  const m = /^run: (\S+)/m.exec(r.stderr) ?? /Run id: (\S+)/.exec(r.stdout);
  if (!m) throw new Error(`no run id in output:\n${r.stdout}\n${r.stderr}`);
  return m[1]!;
}

/** The stored run as `bench runs show ID --format json` prints it. */
export interface ShownRun {
  run_id: string;
  status: 'complete' | 'aborted' | 'failed' | 'running';
  error: string | null;
  plan: Record<string, unknown>;
  environment: {
    engine?: {
      name: string;
      version: string | null;
      command_line: string[] | null;
      output_length_enforced?: boolean;
    };
    hardware?: { gpus: { model: string }[]; label: string };
  };
  levels: {
    concurrency: number;
    requests: { measured: number; ok: number; errors: Record<string, number> };
    flags: Record<string, unknown>;
    notes: string[];
  }[];
  requests: {
    level: number;
    status: string;
    phase: 'warmup' | 'gate' | 'measured' | 'drain';
    data: { error: string | null };
  }[];
  samples: { series: string; t_ms: number; value: number; labels?: Record<string, string> }[];
}

export async function showRun(id: string, env: NodeJS.ProcessEnv): Promise<ShownRun> {
  const r = await runBench(['runs', 'show', id, '--format', 'json'], env, 20_000);
  if (r.code !== 0) throw new Error(`bench runs show failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ShownRun;
}

/** The argv lists the fake recorded, one per launch. */
export function fakeArgvs(box: Sandbox): string[][] {
  if (!existsSync(box.argvFile)) return [];
  return readFileSync(box.argvFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as string[]);
}

/** The fake engine's pid: the leader of the process group the benchmark launched it in. */
export function fakePid(box: Sandbox): number {
  return Number(readFileSync(box.pidFile, 'utf8').trim());
}

/**
 * True once no process of the engine's group is left. The group is gone before a clean CLI exit; after a
 * signal the exit hook SIGKILLs it synchronously, so only reaping may lag: a short wait is allowed.
 */
export function engineGone(box: Sandbox, timeoutMs = 3000): Promise<boolean> {
  const pid = fakePid(box);
  return waitFor(() => !groupAlive(pid), timeoutMs);
}

/** Resolves once the child's stderr contains `text` (the CLI's progress lines go there). */
export function waitForStderr(child: ChildProcess, text: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((res, rej) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (!seen.includes(text)) return;
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      res();
    };
    const timer = setTimeout(() => {
      child.stderr!.off('data', onData);
      rej(new Error(`timed out waiting for '${text}' on stderr:\n${seen}`));
    }, timeoutMs);
    child.stderr!.on('data', onData);
  });
}

/** Measured requests that finished ok (what an interrupted or failed run must keep). */
export function measuredOk(doc: ShownRun): number {
  return doc.requests.filter((r) => r.phase === 'measured' && r.status === 'ok').length;
}

/** The value following `flag` in an argv, or undefined. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}
