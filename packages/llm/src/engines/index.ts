import { BenchError } from 'inferencebench';
import { ENGINE_NAMES, type LlmPlan } from '../options.js';
import type { EngineHandle } from '../types.js';
import { createAdapter } from './adapters/index.js';
import { attachEngine } from './attach.js';
import type { EngineContext } from './context.js';
import { launchEngine } from './launch.js';

export type { EngineContext } from './context.js';
export { engineCommands, engineRows } from './commands.js';
export { startScraper, selectSeries, METRIC_MAP } from './scrape.js';
export type { EngineSample, EngineSeries, ScraperOptions } from './scrape.js';
export { parsePrometheusText } from './prometheus.js';
export { findTunedConfig, listTunedConfigs } from './tuned.js';
export type { TunedConfig } from './tuned.js';

/**
 * Launch (or, with `--endpoint`, attach to) the engine named in the plan and wait until it is ready.
 * The handle carries the base URL, version, effective command line, request quirks, metrics URL and a
 * `died` promise; the caller must `stop()` it (also on failure paths).
 */
export async function acquireEngine(plan: LlmPlan, ctx: EngineContext): Promise<EngineHandle> {
  if (!(ENGINE_NAMES as readonly string[]).includes(plan.engine)) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown engine "${plan.engine}"`, {
      hint: `use one of: ${ENGINE_NAMES.join(', ')} (see \`bench engines\`)`,
    });
  }
  const adapter = createAdapter(plan.engine, plan.model);
  if (plan.endpoint || !adapter) return attachEngine(adapter, plan, ctx);
  return launchEngine(adapter, plan, ctx);
}
