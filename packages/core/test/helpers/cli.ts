import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The built CLI; the test command is `tsc -b && vitest run`, so dist exists. */
export const BIN = resolve(import.meta.dirname, '../../dist/bin.js');
const CORE_INDEX_URL = pathToFileURL(resolve(import.meta.dirname, '../../dist/index.js')).href;
const ZOD_URL = pathToFileURL(createRequire(import.meta.url).resolve('zod')).href;

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx tsc -b packages/core)`);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temporary INFERENCEBENCH_HOME, removed by `cleanup`. */
export function tempHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ib-core-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Start the CLI with INFERENCEBENCH_HOME set; the caller waits on it. */
export function startCli(args: string[], home: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, INFERENCEBENCH_HOME: home, INFERENCEBENCH_PLUGIN_MODULES: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collect a started CLI's output until it exits. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

/** Run the CLI to completion. */
export function runCli(args: string[], home: string, env: Record<string, string> = {}): Promise<CliResult> {
  return collect(startCli(args, home, env));
}

/** Resolves when the child's stderr contains `text`. */
export function waitForStderr(child: ChildProcess, text: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((res, rej) => {
    let seen = '';
    const timer = setTimeout(
      () => rej(new Error(`timed out waiting for '${text}' in stderr: ${seen}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        res();
      }
    });
  });
}

/**
 * Write a plugin module to `dir`. `body` is the module's code after the imports; it can use
 * `definePlugin` (from the core's dist, as a real plugin would through `inferencebench`) and `z` (zod).
 */
export function writePluginModule(dir: string, body: string, name = 'plugin.mjs'): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `import { definePlugin } from '${CORE_INDEX_URL}';\nimport { z } from '${ZOD_URL}';\n${body}\n`,
  );
  return path;
}

/** A plugin `test.echo` with options count (default 3), label, token (secret), writing records. */
export function echoPlugin(dir: string): string {
  return writePluginModule(
    dir,
    `export const plugins = [definePlugin({
  id: 'test.echo',
  description: 'writes count requests, one level and one sample',
  options: [
    { key: 'count', flag: '--count <n>', description: 'requests to write', schema: z.coerce.number().int().positive(), default: 3, group: 'Test' },
    { key: 'label', flag: '--label <s>', description: 'a label', schema: z.string().optional(), group: 'Test' },
    { key: 'token', flag: '--token <s>', description: 'a secret', schema: z.string().optional(), secret: true, group: 'Test' },
  ],
  requestColumns: [
    { name: 'ttft_ms', type: 'real' }, { name: 'tpot_ms', type: 'real' }, { name: 'e2e_ms', type: 'real' },
    { name: 'n_in', type: 'integer' }, { name: 'n_out', type: 'integer' },
  ],
  async run(ctx) {
    for (let i = 0; i < ctx.plan.count; i++)
      ctx.writer.request({ level: 0, seq: i, status: 'ok', fields: { ttft_ms: 10 + i, e2e_ms: 100 + i, n_out: 5, server: 'a' }, data: { note: 'x,y' } });
    ctx.writer.sample({ series: 'power_w', tMs: 1000, value: 250.5, labels: { gpu: '0' } });
    await ctx.writer.level(1, { concurrency: 8 });
    await ctx.writer.level(0, { concurrency: 1, first_random: ctx.rng.next() });
    return { summary: { label: ctx.plan.label ?? null, tokenSeen: ctx.plan.token ?? null } };
  },
})];`,
  );
}
