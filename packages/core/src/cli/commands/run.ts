import { existsSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { captureEnvironment } from '../../environment.js';
import { BenchError, isBenchError } from '../../errors.js';
import { listPlugins, loadPlugin, pluginModulePaths } from '../../plugin/loader.js';
import type {
  CommandIo,
  Logger,
  OptionDecl,
  Plugin,
  ReportSource,
  RunContext,
  RunOutcome,
  RunStatus,
} from '../../plugin/types.js';
import { createRng } from '../../rng.js';
import { overriding, redactDeep, redactingWriter, redactText } from '../../secrets.js';
import { resolveStorePath } from '../../store/paths.js';
import { isDiskFull, reserveSpace, storeWriteError } from '../../store-full.js';
import { openStore } from '../../store/run-store.js';
import { parseArgv } from '../argv.js';
import { checkOutputPath, checkStorePath } from '../path-checks.js';
import { CORE_PLAN_KEYS, coreRunOptions } from '../core-options.js';
import { optionsHelp } from '../help.js';
import { createProgress } from '../progress.js';
import { renderGeneric, toJson } from '../render.js';
import { configByKey, loadConfigFile, resolveOptions } from '../resolve.js';

/** `--report FILE` is checked before the run starts: a typo must not cost a whole run's report. */
function checkReportPath(plugin: Plugin, path: string): void {
  if (!plugin.report)
    throw new BenchError('BENCH_ERR_BAD_OPTION', `plugin ${plugin.id} has no HTML report`, {
      hint: 'drop --report',
    });
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BenchError('BENCH_ERR_BAD_OPTION', `--report ${path}: ${dir} is not a directory`, {
      hint: `create it first (mkdir -p ${dir}) or choose another path`,
    });
}

/** `--report FILE`: the plugin's HTML report of this run, from what the store now holds. */
async function writeRunReport(
  plugin: Plugin,
  store: ReportSource,
  runId: string,
  path: string,
  progress: { note(m: string): void },
): Promise<void> {
  if (!plugin.report)
    throw new BenchError('BENCH_ERR_BAD_OPTION', `plugin ${plugin.id} has no HTML report`, {
      hint: 'drop --report',
    });
  const html = await plugin.report(store, [runId]);
  try {
    writeFileSync(path, html);
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `cannot write the report to ${path}: ${(err as Error).message}`,
      {
        hint: `the run is stored: bench report ${runId} --out FILE`,
        cause: err,
      },
    );
  }
  progress.note(`report: ${path}`);
}

/** The plan as printed and stored: secret options redacted. */
function publicPlan(plan: Record<string, unknown>, decls: OptionDecl[]): Record<string, unknown> {
  const out = { ...plan };
  for (const d of decls) if (d.secret && out[d.key] !== undefined) out[d.key] = '<redacted>';
  return out;
}

async function runHelp(io: CommandIo, plugin: Plugin | null): Promise<void> {
  if (!plugin) {
    const plugins = await listPlugins({ modules: pluginModulePaths(undefined) }).catch(() => []);
    io.stdout(
      `Usage: bench run <plugin> [options]\n\nRun a benchmark plugin. Plugins: ${plugins.map((p) => p.id).join(', ') || 'none found'}\n` +
        `Options of a plugin: bench run <plugin> --help\n\n${optionsHelp(coreRunOptions)}`,
    );
    return;
  }
  const own = new Set(plugin.options.map((o) => o.key));
  io.stdout(
    `Usage: bench run ${plugin.id} [options]\n\n${plugin.description}\n\n` +
      optionsHelp([...plugin.options, ...coreRunOptions.filter((o) => !own.has(o.key))]),
  );
}

/**
 * `bench run <plugin> [options]`: resolve the plan (defaults < config < flags), validate it, record the
 * run, run the plugin with signals wired to its AbortSignal, store the outcome and print the result.
 * Returns the exit code; throws BenchError for bad input.
 */
export async function runCommand(argv: string[], io: CommandIo): Promise<number> {
  const [pluginId, ...rest] = argv;
  if (pluginId === undefined || pluginId.startsWith('-')) {
    if (argv.includes('--help') || argv.includes('-h')) {
      await runHelp(io, null);
      return 0;
    }
    throw new BenchError('BENCH_ERR_USAGE', 'missing the plugin to run', {
      hint: 'bench run <plugin> [options], e.g. bench run llm.inference --help; `bench plugins` lists them',
    });
  }
  // First pass: only the core options matter (where to load plugins from, --help), the plugin's are unknown yet.
  const pre = parseArgv(rest, coreRunOptions, { allowUnknown: true });
  const configPath = pre.values.get('config') as string | undefined;
  const rawConfig = configPath ? await loadConfigFile(configPath) : {};
  // A config file may name the plugin module too (flag wins), so it is read before the plugin is loaded.
  const moduleOption = pre.values.get('pluginModule') ?? rawConfig.pluginModule ?? rawConfig['plugin-module'];
  const modules = pluginModulePaths(typeof moduleOption === 'string' ? moduleOption : undefined);
  const plugin = await loadPlugin(pluginId, { modules });
  if (pre.help) {
    await runHelp(io, plugin);
    return 0;
  }
  const own = new Set(plugin.options.map((o) => o.key));
  const core = coreRunOptions.filter((o) => !own.has(o.key));
  const decls = [...plugin.options, ...core];
  const parsed = parseArgv(rest, decls);
  if (parsed.positionals.length > 0)
    throw new BenchError('BENCH_ERR_USAGE', `unexpected argument '${parsed.positionals[0]}'`, {
      hint: `options are flags: bench run ${plugin.id} --help`,
    });

  // `config` inside a config file would be a loop; it is not a valid key there.
  const config = configPath
    ? configByKey(
        rawConfig,
        decls.filter((d) => d.key !== 'config'),
        configPath,
      )
    : new Map<string, unknown>();
  const values = resolveOptions(decls, parsed.values, parsed.typed, config, configPath);
  let plan: Record<string, unknown> = {};
  for (const d of plugin.options) if (values[d.key] !== undefined) plan[d.key] = values[d.key];
  for (const k of CORE_PLAN_KEYS) if (!own.has(k)) plan[k] = values[k];
  plan = (await plugin.validate?.(plan, values.kubernetes ? { rendering: 'kubernetes' } : {})) ?? plan;
  if (values.kubernetes) {
    const { runOnKubernetes } = await import('../kubernetes.js');
    return runOnKubernetes(plugin, plan, values, CORE_PLAN_KEYS, io);
  }
  // Where results go is checked before anything starts too: a bad path leaves no engine and no record.
  if (values.output) checkOutputPath(values.output as string);
  const storePath = await resolveStorePath(values.store as string | undefined);
  checkStorePath(storePath);

  if (values.report) checkReportPath(plugin, resolve(values.report as string));

  // Several engines or configs, or repeated launches: one run per launch, grouped (SPEC §10).
  const launchSet = plugin.launchSet?.(plan, Number(values.seed ?? plan.seed ?? 42)) ?? null;
  if (launchSet) {
    const { runLaunchSet } = await import('../launch-set.js');
    return runLaunchSet(launchSet, values, io, (p, v, runIo) => runResolvedPlan(plugin, p, decls, v, runIo));
  }
  return runResolvedPlan(plugin, plan, decls, values, io);
}

/**
 * Run one resolved, validated plan: record the run, run the plugin with signals wired to its AbortSignal,
 * store the outcome and print the result. `onRunId` hears the run id as soon as it exists.
 */
export async function runResolvedPlan(
  plugin: Plugin,
  plan: Record<string, unknown>,
  decls: OptionDecl[],
  values: Record<string, unknown>,
  io: CommandIo,
  onRunId?: (runId: string) => void,
): Promise<number> {
  const seed = Number(values.seed ?? plan.seed ?? 42);
  const quiet = Boolean(values.quiet);
  const debug = Boolean(values.debug);
  const format = values.format as 'table' | 'json';
  // Notes and warnings may quote a server's answer or a URL: both nets of secrets.ts apply (SPEC §14).
  const rawProgress = createProgress({ stream: process.stderr, quiet });
  const progress = overriding(rawProgress, {
    note: (m: string) => rawProgress.note(redactText(m)),
    warn: (m: string) => rawProgress.warn(redactText(m)),
  });
  const log: Logger = {
    info: (m) => progress.note(m),
    warn: (m) => progress.warn(m),
    debug: (m) => {
      if (debug) progress.note(`debug: ${m}`);
    },
  };

  // Checked before anything started (runCommand); resolved again here for launch sets' own runs.
  const storePath = await resolveStorePath(values.store as string | undefined);
  const store = await openStore(storePath);
  const lateSignal = (): void => process.exit(4);
  // Room for the last writes of a run whose disk fills (see store-full.ts); freed when the run ends.
  const reserve = reserveSpace(storePath);
  try {
    const reaped = await store.reapStaleRuns();
    if (reaped.length > 0)
      log.info(`marked ${reaped.length} run(s) left running by a dead process as aborted`);
    const environment = captureEnvironment();
    // A pod of an Indexed Job (`--kubernetes`): which Job and which index this run is.
    if (process.env.JOB_COMPLETION_INDEX !== undefined)
      environment.kubernetes = {
        job_completion_index: Number(process.env.JOB_COMPLETION_INDEX),
        pod: process.env.HOSTNAME ?? null,
      };
    const redactedEnvironment = redactDeep(environment);
    const printed = redactDeep(publicPlan(plan, decls));
    let runId: string;
    try {
      runId = await store.createRun({
        plugin: plugin.id,
        plan: printed,
        environment: redactedEnvironment,
        pid: process.pid,
        host: hostname(),
        ...(plugin.requestColumns ? { requestColumns: plugin.requestColumns } : {}),
      });
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      throw new BenchError(
        'BENCH_ERR_STORE',
        `the disk under the store is full (${storePath}): nothing was started`,
        {
          hint: 'free space on that disk or give --store a path on another one',
        },
      );
    }
    onRunId?.(runId);
    // A failed store write (a full disk) stops the run like Ctrl-C does, but the run is marked failed.
    let storeError: unknown = null;
    const controller = new AbortController();
    const writer = redactingWriter(
      await store.writer(runId, {
        onError: (err) => {
          storeError = err;
          reserve.release();
          progress.warn(
            `store write failed (${isDiskFull(err) ? 'disk full' : String(err)}): stopping the run`,
          );
          controller.abort(err);
        },
      }),
    );
    if (!quiet) io.stderr(`run: ${runId}\nplan: ${toJson(printed)}\n`);

    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      signals++;
      if (signals === 1) {
        progress.warn(`${sig}: stopping the run and keeping what was measured (again to exit at once)`);
        controller.abort(new BenchError('BENCH_ERR_ABORTED', `run aborted by ${sig}`));
        return;
      }
      // Second signal: save what is buffered and mark the run (SQLite does it at once; a PostgreSQL
      // server gets two seconds), then exit.
      const exit = (): never => {
        process.stderr.write(
          `error: run ${runId} aborted by ${sig}\nhint: what was recorded is kept: bench runs show ${runId}\n`,
        );
        process.exit(4);
      };
      setTimeout(exit, 2000).unref();
      void (async () => {
        await writer.close();
        await store.finishRun(runId, 'aborted', { error: `aborted by ${sig} (twice)` });
        await store.close();
      })()
        .catch(() => {})
        .then(exit);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const ctx: RunContext = {
      runId,
      plan,
      seed,
      rng: createRng(seed),
      progress,
      writer,
      signal: controller.signal,
      log,
      environment,
      debug,
    };
    let outcome: RunOutcome = {};
    let thrown: unknown;
    try {
      outcome = (await plugin.run(ctx)) ?? {};
    } catch (err) {
      thrown = err;
    } finally {
      progress.done();
    }
    const aborted = controller.signal.aborted && storeError === null;
    const status: RunStatus =
      storeError !== null
        ? 'failed'
        : aborted
          ? 'aborted'
          : thrown !== undefined
            ? 'failed'
            : (outcome.status ?? 'complete');
    await writer.close();
    const rawError =
      storeError !== null
        ? `store write failed: ${storeError instanceof Error ? storeError.message : String(storeError)}`
        : thrown !== undefined
          ? thrown instanceof Error
            ? thrown.message
            : String(thrown)
          : (outcome.error ?? undefined);
    const errorText = rawError === undefined ? undefined : redactText(rawError);
    if (storeError !== null) {
      // The reserve was freed: these last small writes fit. What the run wrote before stays as it is.
      let marked = true;
      try {
        await store.finishRun(runId, status, { summary: outcome.summary, error: errorText });
      } catch {
        marked = false;
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      let written: number | null = null;
      try {
        const doc = await store.getRunDocument(runId);
        written = doc.records?.requests ?? doc.requests?.length ?? null;
      } catch {}
      throw storeWriteError(storeError, { storePath, runId, requestsWritten: written, marked });
    }
    await store.finishRun(runId, status, { summary: outcome.summary, error: errorText });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The run is stored: a signal from here on (Ctrl-C again while the result prints) exits 4 at once
    // rather than killing the process by the default action.
    process.on('SIGINT', lateSignal);
    process.on('SIGTERM', lateSignal);

    // Every run that got this far has a document: a failed or aborted one is printed (--format json) and
    // written (--output) too, so a script reading stdout or the file sees its status and what was measured.
    const doc = await store.getRunDocument(runId);
    if (values.output) writeFileSync(resolve(values.output as string), `${toJson(doc, 2)}\n`);
    if (format === 'json') io.stdout(`${toJson(doc, 2)}\n`);
    if (thrown !== undefined && !aborted) {
      if (isBenchError(thrown)) throw thrown;
      throw new BenchError('BENCH_ERR_INTERNAL', `plugin ${plugin.id} failed: ${errorText}`, {
        hint: `rerun with --debug for the stack; what was recorded is kept: bench runs show ${runId}`,
        cause: thrown,
      });
    }
    if (values.report) await writeRunReport(plugin, store, runId, resolve(values.report as string), progress);
    if (format !== 'json') io.stdout(plugin.render ? plugin.render(doc) : renderGeneric(doc));

    if (aborted)
      throw new BenchError('BENCH_ERR_ABORTED', `run ${runId} aborted; what was measured is stored`, {
        hint: `bench runs show ${runId}`,
      });
    if (outcome.gateFailed) {
      const why = outcome.gateReason ?? 'a gate failed';
      if (values.strict)
        throw new BenchError('BENCH_ERR_GATE', `run ${runId} completed but ${why}`, {
          hint: 'see the flagged levels above; without --strict this exits 0',
        });
      progress.warn(`${why} (see the flagged levels); --strict makes this exit 1`);
    }
    if (status === 'failed')
      throw new BenchError(
        'BENCH_ERR_INTERNAL',
        `run ${runId} failed: ${errorText ?? 'the plugin reported a failure'}`,
        {
          hint: `bench runs show ${runId}`,
        },
      );
    return 0;
  } finally {
    reserve.release();
    process.off('SIGINT', lateSignal);
    process.off('SIGTERM', lateSignal);
    await store.close();
  }
}
