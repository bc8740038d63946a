import { startSimServer, type SimServer } from 'inferencebench-sim';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { freshPgDatabase } from '../../core/test/helpers/pg.js';
import { benchEnv, runBench, runIdOf, sandbox, showRun } from './e2e-helpers.js';

const box = sandbox();
let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ seed: 3 });
});
afterAll(async () => {
  await sim.close();
  box.cleanup();
});

interface Metric {
  value: number | null;
  ci95?: [number, number] | null;
}
interface Level {
  requests: { measured: number; ok: number };
  metrics: Record<string, Metric>;
  shards?: { count: number; runs: string[] };
}

it('4 shards (JOB_COMPLETION_INDEX 0..3) against one simulator give the request count and, within CIs, the percentiles of one process with the same seed', async () => {
  const store = await freshPgDatabase();
  const env = (extra: Record<string, string> = {}) =>
    benchEnv(box, { INFERENCEBENCH_STORE: store, ...extra });
  const args = [
    'run',
    'llm.inference',
    '--engine',
    'vllm',
    '--endpoint',
    `${sim.url}/v1`,
    '--model',
    sim.model,
    '--tokenizer',
    'words',
    '--dataset',
    'synthetic',
    // Long prompts: latencies are the simulated engine's (tens of ms), not this loaded machine's jitter.
    '--input-len',
    '2048',
    '--output-len',
    '24',
    '--concurrency',
    '8',
    '--rate',
    '8',
    '--duration',
    '6',
    '--warmup-runs',
    '1',
    '--gate-timeout',
    '0',
    '--seed',
    '11',
    '--format',
    'json',
    '--quiet',
  ];
  const one = await runBench(args, env(), 90_000);
  expect(one.code, one.stderr).toBe(0);
  const single = (JSON.parse(one.stdout).levels as Level[])[0]!;

  // The shards are the pods of the Indexed Job that `--kubernetes` renders: their command and plan, run
  // here as local processes with JOB_COMPLETION_INDEX set (no cluster is reachable from this machine).
  const rendered = await runBench(
    [...args, '--shards', '4', '--kubernetes', '--image', 'x/ib:1'],
    env(),
    30_000,
  );
  expect(rendered.code, rendered.stderr).toBe(0);
  const [configMap, job] = parseAllDocuments(rendered.stdout).map((d) => d.toJS());
  new Job(job).validate();
  expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
  const planFile = join(box.home, 'plan.yaml');
  writeFileSync(planFile, configMap.data['plan.yaml']);
  expect(parse(configMap.data['plan.yaml'])).toMatchObject({ shards: 4, shardGroup: job.metadata.name });
  const [, ...command] = job.spec.template.spec.containers[0].command as string[];
  const podArgs = command.map((a) => (a === '/etc/inferencebench/plan.yaml' ? planFile : a));
  const shards = await Promise.all(
    [0, 1, 2, 3].map((i) => runBench(podArgs, env({ JOB_COMPLETION_INDEX: String(i) }), 120_000)),
  );
  for (const r of shards) expect(r.code, r.stderr).toBe(0);
  const docs = await Promise.all(
    shards.map(
      async (r) => (await showRun(runIdOf(r), env())) as unknown as { run_id: string; levels: Level[] },
    ),
  );
  const merged = docs[0]!.levels[0]!;
  expect(merged.shards?.count).toBe(4);
  expect([...merged.shards!.runs].sort()).toEqual(docs.map((d) => d.run_id).sort());
  // Each shard sent about a quarter; together exactly the one process's arrivals in the window.
  const own = docs.slice(1).map((d) => d.levels[0]!.requests.measured);
  for (const n of own) expect(n).toBeGreaterThan(single.requests.measured / 8);
  expect(merged.requests.measured).toBe(single.requests.measured);
  expect(merged.requests.ok).toBe(single.requests.ok);
  // The merged percentiles come from the merged raw records: their CIs overlap the single run's.
  const shown: string[] = [`measured ${single.requests.measured}`];
  for (const name of ['ttft_p50_ms', 'ttft_p90_ms', 'tpot_p50_ms', 'e2e_p50_ms', 'e2e_p90_ms']) {
    const a = single.metrics[name]!;
    const b = merged.metrics[name]!;
    shown.push(`${name} ${a.value?.toFixed(1)} vs ${b.value?.toFixed(1)}`);
    expect(a.ci95 && b.ci95, name).toBeTruthy();
    expect(b.ci95![0] <= a.ci95![1] && a.ci95![0] <= b.ci95![1], `${name}: ${JSON.stringify({ a, b })}`).toBe(
      true,
    );
  }
  console.log(`shards: one process vs 4 shards merged: ${shown.join(', ')}`);
  // `bench runs show` on the parent (shard 0) gave the merged level; the other shards keep their own.
  expect(docs[1]!.levels[0]!.shards).toBeUndefined();
}, 240_000);
