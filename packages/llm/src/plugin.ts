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
  type RunOutcome,
} from 'inferencebench';
import { createStreamingClient } from './client/streaming-client.js';
import { datasetTokenCounter, loadDataset } from './datasets/index.js';
import { acquireEngine, startScraper } from './engines/index.js';
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
import { asStored } from './metrics/stored-request.js';
import type { TokenCounter } from './metrics/request-metrics.js';
import { type LlmPlan, llmOptions } from './options.js';
import { renderRun } from './output/render.js';
import { resolveSlo } from './slo/templates.js';
import type { EngineHandle, PromptItem, RequestQuirks, StreamingClient } from './types.js';

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
export function validatePlan(plan: LlmPlan): LlmPlan {
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
  return plan;
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
    validate: validatePlan,
    render: renderRun,
    rebuild: rebuildRunDocument,
    run: (ctx) => runLlmInference(ctx, deps),
  });
}

async function runLlmInference(ctx: RunContext<LlmPlan>, deps: LlmPluginDeps): Promise<RunOutcome> {
  const plan = ctx.plan;
  // The key is read from the environment here and handed to the client only: never to plan, store or logs.
  const apiKeyEnv = plan.apiKeyEnv ?? (plan.engine === 'openai' ? 'OPENAI_API_KEY' : undefined);
  const apiKey = apiKeyEnv ? process.env[apiKeyEnv] : undefined;
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
  ctx.writer.mergePlan({ dataset_resolved: datasetInfo });
  ctx.writer.mergeEnvironment({ dataset: { ...datasetInfo, meta: dataset.meta } });
  const counter = await driverTokenCounter(plan);

  // Hardware is recorded with every run; --hardware is checked against it, never trusted blindly.
  const hardware = await detectHardware();
  const hardwareWarning = checkHardware(plan.hardware, hardware);
  if (hardwareWarning) ctx.progress.warn(hardwareWarning);
  ctx.writer.mergeEnvironment({ hardware: { ...hardware, label: hardwareLabel(hardware) } });

  const engine = await acquireEngine(plan, {
    runDir: ctx.writer.runDir(),
    progress: ctx.progress,
    signal: ctx.signal,
    log: ctx.log,
    seed: ctx.seed,
    hardware: hardware.gpus[0]?.model ?? null,
  });
  const scraper = startScraper(engine, (sample) => ctx.writer.sample(sample), { log: ctx.log });
  let client: StreamingClient | null = null;
  let meter: PowerMeter | null = null;
  const levels: LevelDocument[] = [];
  const storedPlan = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
  let levelCtx: LevelContext | null = null;
  // One signal stops the level on Ctrl-C and when the engine dies; data measured so far is kept.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let engineError: unknown = null;
  engine.died.catch((err: unknown) => {
    engineError = err;
    stop.abort();
  });
  try {
    ctx.writer.mergeEnvironment({
      engine: {
        name: engine.name,
        version: engine.version,
        command_line: engine.commandLine,
        base_url: engine.baseUrl,
        // MLX, TRT-LLM (strict fields) and hosted APIs cannot force the requested output length.
        output_length_enforced: engine.quirks.canForceOutputLength,
      },
    });
    const maxC = Math.max(...plan.concurrency);
    const connections = connectionsFor(plan);
    client = createClient({
      baseUrl: engine.baseUrl,
      ...(apiKey ? { apiKey } : {}),
      connections,
      quirks: engine.quirks,
    });
    await client.warm(maxC);
    // Idle power first (nothing in flight), then the probe.
    meter = await (deps.powerMeter ?? defaultPowerMeter)(plan, engine, ctx);
    await probeRequest(client, plan, dataset.items[0]!, ctx);
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
      concurrency,
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
      onRecord: (r) => ctx.writer.request(r),
      progress: ctx.progress,
      tokenCounter: counter,
    });
    // The levels' context as the store will hold it (plan, engine, hardware, meter devices), through JSON:
    // the run computes its documents from exactly what `bench runs show` will read back.
    const meterDevices = meter?.devices ?? [];
    ctx.writer.mergeEnvironment({ meter_devices: meterDevices });
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
      const run = await runLevel(opts);
      // The meter needs one sample past the window's end to interpolate its counter there.
      if (meter && meter.source !== 'none') await new Promise((r) => setTimeout(r, 150));
      const inputs = JSON.parse(
        JSON.stringify(levelInputsOf(run, { power: meter ? powerWindow(meter, run) : null, searchProbe })),
      ) as LevelInputs;
      const doc = computeLevelDocument(
        inputs,
        run.records.map(asStored),
        levelRng(ctx.seed, opts.levelIndex),
        levelCtx!,
      );
      writePowerSamples();
      levels.push(doc);
      ctx.writer.level(doc.index, doc);
      ctx.writer.flush();
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
    ctx.writer.setSummary(summary);
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
      ctx.writer.setSummary(summaryOf(levels, storedPlan, levelCtx));
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await meter?.stop().catch(() => {});
    await scraper.stop().catch(() => {});
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
  ctx.writer.mergeEnvironment({
    power: { source: meter.source, detail: meter.detail ?? null, devices: meter.devices, idle },
  });
  return meter;
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
): Promise<void> {
  const probe = { ...item, outputTokens: Math.min(item.outputTokens, PROBE_OUTPUT_TOKENS) };
  const res = await client.send(
    { item: probe, api: plan.api, model: plan.model },
    { signal: ctx.signal, timeoutMs: plan.requestTimeoutS * 1000 },
  );
  ctx.writer.mergeEnvironment({
    probe: {
      status: res.status,
      http_status: res.httpStatus,
      error: res.error ? firstLine(res.error) : null,
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
