import { createRng, type HardwareInfo, type RunDocument } from 'inferencebench';
import type { LlmPlan } from '../options.js';
import type { LlmSummary } from '../output/render.js';
import { STATISTICS_NOTE } from '../output/render.js';
import { goodputAtSlo } from '../slo/goodput.js';
import { resolveSlo, type Slo, sloJson } from '../slo/templates.js';
import {
  computeLevelDocument,
  type LevelContext,
  type LevelDocument,
  type LevelInputs,
  MAX_ERROR_RATE,
} from './level-metrics.js';
import { fromStoredRow, type StoredRequestView } from './stored-request.js';

/**
 * A run's results from what the store holds (issue 12): its levels recomputed by the one pure function
 * from the stored request records, level facts, plan and environment, and its summary from those levels.
 * `bench runs show`, `bench compare` and `bench report` read results through here, and the run itself
 * computes through the same functions, so the three agree to the last digit.
 */

/** The stored environment fields a level document depends on. */
export interface LevelEnvironment {
  engine?: { name?: string; output_length_enforced?: boolean };
  hardware?: HardwareInfo;
  /** Devices the power meter measured (cost falls back to their names). */
  meter_devices?: unknown[];
  power?: { devices?: unknown[] };
}

/** The context of every level of a run, from its stored plan and environment. */
export function levelContextFrom(plan: Record<string, unknown>, environment: LevelEnvironment): LevelContext {
  const p = plan as unknown as LlmPlan;
  const engineName = environment.engine?.name ?? String(p.engine ?? 'unknown');
  const hardware = environment.hardware;
  return {
    slo: resolveSlo(p.sloTemplate ?? 'llm.standard', p.slo),
    maxErrorRate: p.maxErrorRate ?? MAX_ERROR_RATE,
    cost: hardware
      ? {
          plan: p,
          engineName,
          hardware,
          meterDevices: environment.meter_devices ?? environment.power?.devices ?? [],
        }
      : null,
    engineName,
    outputLengthEnforced: environment.engine?.output_length_enforced !== false,
  };
}

/** The bootstrap generator of level `index`: forked from the run's seed, as the run forks it. */
export function levelRng(seed: number, index: number) {
  return createRng(seed).fork(`bootstrap/level-${index}`);
}

/** Summary of a run (SPEC §12): goodput at the SLO, the SLO, each failed check in words, notes. */
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
  const unconverged = levels.filter((l) => !l.converged);
  const invalid = levels.filter((l) => l.valid === false);
  const name = (l: LevelDocument): string => `level ${l.index + 1} (c=${l.concurrency})`;
  // Each check that failed, named: the SLO (no level holds it), the convergence gate, the error rate.
  const gateFailures: string[] = [];
  if (g.level === null) gateFailures.push(`SLO ${slo.id} missed: no level holds it`);
  if (unconverged.length > 0) gateFailures.push(`not converged: ${unconverged.map(name).join(', ')}`);
  if (invalid.length > 0)
    gateFailures.push(`error rate above --max-error-rate: ${invalid.map(name).join(', ')}`);
  const notes: string[] = [];
  if (unconverged.length > 0)
    notes.push(`${unconverged.length} level(s) did not converge within the gate timeout`);
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
    gate_failed: gateFailures.length > 0,
    gate_failures: gateFailures,
    notes,
    statistics: STATISTICS_NOTE,
    ...(search ? { search } : {}),
  };
}

/** A goodput search's outcome from its probe levels: the highest holding rate (bisection keeps it). */
export function searchFromLevels(levels: LevelDocument[], plan: Pick<LlmPlan, 'search' | 'concurrency'>) {
  if (plan.search !== 'goodput') return undefined;
  const probes = levels.filter((l) => l.search !== undefined).map((l) => l.search!);
  const holding = probes.filter((p) => p.holds).map((p) => p.rate_req_s);
  return {
    rate_req_s: holding.length > 0 ? Math.max(...holding) : null,
    concurrency: plan.concurrency[0]!,
    probes: probes.map((p) => ({ rate_req_s: p.rate_req_s, holds: p.holds })),
  };
}

/** The summary of these levels under this plan. */
export function summaryOf(
  levels: LevelDocument[],
  plan: Record<string, unknown>,
  ctx: LevelContext,
): LlmSummary {
  return buildSummary(levels, ctx.slo, searchFromLevels(levels, plan as unknown as LlmPlan));
}

/**
 * The run document with its levels and summary recomputed from the stored records (`doc.requests` must
 * be loaded). Levels stored before level facts were kept (no `inputs`) are left as stored.
 */
export function rebuildRunDocument(doc: RunDocument): RunDocument {
  const requests = doc.requests;
  if (!requests) return doc;
  const byLevel = new Map<number, StoredRequestView[]>();
  for (const row of requests) {
    const v = fromStoredRow(row);
    const list = byLevel.get(v.level);
    if (list) list.push(v);
    else byLevel.set(v.level, [v]);
  }
  const ctx = levelContextFrom(doc.plan, doc.environment as LevelEnvironment);
  const seed = Number(doc.plan.seed ?? 42);
  let rebuilt = false;
  const levels = (doc.levels as (LevelDocument | null)[]).map((l) => {
    const inputs = l?.inputs as LevelInputs | undefined;
    // A level merged from shards rests on other runs' records too: it stays as computed then.
    if (inputs?.version !== 1 || (l as { shards?: unknown }).shards !== undefined) return l;
    rebuilt = true;
    return computeLevelDocument(inputs, byLevel.get(inputs.index) ?? [], levelRng(seed, inputs.index), ctx);
  });
  if (!rebuilt) return doc;
  const docs = levels.filter((l): l is LevelDocument => l !== null && l !== undefined);
  return { ...doc, levels, summary: summaryOf(docs, doc.plan, ctx) };
}
