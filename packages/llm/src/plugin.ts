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
import { planLaunches } from './compare/launch-plan.js';
import { levelCost } from './cost/level-cost.js';
import { datasetTokenCounter, loadDataset } from './datasets/index.js';
import { acquireEngine, startScraper } from './engines/index.js';
import { createLiveStatus } from './live-status.js';
import { searchGoodputRate } from './load/goodput-search.js';
import { type LevelRunOptions, type LevelRunResult, runLevel } from './load/level-runner.js';
import { type LevelDocument, type LevelPower, levelDocument } from './metrics/level-metrics.js';
import type { TokenCounter } from './metrics/request-metrics.js';
import { type LlmPlan, llmOptions } from './options.js';
import { type LlmSummary, renderRun, STATISTICS_NOTE } from './output/render.js';
import { goodputAtSlo } from './slo/goodput.js';
import { resolveSlo, type Slo, sloJson } from './slo/templates.js';
import type { EngineHandle, RequestQuirks, StreamingClient } from './types.js';

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
    run: (ctx) => runLlmInference(ctx, deps),
    launchSet: planLaunches,
  });
}

async function runLlmInference(ctx: RunContext<LlmPlan>, deps: LlmPluginDeps): Promise<RunOutcome> {
  const plan = ctx.plan;
  const slo = resolveSlo(plan.sloTemplate, plan.slo);
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
  const live = createLiveStatus(plan, ctx.progress);
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
    client = createClient({
      baseUrl: engine.baseUrl,
      ...(apiKey ? { apiKey } : {}),
      connections: maxC,
      quirks: engine.quirks,
    });
    await client.warm(maxC);
    meter = await (deps.powerMeter ?? defaultPowerMeter)(plan, engine, ctx);
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
      durationS: plan.duration,
      warmupRuns: plan.warmupRuns,
      gateWindow: plan.gateWindow,
      gateCov: plan.gateCov,
      gateMetric: plan.gateMetric,
      gateTimeoutS: plan.gateTimeout,
      drainTimeoutS: plan.drainTimeout,
      requestTimeoutS: plan.requestTimeout,
      client: client!,
      items: dataset.items,
      api: plan.api,
      model: plan.model,
      rng: ctx.rng,
      signal: stop.signal,
      onRecord: (r) => {
        ctx.writer.request(r);
        live.record(r);
      },
      progress: ctx.progress,
      tokenCounter: counter,
    });
    const runAndStore = async (opts: LevelRunOptions): Promise<LevelDocument> => {
      live.level(opts.levelIndex, opts.concurrency);
      const run = await runLevel(opts);
      live.levelDone();
      // The meter needs one sample past the window's end to interpolate its counter there.
      if (meter && meter.source !== 'none') await new Promise((r) => setTimeout(r, 150));
      const doc = levelDocument(run, slo, ctx.rng.fork(`bootstrap/level-${opts.levelIndex}`), {
        power: meter ? powerWindow(meter, run) : null,
      });
      // Wall-clock edges of the window (epoch ms, the clock of stored samples), so the level can be lined
      // up with power and engine time series, here or by an independent meter.
      Object.assign(doc, {
        window_epoch_ms: [
          performance.timeOrigin + run.windowStartMs,
          performance.timeOrigin + run.windowEndMs,
        ],
      });
      Object.assign(
        doc.metrics,
        levelCost(run, doc, slo, {
          plan,
          engineName: engine.name,
          hardware,
          meterDevices: meter?.devices ?? [],
        }),
      );
      if (!engine.quirks.canForceOutputLength) doc.notes.push(outputLengthNote(engine.name, doc));
      writePowerSamples();
      levels.push(doc);
      ctx.writer.level(doc.index, doc);
      ctx.writer.flush();
      return doc;
    };

    let search: LlmSummary['search'];
    if (plan.search === 'goodput') {
      const cap = plan.concurrency[0]!;
      const initial = rateFor(plan, 0);
      const result = await searchGoodputRate(
        async (rate) => {
          if (stop.signal.aborted) return { rateReqS: typeof rate === 'number' ? rate : 0, holds: false };
          const doc = await runAndStore(baseLevel(levels.length, cap, rate));
          doc.search = { probe: levels.length - 1, rate_req_s: numericRate(doc), holds: doc.slo.holds };
          ctx.writer.level(doc.index, doc);
          return { rateReqS: numericRate(doc), holds: doc.slo.holds };
        },
        initial === 'inf' ? 'auto' : initial,
        { maxProbes: 16 },
      );
      search = {
        rate_req_s: result.rateReqS,
        concurrency: cap,
        probes: result.probes.map((p) => ({ rate_req_s: p.rateReqS, holds: p.holds })),
      };
    } else {
      for (let i = 0; i < plan.concurrency.length && !stop.signal.aborted; i++) {
        await runAndStore(baseLevel(i, plan.concurrency[i]!, rateFor(plan, i)));
      }
    }

    const summary = buildSummary(levels, slo, search);
    ctx.writer.setSummary(summary);
    if (engineError !== null) throw engineError;
    if (ctx.signal.aborted) return { status: 'aborted', summary };
    return { summary, gateFailed: summary.gate_failed };
  } catch (err) {
    // Keep what was measured: the summary of the completed levels goes in even when the run fails.
    if (levels.length > 0) ctx.writer.setSummary(buildSummary(levels, slo, undefined));
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

/** Level flag for engines that cannot force the output length: the lengths are what the engine chose. */
function outputLengthNote(engineName: string, doc: LevelDocument): string {
  return `output length not enforced: ${engineName} cannot force the requested length (no ignore_eos/min_tokens); n_out from ${doc.flags.n_out_source}`;
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

/** Summary of a run (SPEC §12): goodput at the SLO, the SLO, gate outcome, notes. */
export function buildSummary(levels: LevelDocument[], slo: Slo, search?: LlmSummary['search']): LlmSummary {
  const g = goodputAtSlo(
    levels.map((l) => ({
      index: l.index,
      concurrency: l.concurrency,
      holds: l.slo.holds,
      throughputReqS: l.metrics.throughput_req_s?.value ?? null,
      throughputTokS: l.metrics.throughput_tok_s?.value ?? null,
      rateReqS: l.rate_req_s,
    })),
    slo,
  );
  const unconverged = levels.filter((l) => !l.converged).length;
  const notes: string[] = [];
  if (unconverged > 0) notes.push(`${unconverged} level(s) did not converge within the gate timeout`);
  if (search) {
    notes.push(
      search.rate_req_s === null
        ? `goodput search: no probed rate holds the SLO at concurrency ${search.concurrency}`
        : `goodput search: highest holding rate ${search.rate_req_s.toFixed(3)} req/s at concurrency ${search.concurrency} (within 5%)`,
    );
  }
  return {
    goodput_at_slo: g,
    slo: sloJson(slo),
    headline_level: g.level ?? (levels.length > 0 ? levels[levels.length - 1]!.index : null),
    gate_failed: unconverged > 0 || g.level === null,
    notes,
    statistics: STATISTICS_NOTE,
    ...(search ? { search } : {}),
  };
}

/** The llm.inference plugin. */
export const llmInference = createLlmInferencePlugin();
