import { existsSync } from 'node:fs';
import {
  BenchError,
  checkHardware,
  createPowerMeter,
  definePlugin,
  detectHardware,
  hardwareLabel,
  measureIdlePower,
  type Plugin,
  type PowerMeter as CorePowerMeter,
  type RunContext,
  type RequestRecordInput,
  type RunOutcome,
} from 'inferencebench';
import { abortable } from './abortable.js';
import { createStreamingClient } from './client/streaming-client.js';
import { planLaunches } from './compare/launch-plan.js';
import { datasetTokenCounter, loadDataset } from './datasets/index.js';
import { withUniquePrompts } from './datasets/synthetic.js';
import { acquireEngine, startScraper } from './engines/index.js';
import { selectTunedConfig } from './engines/tuned.js';
import { refusalError } from './engines/launch.js';
import { resolveModel, suggestModels } from './models/catalogue.js';
import { decideLaunch, FIT_ENGINES, launchSummary, servingLabel } from './models/launch-plan.js';
import { createLiveStatus } from './live-status.js';
import { searchGoodputRate } from './load/goodput-search.js';
import { firstLine, type LevelRunOptions, type LevelRunResult, runLevel } from './load/level-runner.js';
import {
  computeLevelDocument,
  type LevelContext,
  type LevelDocument,
  type LevelInputs,
  type LevelPower,
  levelInputsOf,
} from './metrics/level-metrics.js';
import { levelContextFrom, levelRng, rebuildRunDocument, summaryOf } from './metrics/run-results.js';
import { asStored, fromStoredRow, type StoredRequestView } from './metrics/stored-request.js';
import type { TokenCounter } from './metrics/request-metrics.js';
import { type LlmPlan, llmOptions } from './options.js';
import { renderRun } from './output/render.js';
import { apiKeyFor, preflightPlan } from './preflight.js';
import { resolveSlo, type Slo } from './slo/templates.js';
import type { EngineHandle, PromptItem, RequestQuirks, StreamingClient } from './types.js';
import { LLM_REQUEST_COLUMNS } from './request-columns.js';
import { concurrencyShare, type Shard, shardOf, resolveShardIndex, validateShards } from './shards.js';

/**
 * The part of the core's PowerMeter (packages/core/src/telemetry/types.ts) the plugin uses; structural, so
 * the core's meter fits without this package importing core internals.
 */
export interface PowerMeter {
  readonly source: string;
  readonly devices: readonly unknown[];
  samples?(): readonly { tMs: number; watts: number }[];
  window(
    startMs: number,
    endMs: number,
  ): { energyJ: number | null; powerAvgW: number | null; valid: boolean; invalidReason: string | null };
  stop(): Promise<void>;
}

/** What the plugin needs to make a client (the client module's `createStreamingClient`). */
export type ClientFactory = (options: {
  baseUrl: string;
  apiKey?: string;
  connections: number;
  quirks: RequestQuirks;
}) => StreamingClient;

/** Seams the lead wires (power meter) and tests replace (client). */
export interface LlmPluginDeps {
  createClient?: ClientFactory;
  /** A started power meter for this engine, or null; the plugin reads `window()` per level and stops it. */
  powerMeter?: (plan: LlmPlan, engine: EngineHandle, ctx: RunContext<LlmPlan>) => Promise<PowerMeter | null>;
}

/** Cross-option checks (SPEC §2, §4). */
export function validatePlan(plan: LlmPlan, context: { rendering?: 'kubernetes' } = {}): LlmPlan {
  if (Array.isArray(plan.rate) && plan.rate.length !== 1 && plan.rate.length !== plan.concurrency.length) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `--rate has ${plan.rate.length} values for ${plan.concurrency.length} concurrency levels`,
      { hint: 'give one rate for all levels, or one per level (same count as --concurrency)' },
    );
  }
  if (plan.rate === 'auto' && plan.warmupRuns < 1) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', '--rate auto needs at least one warm-up run', {
      hint: "use --warmup-runs 1 or more (Little's law uses the warm-up's latency), or an explicit --rate",
    });
  }
  if (plan.search === 'goodput' && plan.rate === 'inf') {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      '--search goodput searches over the Poisson rate; --rate inf has none',
      {
        hint: 'use --rate auto or a starting rate with --search goodput',
      },
    );
  }
  resolveSlo(plan.sloTemplate, plan.slo);
  // Pods rendered for Kubernetes get their shard index (and group) there, not here.
  const sharded = validateShards(resolvePlanModel(plan));
  return context.rendering ? sharded : resolveShardIndex(sharded);
}

/**
 * A launched hub engine serves an exact checkpoint: short names and families (`meta-llama/Llama-4-Maverick`,
 * `llama-3.1-8b`) resolve to it for the quant (SPEC §3); an unknown short name gets suggestions. Attached
 * endpoints, the simulator and GGUF engines serve what they are given.
 */
export function resolvePlanModel(plan: LlmPlan): LlmPlan {
  if (plan.endpoint || !(FIT_ENGINES as readonly string[]).includes(plan.engine)) return plan;
  const r = resolveModel(plan.model, plan.quant);
  if (r.how === 'resolved') return { ...plan, model: r.served, modelGiven: plan.model };
  // A name the catalogue does not know is served as given (any hub id, even an old one without an owner,
  // or a local directory) unless it is a near miss of a known one: then it is a typo, refused with the names.
  const near = r.how === 'as-given' && !existsSync(plan.model) ? suggestModels(plan.model) : [];
  if (near.length > 0) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown model "${plan.model}" for ${plan.engine}`, {
      hint: `did you mean ${near.join(', ')}? (or give the exact hub id, owner/name)`,
    });
  }
  return plan;
}

/**
 * On Kubernetes: one pod per shard (all in one shard group, the Job's name) or one pod for the run; a
 * launched engine gets --tp GPUs in its pod, attaching to an endpoint (or the simulator) needs none.
 */
function kubernetesPods(plan: LlmPlan, job: { name: string }) {
  // Without --tp, the GPUs of the model's recipe for --hardware (the pod cannot detect before it is scheduled).
  const tp =
    plan.tp ??
    selectTunedConfig({
      engine: plan.engine,
      hardware: plan.hardware,
      quant: plan.quant,
      model: plan.model,
      gpuCount: null,
    })?.config.tp ??
    1;
  const gpus = plan.endpoint || plan.engine === 'sim' ? 0 : tp;
  if (plan.shards <= 1) {
    // A launch set (engines x configs x launches): one pod per launch, every pod under the Job's group id.
    const set = planLaunches({ ...plan, launchGroup: undefined }, plan.seed);
    if (set)
      return { pods: set.launches.length, gpus, plan: { launchGroup: job.name, launchIndex: undefined } };
    return { pods: 1, gpus };
  }
  return {
    pods: plan.shards,
    gpus,
    plan: { shardGroup: plan.shardGroup ?? job.name, shardIndex: undefined },
  };
}

/**
 * Connections for the client's pool: the cap where there is one; an uncapped auto level (mean in-flight C,
 * Poisson-like spread) gets room for 4C + 32, so the pool never becomes a hidden client queue.
 */
function connectionsFor(plan: LlmPlan): number {
  const maxC = Math.max(...plan.concurrency);
  if (plan.maxInflight !== undefined) return Math.max(plan.maxInflight, maxC);
  return plan.rate === 'auto' ? 4 * maxC + 32 : maxC;
}

/** Before anything starts: a launch that cannot fit the detected GPUs is refused (exit 2, no run record). */
export async function preflightLaunch(plan: LlmPlan): Promise<void> {
  if (plan.endpoint || !(FIT_ENGINES as readonly string[]).includes(plan.engine)) return;
  const detected = await detectHardware();
  const decision = await decideLaunch({
    engine: plan.engine,
    model: plan.model,
    quant: plan.quant,
    hardware: plan.hardware,
    explicitTp: plan.tp,
    engineArgs: plan.engineArg ?? [],
    detected,
  });
  if (decision.refusal) throw refusalError(decision);
}

function rateFor(plan: LlmPlan, i: number): number | 'auto' | 'inf' {
  if (plan.rate === 'auto' || plan.rate === 'inf') return plan.rate;
  return plan.rate.length === 1 ? plan.rate[0]! : plan.rate[i]!;
}

/** Build the llm.inference plugin; `llmInference` is the default instance. */
export function createLlmInferencePlugin(deps: LlmPluginDeps = {}): Plugin<LlmPlan> {
  return definePlugin<LlmPlan>({
    id: 'llm.inference',
    description: 'LLM serving: TTFT, TPOT, throughput, goodput at an SLO, power and cost',
    options: llmOptions,
    requestColumns: LLM_REQUEST_COLUMNS,
    kubernetes: kubernetesPods,
    // Cross-option checks, then everything a typo can break (names, ranges, the dataset file, the key's
    // variable) and a launch that cannot fit the detected GPUs: all before the run record and the engine
    // (SPEC §14). Rendered for Kubernetes pods, only the checks that do not depend on this machine.
    validate: async (plan, context = {}) => {
      const checked = validatePlan(plan, context);
      if (context.rendering) return checked;
      await preflightPlan(checked);
      await preflightLaunch(checked);
      return checked;
    },
    render: renderRun,
    // The report module (and its chart library) loads only when a report is asked for.
    report: async (source, runIds) => (await import('./report/command.js')).reportHtml(source, runIds),
    rebuild: rebuildRunDocument,
    run: (ctx) => runLlmInference(ctx, deps),
    launchSet: planLaunches,
  });
}

async function runLlmInference(ctx: RunContext<LlmPlan>, deps: LlmPluginDeps): Promise<RunOutcome> {
  const plan = ctx.plan;
  // The key is read from the environment here and handed to the client only: never to plan, store or logs.
  const apiKey = apiKeyFor(plan);
  if (plan.apiKeyEnv && !apiKey) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `environment variable ${plan.apiKeyEnv} is not set`, {
      hint: `export ${plan.apiKeyEnv}=... or drop --api-key-env`,
    });
  }
  const createClient = deps.createClient ?? createStreamingClient;

  const dataset = await loadDataset(
    { ...plan, seed: ctx.seed },
    { rng: ctx.rng, progress: ctx.progress, signal: ctx.signal },
  );
  if (dataset.items.length === 0) {
    throw new BenchError('BENCH_ERR_DATASET', `dataset ${dataset.id} has no prompts`, {
      hint: 'check --dataset',
    });
  }
  const datasetInfo = {
    id: dataset.id,
    checksum: dataset.checksum,
    tokenizer: dataset.tokenizer,
    items: dataset.items.length,
  };
  await ctx.writer.mergePlan({ dataset_resolved: datasetInfo });
  await ctx.writer.mergeEnvironment({ dataset: { ...datasetInfo, meta: dataset.meta } });
  const counter = await driverTokenCounter(plan);

  // Hardware is recorded with every run; --hardware is checked against it, never trusted blindly.
  const hardware = await detectHardware();
  const hardwareWarning = checkHardware(plan.hardware, hardware);
  if (hardwareWarning) ctx.progress.warn(hardwareWarning);
  await ctx.writer.mergeEnvironment({ hardware: { ...hardware, label: hardwareLabel(hardware) } });

  // One signal stops the run on Ctrl-C and when the engine dies; data measured so far is kept. It listens
  // before the engine is acquired: an abort fired during the attach must not be missed by the levels.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  if (ctx.signal.aborted) stop.abort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  const engine = await acquireEngine(plan, {
    runDir: ctx.writer.runDir(),
    progress: ctx.progress,
    signal: ctx.signal,
    log: ctx.log,
    seed: ctx.seed,
    hardware: hardware.gpus[0]?.model ?? null,
    detected: hardware,
    onDecision: (d) => {
      if (plan.modelGiven) {
        // The writer keeps the order of its writes; a failure surfaces at the next awaited one.
        void ctx.writer.mergePlan({ model_given: plan.modelGiven, model_served: plan.model }).catch(() => {});
        ctx.log.info(`model ${plan.modelGiven} -> ${plan.model} (${d.quant ?? 'default'} checkpoint)`);
      }
      for (const r of d.reasons) ctx.log.debug(`launch: ${r}`);
      void ctx.writer
        .mergeEnvironment({
          launch: launchSummary(d),
          ...(d.gpus
            ? {
                hardware: {
                  ...hardware,
                  label: hardwareLabel(hardware),
                  serving: servingLabel(d.tp, d.gpus.label),
                },
              }
            : {}),
        })
        .catch(() => {});
    },
    maxSequenceTokens: sequenceTokens(dataset.items),
  });
  const counters = new CounterCheck();
  const scraper = startScraper(
    engine,
    (sample) => {
      counters.sample(sample);
      ctx.writer.sample(sample);
    },
    { log: ctx.log },
  );
  let client: StreamingClient | null = null;
  let meter: PowerMeter | null = null;
  const levels: LevelDocument[] = [];
  const live = createLiveStatus(plan, ctx.progress);
  const storedPlan = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
  let levelCtx: LevelContext | null = null;
  let engineError: unknown = null;
  engine.died.catch((err: unknown) => {
    engineError = err;
    stop.abort();
  });
  try {
    await ctx.writer.mergeEnvironment({
      engine: {
        name: engine.name,
        version: engine.version,
        command_line: engine.commandLine,
        base_url: engine.baseUrl,
        // MLX, TRT-LLM (strict fields) and hosted APIs cannot force the requested output length.
        output_length_enforced: engine.quirks.canForceOutputLength,
        model: engine.modelInfo ?? null,
        prompt_cache: plan.promptCache,
      },
    });
    const maxC = Math.max(...plan.concurrency);
    const clientOptions = {
      baseUrl: engine.baseUrl,
      ...(apiKey ? { apiKey } : {}),
      connections: connectionsFor(plan),
      quirks: promptCacheQuirks(plan, engine, ctx),
    };
    // --workers N: the same client on N worker threads, fed from the one schedule (load/workers.ts).
    client =
      (plan.workers ?? 1) > 1
        ? await (await import('./load/workers.js')).createWorkerClient({
            ...clientOptions,
            workers: plan.workers,
          })
        : createClient(clientOptions);
    // SPEC §4: synthetic prompts are unique per request, so no prefix cache flatters TTFT by accident.
    if (dataset.id === 'synthetic')
      client = withUniquePrompts(client, ctx.rng.fork(`unique-prompts/${ctx.runId}`));
    await scraper.first;
    await abortable(client.warm(maxC), stop.signal, 'opening connections');
    // Idle power first (nothing in flight), then the probe.
    const meterStart = (deps.powerMeter ?? defaultPowerMeter)(plan, engine, ctx);
    // An abandoned start still hands over its meter, so that it is stopped too.
    meter = await abortable(meterStart, stop.signal, 'measuring idle power').catch(async (err: unknown) => {
      void meterStart.then((m) => m?.stop()).catch(() => {});
      throw err;
    });
    await probeRequest(client, plan, dataset.items[0]!, ctx, counters);
    let powerSamplesWritten = 0;
    const writePowerSamples = (): void => {
      const all = meter?.samples?.() ?? [];
      for (; powerSamplesWritten < all.length; powerSamplesWritten++) {
        const s = all[powerSamplesWritten]!;
        ctx.writer.sample({ series: 'power_w', tMs: performance.timeOrigin + s.tMs, value: s.watts });
      }
    };
    writePowerSamples();

    const baseLevel = (
      index: number,
      concurrency: number,
      rate: number | 'auto' | 'inf',
    ): LevelRunOptions => ({
      levelIndex: index,
      concurrency: shard ? concurrencyShare(concurrency, shard) : concurrency,
      rate,
      ...(plan.maxInflight !== undefined ? { maxInflight: plan.maxInflight } : {}),
      durationS: plan.durationS,
      warmupRuns: plan.warmupRuns,
      gateWindow: plan.gateWindow,
      gateCov: plan.gateCov,
      gateMetric: plan.gateMetric,
      gateTimeoutS: plan.gateTimeoutS,
      drainTimeoutS: plan.drainTimeoutS,
      requestTimeoutS: plan.requestTimeoutS,
      client: client!,
      items: dataset.items,
      api: plan.api,
      model: plan.model,
      rng: ctx.rng,
      signal: stop.signal,
      onRecord: (r) => {
        counters.record(r);
        ctx.writer.request(r);
        live.record(r);
      },
      progress: ctx.progress,
      tokenCounter: counter,
      // Shards: no gate of their own (their windows must line up); they start together (docs/scale.md).
      ...(shard
        ? {
            shard,
            gateTimeoutS: 0,
            beforePattern: async () => {
              const { startMs } = await ctx.writer.barrier(
                `${shard.group}/level-${index}/start`,
                shard.count,
                {
                  signal: stop.signal,
                },
              );
              await new Promise((r) => setTimeout(r, Math.max(0, startMs - Date.now())));
            },
          }
        : {}),
    });
    const shard = shardOf(plan);
    // The levels' context as the store will hold it (plan, engine, hardware, meter devices), through JSON:
    // the run computes its documents from exactly what `bench runs show` will read back.
    const meterDevices = meter?.devices ?? [];
    await ctx.writer.mergeEnvironment({ meter_devices: meterDevices });
    levelCtx = levelContextFrom(
      storedPlan,
      JSON.parse(
        JSON.stringify({
          engine: { name: engine.name, output_length_enforced: engine.quirks.canForceOutputLength },
          hardware: { ...hardware, label: hardwareLabel(hardware) },
          meter_devices: meterDevices,
        }),
      ),
    );
    const runAndStore = async (
      opts: LevelRunOptions,
      searchProbe: number | null = null,
    ): Promise<LevelDocument> => {
      live.level(opts.levelIndex, opts.concurrency);
      const run = await runLevel(opts);
      live.levelDone();
      // The meter needs one sample past the window's end to interpolate its counter there.
      if (meter && meter.source !== 'none') await new Promise((r) => setTimeout(r, 150));
      const inputs = JSON.parse(
        JSON.stringify(levelInputsOf(run, { power: meter ? powerWindow(meter, run) : null, searchProbe })),
      ) as LevelInputs;
      let doc = computeLevelDocument(
        inputs,
        run.records.map(asStored),
        levelRng(ctx.seed, opts.levelIndex),
        levelCtx!,
      );
      writePowerSamples();
      if (shard) doc = await mergeShards(ctx, shard, doc, plan.concurrency[opts.levelIndex]!, levelCtx!);
      levels.push(doc);
      await ctx.writer.level(doc.index, doc);
      await ctx.writer.flush();
      // A level whose first requests all failed stops the run: the server is not serving (SPEC §14).
      if (run.failedFast !== null && !stop.signal.aborted) {
        throw new BenchError(
          'BENCH_ERR_REQUESTS_FAILED',
          `level ${doc.index + 1} (c=${doc.concurrency}) stopped: ${run.failedFast}`,
          { hint: 'check the endpoint, --model and --api; the records are stored: bench runs show <run-id>' },
        );
      }
      return doc;
    };

    if (plan.search === 'goodput') {
      const cap = plan.concurrency[0]!;
      const initial = rateFor(plan, 0);
      await searchGoodputRate(
        async (rate) => {
          if (stop.signal.aborted) return { rateReqS: typeof rate === 'number' ? rate : 0, holds: false };
          const doc = await runAndStore(baseLevel(levels.length, cap, rate), levels.length);
          return { rateReqS: numericRate(doc), holds: doc.slo.holds };
        },
        initial === 'inf' ? 'auto' : initial,
        { maxProbes: 16 },
      );
    } else {
      for (let i = 0; i < plan.concurrency.length && !stop.signal.aborted; i++) {
        await runAndStore(baseLevel(i, plan.concurrency[i]!, rateFor(plan, i)));
      }
    }

    // The summary comes from the levels alone (a search's outcome too), as the store recomputes it.
    const summary = summaryOf(levels, storedPlan, levelCtx);
    await ctx.writer.setSummary(summary);
    if (engineError !== null) throw engineError;
    if (ctx.signal.aborted) return { status: 'aborted', summary };
    // A run in which no measured request succeeded is a failure, never `complete` (SPEC §14).
    if (levels.length > 0 && levels.every((l) => l.requests.ok === 0)) {
      const sample = levels.flatMap((l) => l.errors_sample)[0];
      throw new BenchError(
        'BENCH_ERR_REQUESTS_FAILED',
        `no measured request succeeded in ${levels.length} level(s)${sample ? ` (${sample.status}: ${firstLine(sample.error ?? '')})` : ''}`,
        { hint: 'check the endpoint, --model and --api; the records are stored: bench runs show <run-id>' },
      );
    }
    return {
      summary,
      gateFailed: summary.gate_failed,
      ...(summary.gate_failures.length > 0 ? { gateReason: summary.gate_failures.join('; ') } : {}),
    };
  } catch (err) {
    // Keep what was measured: the summary of the completed levels goes in even when the run fails.
    if (levels.length > 0 && levelCtx !== null)
      await ctx.writer.setSummary(summaryOf(levels, storedPlan, levelCtx));
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await meter?.stop().catch(() => {});
    await scraper.stop().catch(() => {});
    const check = counters.result();
    if (check) {
      ctx.writer.mergeEnvironment({ engine_counters: check });
      if (!check.agree)
        ctx.progress.warn(
          `output tokens: ${check.client_output_tokens} counted by the client, ${check.engine_generation_tokens} by ${engine.name}'s own counter over the run`,
        );
    }
    await client?.close().catch(() => {});
    await engine.stop();
  }
}

/**
 * The power source the plan asks for (`--power-source`, `auto` by default: the engine's DCGM endpoint,
 * NVML, nvidia-smi, RAPL, else none), started, with idle power measured before the first level.
 */
async function defaultPowerMeter(
  plan: LlmPlan,
  engine: EngineHandle,
  ctx: RunContext<LlmPlan>,
): Promise<PowerMeter | null> {
  const meter: CorePowerMeter = await createPowerMeter({
    source: plan.powerSource,
    ...(plan.gpus ? { gpus: plan.gpus } : {}),
    dcgmUrl: engine.dcgmUrl,
    ...(plan.raplRoot ? { raplRoot: plan.raplRoot } : {}),
  });
  await meter.start();
  let idle: { idle_w: number | null; duration_s: number } | null = null;
  if (meter.source !== 'none') {
    ctx.progress.note(`power: ${meter.source}; measuring idle power for ${IDLE_POWER_S} s`);
    const m = await measureIdlePower(meter, IDLE_POWER_S);
    idle = { idle_w: m.idleW, duration_s: m.durationS };
  }
  await ctx.writer.mergeEnvironment({
    power: { source: meter.source, detail: meter.detail ?? null, devices: meter.devices, idle },
  });
  return meter;
}

/**
 * The run's output tokens (every request, every phase) against the engine's own generation counter over
 * the run (first scrape before the first request, last after the last one): they must agree (issue 11).
 */
class CounterCheck {
  private first: number | null = null;
  private last: number | null = null;
  private clientTokens = 0;
  private unknown = 0;

  sample(s: { series: string; value: number }): void {
    if (s.series !== 'generation_tokens_total') return;
    this.first ??= s.value;
    this.last = s.value;
  }

  /** The probe request before the first level: not a record, but its tokens are the engine's too. */
  probe(nOut: number | null): void {
    if (nOut === null) this.unknown++;
    else this.clientTokens += nOut;
  }

  record(r: RequestRecordInput): void {
    const n = r.fields?.n_out;
    if (typeof n === 'number') this.clientTokens += n;
    if ((r.data as { n_out_source?: string } | undefined)?.n_out_source === 'unknown') this.unknown++;
  }

  result(): (Record<string, number | boolean> & { agree: boolean; client_output_tokens: number }) | null {
    if (this.first === null || this.last === null) return null;
    const engineTokens = this.last - this.first;
    return {
      client_output_tokens: this.clientTokens,
      engine_generation_tokens: engineTokens,
      requests_with_unknown_n_out: this.unknown,
      // Requests whose count is unknown (cut short, no server count) can only make the client's lower.
      agree: this.unknown === 0 ? engineTokens === this.clientTokens : engineTokens >= this.clientTokens,
    };
  }
}

/** The engine's quirks with `--prompt-cache off` applied where the engine can honour it. */
function promptCacheQuirks(plan: LlmPlan, engine: EngineHandle, ctx: RunContext<LlmPlan>): RequestQuirks {
  if (plan.promptCache === 'on') return engine.quirks;
  if (engine.name === 'llama.cpp') return { ...engine.quirks, cachePrompt: false };
  ctx.progress.warn(
    `--prompt-cache off: ${engine.name} has no per-request switch; its prefix cache stays on`,
  );
  return engine.quirks;
}

/** Longest prompt + output of the dataset, with room for a chat template and tokenizer differences. */
function sequenceTokens(items: readonly { promptTokens: number; outputTokens: number }[]): number {
  let longest = 0;
  for (const it of items) longest = Math.max(longest, it.promptTokens + it.outputTokens);
  return Math.ceil(longest * 1.25) + 64;
}

/** Seconds of idle power measured before the first level (reported beside, never subtracted). */
const IDLE_POWER_S = 2;

function numericRate(doc: LevelDocument): number {
  return doc.rate_req_s === 'inf' ? Number.POSITIVE_INFINITY : doc.rate_req_s;
}

function powerWindow(meter: PowerMeter, run: LevelRunResult): LevelPower {
  const w = meter.window(run.windowStartMs, run.windowEndMs);
  return {
    powerAvgW: w.powerAvgW,
    energyJ: w.energyJ,
    valid: w.valid,
    source: meter.source,
    invalidReason: w.invalidReason,
  };
}

/** The driver's fallback token count (no usage from the server): the dataset's tokenizer. */
async function driverTokenCounter(plan: LlmPlan): Promise<TokenCounter> {
  const c = await datasetTokenCounter(plan);
  return { source: c.approximate ? 'words' : 'tokenizer', count: (text) => c.count(text) };
}

/**
 * One request before the first level (SPEC §14): if the server does not serve it, nothing else will be
 * measured, so the run stops here with the HTTP status and the first line of the server's answer.
 */
async function probeRequest(
  client: StreamingClient,
  plan: LlmPlan,
  item: PromptItem,
  ctx: RunContext<LlmPlan>,
  counters?: CounterCheck,
): Promise<void> {
  const probe = { ...item, outputTokens: Math.min(item.outputTokens, PROBE_OUTPUT_TOKENS) };
  const res = await client.send(
    { item: probe, api: plan.api, model: plan.model },
    { signal: ctx.signal, timeoutMs: plan.requestTimeoutS * 1000 },
  );
  // The engine's generation counter sees the probe too (issue 11's counter check).
  counters?.probe(res.usageCompletionTokens ?? null);
  await ctx.writer.mergeEnvironment({
    probe: {
      status: res.status,
      http_status: res.httpStatus,
      error: res.error ? firstLine(res.error) : null,
      // Its output tokens (usage), counted against the engine's generation counter with the records'.
      output_tokens: res.usageCompletionTokens ?? null,
    },
  });
  if (res.status === 'ok' || ctx.signal.aborted) return;
  throw new BenchError(
    'BENCH_ERR_REQUESTS_FAILED',
    `the probe request failed: ${res.status}${res.httpStatus !== null ? ` (HTTP ${res.httpStatus})` : ''}: ${firstLine(res.error ?? 'no error text')}`,
    {
      hint: `check --endpoint (it should end in /v1), --model ${plan.model} and --api ${plan.api}`,
    },
  );
}

/** The probe asks for few tokens: it checks that the server serves, not how fast. */
const PROBE_OUTPUT_TOKENS = 16;

export { buildSummary } from './metrics/run-results.js';

/** The llm.inference plugin. */
export const llmInference = createLlmInferencePlugin();

/**
 * A shard stores its own level and waits for the others; shard 0 then computes the level from every
 * shard's stored request records (SPEC §12: never averaged), on one time base (each shard's records shifted
 * by the difference of the shards' level origins), with the in-flight means summed, and keeps that.
 */
async function mergeShards(
  ctx: RunContext<LlmPlan>,
  shard: Shard,
  own: LevelDocument,
  concurrency: number,
  levelCtx: LevelContext,
): Promise<LevelDocument> {
  Object.assign(own, { shard: { ...shard } });
  await ctx.writer.level(own.index, own);
  await ctx.writer.flush();
  const done = await ctx.writer.barrier(`${shard.group}/level-${own.index}/done`, shard.count, {
    signal: ctx.signal,
  });
  if (shard.index !== 0) return own;
  const peers = await Promise.all(done.runIds.map((id) => ctx.writer.peerRun(id)));
  const originEpoch = (inp: LevelInputs): number => inp.window.epoch_ms[0] - inp.window.start_ms;
  const base = own.inputs;
  const records: StoredRequestView[] = [];
  let meanInFlight = 0;
  let maxInFlight = 0;
  for (const peer of peers) {
    const level = peer.levels[own.index] as LevelDocument | undefined;
    if (!level?.inputs) throw new BenchError('BENCH_ERR_STORE', `a shard stored no level ${own.index}`);
    const shift = originEpoch(level.inputs) - originEpoch(base);
    meanInFlight += level.inputs.in_flight.mean;
    maxInFlight += level.inputs.in_flight.max;
    for (const row of peer.requests) {
      if (row.level !== own.index) continue;
      const v = fromStoredRow(row);
      records.push({ ...v, schedMs: v.schedMs + shift });
    }
  }
  const inputs: LevelInputs = {
    ...base,
    concurrency,
    // The sum of the shards' maxima bounds the merged maximum from above.
    in_flight: { ...base.in_flight, mean: meanInFlight, max: maxInFlight, cap: concurrency },
  };
  const merged = computeLevelDocument(inputs, records, levelRng(ctx.seed, own.index), levelCtx);
  Object.assign(merged, { shards: { count: shard.count, group: shard.group, runs: done.runIds } });
  merged.notes.push(`merged from ${shard.count} shards' raw records (runs ${done.runIds.join(', ')})`);
  return merged;
}
