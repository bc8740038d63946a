import {
  createRng,
  type Progress,
  type RequestRecordInput,
  type RunContext,
  type RunDocument,
} from 'inferencebench';
import { llmOptions, type LlmPlan } from '../src/options.js';

/** An in-memory run writer and context, standing in for the core's store in plugin tests. */
export function memoryContext(planOver: Partial<LlmPlan>) {
  const defaults: Record<string, unknown> = {};
  for (const o of llmOptions) if (o.default !== undefined) defaults[o.key] = o.default;
  // A key that is not declared (a renamed one, `duration` for `durationS`) would be ignored silently.
  for (const k of Object.keys(planOver))
    if (!llmOptions.some((o) => o.key === k))
      throw new Error(`memoryContext: ${k} is not an llm.inference option`);
  const plan = { ...defaults, seed: 42, ...planOver } as LlmPlan;
  const store = {
    plan: { ...plan } as Record<string, unknown>,
    environment: {} as Record<string, unknown>,
    levels: [] as unknown[],
    requests: [] as RequestRecordInput[],
    summary: null as unknown,
  };
  const progress: Progress = {
    phase() {},
    tick() {},
    update() {},
    note() {},
    warn() {},
    done() {},
  };
  const abort = new AbortController();
  const ctx: RunContext<LlmPlan> = {
    runId: '01TESTRUN',
    plan,
    seed: 42,
    rng: createRng(42),
    progress,
    writer: {
      runId: '01TESTRUN',
      runDir: () => '/tmp',
      mergeEnvironment: async (p) => {
        Object.assign(store.environment, p);
      },
      mergePlan: async (p) => {
        Object.assign(store.plan, p);
      },
      level: async (i, d) => {
        store.levels[i] = d;
      },
      request: (r) => store.requests.push(r),
      sample: () => {},
      setSummary: async (s) => {
        store.summary = s;
      },
      flush: async () => {},
      barrier: async () => {
        throw new Error('no barriers in the in-memory writer');
      },
      peerRun: async () => {
        throw new Error('no peer runs in the in-memory writer');
      },
    },
    signal: abort.signal,
    log: { info() {}, warn() {}, debug() {} },
    environment: {},
    debug: false,
  };
  const document = (status: RunDocument['status']): RunDocument => ({
    run_id: '01TESTRUN',
    status,
    plugin: 'llm.inference',
    created_at: new Date().toISOString(),
    finished_at: null,
    plan: store.plan,
    environment: store.environment,
    levels: store.levels,
    summary: store.summary,
    error: null,
  });
  return { ctx, store, abort, document };
}
