import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BenchError } from 'inferencebench';
import type { LlmPlan } from '../options.js';
import type { EngineHandle } from '../types.js';
import type { EngineAdapter } from './adapters/base.js';
import type { EngineContext } from './context.js';
import { abortable, abortableSleep } from '../abortable.js';
import { probe } from './http.js';
import { type EngineProcess, freePort, logTail, spawnEngine } from './process.js';
import { decideLaunch, type LaunchDecision } from '../models/launch-plan.js';
import { reapOrphans, recordEngine } from './orphans.js';
import { findTunedConfig } from './tuned.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Log tail formatted for an error message: one indented line per log line. */
export function formatTail(logPath: string, lines = 20): string {
  const tail = logTail(logPath, lines);
  if (!tail) return `(${basename(logPath)} is empty)`;
  return `last lines of ${basename(logPath)}:\n${tail
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n')}`;
}

function exitText(e: { code: number | null; signal: NodeJS.Signals | null }): string {
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}

/** The refusal of a launch that cannot fit: bad input (exit 2), with the arithmetic. */
export function refusalError(d: LaunchDecision): BenchError {
  return new BenchError('BENCH_ERR_BAD_OPTION', d.refusal ?? 'the model does not fit', {
    hint: `${d.fit?.lines.join('; ') ?? ''}; see \`bench engines --model ${d.served} --engine ${d.engine}\`, or force it with --tp N`,
  });
}

/** The effective command: adapter argv, `--engine-bin` replacing argv[0], `--engine-arg` appended. */
export function effectiveArgv(
  argv: readonly string[],
  plan: Pick<LlmPlan, 'engineBin' | 'engineArg'>,
): string[] {
  const out = [...argv];
  if (plan.engineBin) out[0] = plan.engineBin;
  if (plan.engineArg) out.push(...plan.engineArg);
  return out;
}

/**
 * Launch the engine with its adapter, wait until it is ready (or fail with its log tail), and return a
 * handle that watches it (process exit, health) until stop().
 */
export async function launchEngine(
  adapter: EngineAdapter,
  plan: LlmPlan,
  ctx: EngineContext,
): Promise<EngineHandle> {
  const host = '127.0.0.1';
  const launch = ctx.launch ?? 1;
  const graceMs = ctx.stopGraceMs ?? 10_000;
  const pollMs = ctx.pollIntervalMs ?? 500;
  mkdirSync(ctx.runDir, { recursive: true });
  const logPath = join(ctx.runDir, `engine-${adapter.name}-${launch}.log`);
  const decision = await decideLaunch({
    engine: adapter.name,
    model: plan.model,
    quant: plan.quant,
    hardware: plan.hardware ?? ctx.hardware ?? undefined,
    explicitTp: plan.tp,
    engineArgs: plan.engineArg ?? [],
    detected: ctx.detected ?? { gpus: [], cpu: 'unknown CPU', source: 'none', note: 'not detected' },
    signal: ctx.signal,
  });
  if (decision.refusal) throw refusalError(decision);
  for (const w of decision.warnings) ctx.progress.warn(w);
  ctx.onDecision?.(decision);
  adapter.checkModel(plan.model);
  const fallback = adapter.fallbackTuned;
  // Engines without GPU recipes (llama.cpp on a CPU) name the generic config they fall back to.
  const tuned =
    decision.tuned ?? (fallback ? findTunedConfig(adapter.name, fallback.hardware, fallback.quant) : null);
  const modelInfo = adapter.modelInfo(plan.model);
  // The simulator binds port 0 and reports its port; real engines are given a free one.
  const port = adapter.name === 'sim' ? 0 : await freePort(host);
  const cmd = adapter.command({
    model: plan.model,
    host,
    port,
    tp: decision.tp,
    quant: decision.adapterQuant,
    seed: ctx.seed,
    tuned,
    maxModelLen: decision.maxModelLen,
    expertParallel: decision.expertParallel,
    runDir: ctx.runDir,
    launch,
    slots: Math.max(1, ...(plan.concurrency ?? [])),
    sequenceTokens: ctx.maxSequenceTokens ?? null,
  });
  const argv = effectiveArgv(cmd.argv, plan);
  for (const f of cmd.files) writeFileSync(f.path, f.content);
  if (tuned)
    ctx.log.info(
      `tuned config ${tuned.engine}/${tuned.hardware}/${tuned.quant}${tuned.model ? ` for ${tuned.model} on ${tuned.gpus ?? 1} GPU${(tuned.gpus ?? 1) > 1 ? 's' : ''}` : ' (generic)'} (${tuned.source})`,
    );
  for (const note of cmd.notes) ctx.log.info(note);
  if (modelInfo) ctx.log.info(`model ${plan.model}: ${JSON.stringify(modelInfo)}`);

  // Engines a killed benchmark left behind (its watchdog killed too), stopped only when provably ours.
  // `<store dir>/runs/<id>` -> `<store dir>/engines` (shared by every run of the store).
  const recordsDir =
    basename(dirname(ctx.runDir)) === 'runs'
      ? join(ctx.runDir, '..', '..', 'engines')
      : join(ctx.runDir, 'engines');
  for (const pgid of await reapOrphans(recordsDir))
    ctx.progress.warn(`stopped engine process group ${pgid} left behind by an earlier run`);
  let proc: EngineProcess;
  try {
    proc = await spawnEngine(argv, logPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BenchError(
      'BENCH_ERR_ENGINE_START',
      code === 'ENOENT'
        ? `cannot start ${adapter.name}: "${argv[0]}" was not found`
        : `cannot start ${adapter.name}: ${(err as Error).message}`,
      { hint: `install ${adapter.needs[0]} or point --engine-bin at it (see \`bench engines\`)`, cause: err },
    );
  }

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const forget = recordEngine(recordsDir, proc.pid);
  void proc.exited.then((e) => {
    exitInfo = e;
  });
  const startError = (message: string) =>
    new BenchError('BENCH_ERR_ENGINE_START', `${message}; ${formatTail(logPath)}`, {
      hint: `full log: ${logPath}`,
    });

  const startedMs = performance.now();
  const timeoutMs = plan.readyTimeout * 1000;
  ctx.progress.phase(`starting ${adapter.name} (log: ${logPath})`, Math.ceil(plan.readyTimeout));
  try {
    let origin = `http://${host}:${port}`;
    if (cmd.portFromStdout) {
      const line = await abortable(
        Promise.race([
          proc.waitForLine(/listening on (https?:\/\/\S+)/),
          proc.exited.then(() => null),
          sleep(timeoutMs).then(() => undefined),
        ]),
        ctx.signal,
        `${adapter.name} was starting`,
      );
      if (line === null)
        throw startError(
          `${adapter.name} exited (${exitText(exitInfo ?? { code: null, signal: null })}) before it was ready`,
        );
      if (line === undefined)
        throw startError(`${adapter.name} did not report its port within ${plan.readyTimeout} s`);
      origin = (line[1] as string).replace(/\/+$/, '');
    }
    for (;;) {
      if (ctx.signal.aborted)
        throw new BenchError('BENCH_ERR_ABORTED', `interrupted while ${adapter.name} was starting`);
      if (exitInfo) throw startError(`${adapter.name} exited (${exitText(exitInfo)}) before it was ready`);
      const state = await abortable(
        Promise.race([adapter.readiness(origin), proc.exited.then(() => 'exited' as const)]),
        ctx.signal,
        `${adapter.name} was starting`,
      );
      if (state === 'ready') break;
      const elapsedMs = performance.now() - startedMs;
      if (state !== 'exited' && elapsedMs > timeoutMs) {
        throw startError(
          `${adapter.name} did not become ready within ${plan.readyTimeout} s (--ready-timeout)`,
        );
      }
      ctx.progress.update(Math.floor(elapsedMs / 1000));
      if (state !== 'exited') await abortableSleep(pollMs, ctx.signal, `${adapter.name} was starting`);
    }
    const version = await abortable(adapter.version(origin), ctx.signal, `reading ${adapter.name}'s version`);
    // The simulator (and any engine behind a DCGM exporter on the same port) offers power readings.
    const dcgm = await probe(`${origin}/dcgm/metrics`, { timeoutMs: 2000, signal: ctx.signal });
    const dcgmUrl =
      dcgm.status === 200 && dcgm.body.includes('DCGM_FI_DEV') ? `${origin}/dcgm/metrics` : null;
    ctx.progress.done();
    ctx.log.info(
      `${adapter.name} ready after ${((performance.now() - startedMs) / 1000).toFixed(1)} s at ${origin}`,
    );
    return runningHandle(adapter, proc, origin, {
      forget,
      modelInfo,
      version,
      dcgmUrl,
      argv,
      graceMs,
      healthMs: ctx.healthIntervalMs,
    });
  } catch (err) {
    ctx.progress.done();
    await proc.stop(Math.min(graceMs, 5000));
    forget();
    throw err;
  }
}

function runningHandle(
  adapter: EngineAdapter,
  proc: EngineProcess,
  origin: string,
  o: {
    forget: () => void;
    modelInfo: Record<string, unknown> | null;
    version: string | null;
    dcgmUrl: string | null;
    argv: string[];
    graceMs: number;
    healthMs?: number;
  },
): EngineHandle {
  let stopped = false;
  let rejectDied: (err: BenchError) => void = () => {};
  const died = new Promise<never>((_resolve, reject) => {
    rejectDied = reject;
  });
  // Nobody may be listening yet when the engine dies; the rejection is still delivered to later awaits.
  died.catch(() => {});
  const fail = (why: string) => {
    if (stopped) return;
    rejectDied(
      new BenchError(
        'BENCH_ERR_ENGINE_DIED',
        `${adapter.name} ${why} during the run; ${formatTail(proc.logPath)}`,
        {
          hint: `full log: ${proc.logPath}`,
        },
      ),
    );
  };
  void proc.exited.then((e) => fail(`exited (${exitText(e)})`));

  // Health is polled too: an engine can hang with its process alive (a stuck NCCL worker).
  let failures = 0;
  let checking = false;
  const monitor = setInterval(async () => {
    if (checking || stopped) return;
    checking = true;
    const ok = await adapter.healthy(origin);
    checking = false;
    failures = ok ? 0 : failures + 1;
    if (failures >= 3) fail(`failed ${failures} health checks in a row`);
  }, o.healthMs ?? 1000);
  monitor.unref();

  return {
    name: adapter.name,
    baseUrl: `${origin}/v1`,
    version: o.version,
    commandLine: o.argv,
    quirks: adapter.quirks,
    metricsUrl: adapter.metricsPath ? `${origin}${adapter.metricsPath}` : null,
    dcgmUrl: o.dcgmUrl,
    modelInfo: o.modelInfo,
    died,
    async stop() {
      stopped = true;
      clearInterval(monitor);
      await proc.stop(o.graceMs);
      o.forget();
    },
  };
}
