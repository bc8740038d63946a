import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { captureEnvironment } from '../../environment.js';
import { BenchError, isBenchError } from '../../errors.js';
import { listPlugins, loadPlugin, pluginModulePaths } from '../../plugin/loader.js';
import type {
  CommandIo,
  Logger,
  OptionDecl,
  Plugin,
  RunContext,
  RunOutcome,
  RunStatus,
} from '../../plugin/types.js';
import { createRng } from '../../rng.js';
import { resolveStorePath } from '../../store/paths.js';
import { openStore } from '../../store/run-store.js';
import { parseArgv } from '../argv.js';
import { CORE_PLAN_KEYS, coreRunOptions } from '../core-options.js';
import { optionsHelp } from '../help.js';
import { createProgress } from '../progress.js';
import { renderGeneric, toJson } from '../render.js';
import { configByKey, loadConfigFile, resolveOptions } from '../resolve.js';

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
  plan = plugin.validate?.(plan) ?? plan;

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
 * store the outcome and print the result.
 */
export async function runResolvedPlan(
  plugin: Plugin,
  plan: Record<string, unknown>,
  decls: OptionDecl[],
  values: Record<string, unknown>,
  io: CommandIo,
): Promise<number> {
  const seed = Number(values.seed ?? plan.seed ?? 42);
  const quiet = Boolean(values.quiet);
  const debug = Boolean(values.debug);
  const format = values.format as 'table' | 'json';
  const progress = createProgress({ stream: process.stderr, quiet });
  const log: Logger = {
    info: (m) => progress.note(m),
    warn: (m) => progress.warn(m),
    debug: (m) => {
      if (debug) progress.note(`debug: ${m}`);
    },
  };

  const store = openStore(await resolveStorePath(values.store as string | undefined));
  try {
    const reaped = store.reapStaleRuns();
    if (reaped.length > 0)
      log.info(`marked ${reaped.length} run(s) left running by a dead process as aborted`);
    const environment = captureEnvironment();
    const printed = publicPlan(plan, decls);
    const runId = store.createRun({
      plugin: plugin.id,
      plan: printed,
      environment,
      pid: process.pid,
      host: hostname(),
    });
    const writer = store.writer(runId);
    if (!quiet) io.stderr(`run: ${runId}\nplan: ${toJson(printed)}\n`);

    const controller = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      signals++;
      if (signals === 1) {
        progress.warn(`${sig}: stopping the run and keeping what was measured (again to exit at once)`);
        controller.abort(new BenchError('BENCH_ERR_ABORTED', `run aborted by ${sig}`));
        return;
      }
      // Second signal: better-sqlite3 is synchronous, so what is buffered can still be saved before exiting.
      try {
        writer.close();
        store.finishRun(runId, 'aborted', { error: `aborted by ${sig} (twice)` });
        store.close();
      } catch {}
      process.stderr.write(
        `error: run ${runId} aborted by ${sig}\nhint: what was recorded is kept: bench runs show ${runId}\n`,
      );
      process.exit(4);
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
    const aborted = controller.signal.aborted;
    const status: RunStatus = aborted
      ? 'aborted'
      : thrown !== undefined
        ? 'failed'
        : (outcome.status ?? 'complete');
    writer.close();
    const errorText =
      thrown !== undefined
        ? thrown instanceof Error
          ? thrown.message
          : String(thrown)
        : (outcome.error ?? undefined);
    store.finishRun(runId, status, { summary: outcome.summary, error: errorText });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (thrown !== undefined && !aborted) {
      if (isBenchError(thrown)) throw thrown;
      throw new BenchError('BENCH_ERR_INTERNAL', `plugin ${plugin.id} failed: ${errorText}`, {
        hint: `rerun with --debug for the stack; what was recorded is kept: bench runs show ${runId}`,
        cause: thrown,
      });
    }

    const doc = store.getRunDocument(runId);
    if (values.output) writeFileSync(resolve(values.output as string), `${toJson(doc, 2)}\n`);
    if (format === 'json') io.stdout(`${toJson(doc, 2)}\n`);
    else io.stdout(plugin.render ? plugin.render(doc) : renderGeneric(doc));

    if (aborted)
      throw new BenchError('BENCH_ERR_ABORTED', `run ${runId} aborted; what was measured is stored`, {
        hint: `bench runs show ${runId}`,
      });
    if (outcome.gateFailed) {
      if (values.strict)
        throw new BenchError('BENCH_ERR_GATE', `run ${runId} completed but a gate failed`, {
          hint: 'see the flagged levels above; without --strict this exits 0',
        });
      progress.warn('a gate failed (see the flagged levels); --strict makes this exit 1');
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
    store.close();
  }
}
