import { BenchError, type Logger, type Progress } from 'inferencebench';
import type { LlmPlan } from '../options.js';
import type { EngineHandle } from '../types.js';

export interface EngineContext {
  /** Directory of the run, for engine logs. */
  runDir: string;
  progress: Progress;
  signal: AbortSignal;
  log: Logger;
  /** Seed for this launch (differs per launch in comparisons). */
  seed: number;
}

/**
 * Launch (or attach to) the engine named in the plan and wait until it is ready. (First cut: attach to
 * `--endpoint` only; the engines issue adds launching, readiness, versions, scraping and stopping, keeping
 * this signature.)
 */
export async function acquireEngine(plan: LlmPlan, _ctx: EngineContext): Promise<EngineHandle> {
  if (!plan.endpoint) {
    throw new BenchError(
      'BENCH_ERR_NOT_IMPLEMENTED',
      `launching engine "${plan.engine}" is not available yet`,
      {
        hint: 'attach to a running server with --endpoint http://HOST:PORT/v1',
      },
    );
  }
  const baseUrl = plan.endpoint.replace(/\/+$/, '');
  return {
    name: plan.engine,
    baseUrl,
    version: null,
    commandLine: null,
    quirks: { canForceOutputLength: plan.engine !== 'openai', strictFields: false, includeUsage: true },
    metricsUrl: null,
    dcgmUrl: null,
    died: new Promise<never>(() => {}),
    stop: async () => {},
  };
}
