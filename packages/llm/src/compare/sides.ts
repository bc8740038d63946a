import { BenchError, type RunDocument, type RunStore } from 'inferencebench';
import { type LaunchLevel, quantityValues, type RequestQuantity } from './metric-table.js';

/** One run of a side, as the comparison needs it: identity, config and its levels from the store. */
export interface LaunchRun {
  runId: string;
  seed: number | null;
  groupId: string | null;
  /** The launch set side it was run as (`vllm`, `quant=fp8`), if any. */
  sideLabel: string | null;
  engine: string;
  engineVersion: string | null;
  hardware: string | null;
  /** What makes an engine process differ (engine, model, quant, tp, extra args, hardware). */
  config: Record<string, unknown>;
  /** What the load was (dataset, lengths, api, rate, window): should match across sides. */
  workload: Record<string, unknown>;
  /** Whether bench launched the engine (false: attached to an endpoint). */
  launched: boolean;
  search: boolean;
  /** Level key (`c=4 rate=auto`) -> the level's data. */
  levels: Map<string, LaunchLevel>;
}

export interface Side {
  label: string;
  /** What the user named (a group, a narrowed group, runs). */
  spec: string;
  groupId: string | null;
  runs: LaunchRun[];
}

const QUANTITIES: RequestQuantity[] = ['ttft', 'tpot', 'itl', 'e2e'];

/** Plan keys that define the load, as opposed to the engine process. */
const WORKLOAD_KEYS = [
  'dataset',
  'inputLen',
  'outputLen',
  'lengthDist',
  'api',
  'rate',
  'durationS',
  'sloTemplate',
];

/**
 * Resolve one side argument to one or more sides: `GROUP` (every side of a launch set), `GROUP:label`
 * (one of its sides), `RUN` or `RUN,RUN,...` (one side). Ids may be unique prefixes.
 */
export async function resolveSides(store: RunStore, spec: string): Promise<Side[]> {
  const text = spec.trim();
  if (text.includes(',')) {
    const ids = text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const runs: LaunchRun[] = [];
    for (const id of ids) {
      const runId = await store.resolveRunId(id);
      if (!runs.some((r) => r.runId === runId)) runs.push(await loadRun(store, runId));
    }
    return [{ label: runsLabel(runs), spec: text, groupId: null, runs }];
  }
  const colon = text.indexOf(':');
  const idPart = colon >= 0 ? text.slice(0, colon) : text;
  const narrow = colon >= 0 ? text.slice(colon + 1) : null;
  const group = await findGroup(store, idPart, narrow !== null);
  if (group) {
    const labels = [...new Set(group.runs.map((r) => r.plan.launch?.side ?? String(r.plan.engine)))];
    if (narrow !== null && !labels.includes(narrow))
      throw new BenchError('BENCH_ERR_NOT_FOUND', `group ${group.id} has no side '${narrow}'`, {
        hint: `its sides: ${labels.join(', ')} (e.g. ${group.id}:${labels[0]})`,
      });
    const sides: Side[] = [];
    for (const label of narrow !== null ? [narrow] : labels) {
      const runs: LaunchRun[] = [];
      for (const r of group.runs)
        if ((r.plan.launch?.side ?? String(r.plan.engine)) === label) runs.push(await loadRun(store, r.id));
      sides.push({
        label,
        spec: narrow !== null ? text : `${group.id}:${label}`,
        groupId: group.id,
        runs,
      });
    }
    return sides;
  }
  const runId = await store.resolveRunId(idPart);
  const run = await loadRun(store, runId);
  return [{ label: runsLabel([run]), spec: text, groupId: null, runs: [run] }];
}

interface GroupRunRef {
  id: string;
  plan: { engine?: unknown; launch?: { side?: string; order?: number } };
}

/**
 * The launch set whose id `prefix` starts (case-insensitive, unique among group ids), with its runs in
 * launch order; null when no group matches (the caller then tries run ids).
 */
async function findGroup(
  store: RunStore,
  prefix: string,
  required: boolean,
): Promise<{ id: string; runs: GroupRunRef[] } | null> {
  const p = prefix.trim().toUpperCase();
  const byGroup = new Map<string, GroupRunRef[]>();
  // The store has no group column: the id lives in each run's stored plan.
  for (const r of await store.listRuns(Number.MAX_SAFE_INTEGER)) {
    const g = r.plan.group_id;
    // Group ids are ULIDs, or a Kubernetes Job's lower-case name: compared without case.
    if (typeof g !== 'string' || !g.toUpperCase().startsWith(p) || p.length === 0) continue;
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g)!.push({ id: r.run_id, plan: r.plan as GroupRunRef['plan'] });
  }
  if (byGroup.size > 1)
    throw new BenchError('BENCH_ERR_NOT_FOUND', `group id prefix ${prefix} is ambiguous`, {
      hint: `it matches groups ${[...byGroup.keys()].slice(0, 3).join(', ')}: give more characters`,
    });
  const [entry] = [...byGroup.entries()];
  if (!entry) {
    if (required)
      throw new BenchError('BENCH_ERR_NOT_FOUND', `no launch set (group) with id ${prefix}`, {
        hint: 'GROUP:label narrows a launch set to one side; `bench run ... --engine a,b` prints the group id',
      });
    return null;
  }
  const [id, runs] = entry;
  runs.sort((x, y) => (x.plan.launch?.order ?? 0) - (y.plan.launch?.order ?? 0) || x.id.localeCompare(y.id));
  return { id, runs };
}

/** A side's label from its runs: their launch-set side, else the engine name. */
function runsLabel(runs: LaunchRun[]): string {
  const labels = new Set(runs.map((r) => r.sideLabel ?? r.engine));
  return labels.size === 1 ? [...labels][0]! : [...labels].join('+');
}

/** A stored run with its levels rebuilt from its request records (measured phase, ok requests). */
export async function loadRun(store: RunStore, runId: string): Promise<LaunchRun> {
  const doc: RunDocument = await store.getRunDocument(runId);
  if (doc.status !== 'complete')
    throw new BenchError('BENCH_ERR_BAD_OPTION', `run ${runId} is ${doc.status}, not complete`, {
      hint: 'compare complete runs only; `bench runs list` shows each run status',
    });
  if (doc.plugin !== 'llm.inference')
    throw new BenchError('BENCH_ERR_BAD_OPTION', `run ${runId} is a ${doc.plugin} run`, {
      hint: 'bench compare compares llm.inference runs',
    });
  const plan = doc.plan as Record<string, unknown> & { launch?: { side?: string } };
  const env = doc.environment as {
    engine?: { name?: string; version?: string | null };
    hardware?: { label?: string };
  };
  const rows = await store.requests(runId);
  const byLevel = new Map<number, typeof rows>();
  for (const r of rows) {
    // The phase is a column of its own (older stores kept it in `data`).
    const phase = r.phase ?? (r.data as { phase?: string } | null)?.phase;
    if (phase !== 'measured') continue;
    if (!byLevel.has(r.level)) byLevel.set(r.level, []);
    byLevel.get(r.level)!.push(r);
  }
  const levels = new Map<string, LaunchLevel>();
  for (const raw of doc.levels) {
    const l = raw as {
      index: number;
      concurrency: number;
      rate_mode?: string;
      rate_req_s?: number | 'inf';
      window_s: number;
      metrics?: Record<string, { value: number | null }>;
    };
    const measured = byLevel.get(l.index) ?? [];
    const ok = measured.filter((r) => r.status === 'ok');
    const sorted = {} as Record<RequestQuantity, Float64Array>;
    for (const q of QUANTITIES) sorted[q] = quantityValues(ok, q);
    levels.set(levelKey(l, plan), {
      concurrency: l.concurrency,
      windowS: l.window_s,
      measured: measured.length,
      ok: ok.length,
      sorted,
      storedMetrics: l.metrics ?? {},
    });
  }
  const hardware = env.hardware?.label ?? null;
  return {
    runId,
    seed: typeof plan.seed === 'number' ? plan.seed : null,
    groupId: typeof plan.group_id === 'string' ? plan.group_id : null,
    sideLabel: typeof plan.launch?.side === 'string' ? plan.launch.side : null,
    engine: env.engine?.name ?? String(plan.engine),
    engineVersion: env.engine?.version ?? null,
    hardware,
    config: {
      engine: env.engine?.name ?? plan.engine,
      model: plan.model,
      quant: plan.quant ?? null,
      tp: plan.tp ?? 1,
      engine_arg: plan.engineArg ?? [],
      engine_bin: plan.engineBin ?? null,
      hardware: plan.hardware ?? hardware,
    },
    workload: Object.fromEntries(WORKLOAD_KEYS.map((k) => [k, plan[k] ?? null])),
    launched: !plan.endpoint,
    search: plan.search === 'goodput',
    levels,
  };
}

/** Levels match across runs by concurrency and the rate they were asked for (auto, inf or req/s). */
function levelKey(
  level: { concurrency: number; rate_mode?: string; rate_req_s?: number | 'inf' },
  plan: Record<string, unknown>,
): string {
  const rate = level.rate_mode === 'fixed' ? `${level.rate_req_s}` : (level.rate_mode ?? String(plan.rate));
  return `c=${level.concurrency} rate=${rate}`;
}
