import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { freshPgDatabase } from '../../core/test/helpers/pg.js';
import { benchEnv, MODEL, runArgs, runBench, runIdOf, sandbox, showRun } from './e2e-helpers.js';

const box = sandbox();
afterAll(() => box.cleanup());

/** The printed manifests, each validated against the Kubernetes API schema (throws when invalid). */
function manifests(stdout: string): { configMap: ConfigMap; job: Job } {
  const docs = parseAllDocuments(stdout).map((d) => d.toJS());
  expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Job']);
  const configMap = new ConfigMap(docs[0]);
  const job = new Job(docs[1]);
  configMap.validate();
  job.validate();
  return { configMap, job };
}

it('--kubernetes prints an Indexed Job and the plan as a ConfigMap, valid by the Kubernetes schema; no store secret in it', async () => {
  const r = await runBench(
    [
      ...runArgs('vllm', ['--tp', '2']),
      '--kubernetes',
      '--image',
      'registry.example/inferencebench:0.1.0',
      '--namespace',
      'bench',
      '--store-secret',
      'team-store:pg-url',
      '--store',
      'postgres://alice:hunter2-secret@db.example:5432/bench',
    ],
    benchEnv(box),
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout + r.stderr).not.toContain('hunter2-secret');
  expect(r.stderr).toMatch(/--store is not used by the pods/);
  const { configMap, job } = manifests(r.stdout);
  expect(job.metadata?.namespace).toBe('bench');
  expect(job.spec?.completionMode).toBe('Indexed');
  expect(job.spec?.completions).toBe(1);
  const pod = job.spec!.template.spec!;
  expect(pod.restartPolicy).toBe('Never');
  const c = pod.containers[0]!;
  expect(c.image).toBe('registry.example/inferencebench:0.1.0');
  expect(c.command).toEqual(['bench', 'run', 'llm.inference', '--config', '/etc/inferencebench/plan.yaml']);
  expect(c.resources?.limits).toEqual({ 'nvidia.com/gpu': '2' });
  expect(c.env).toContainEqual({
    name: 'INFERENCEBENCH_STORE',
    valueFrom: { secretKeyRef: { name: 'team-store', key: 'pg-url' } },
  });
  expect(pod.volumes).toContainEqual({ name: 'plan', configMap: { name: configMap.metadata!.name } });
  const plan = parse(configMap.data!['plan.yaml']!);
  expect(plan).toMatchObject({ engine: 'vllm', model: MODEL, tp: 2, concurrency: [2], seed: 42 });
});

it("the pod's command, run here with JOB_COMPLETION_INDEX set, runs the plan into the PostgreSQL store", async () => {
  const store = await freshPgDatabase();
  const r = await runBench(
    [...runArgs('sim', ['--concurrency', '1,2', '--seed', '7']), '--kubernetes', '--image', 'x/ib:1'],
    benchEnv(box),
  );
  expect(r.code, r.stderr).toBe(0);
  const { configMap, job } = manifests(r.stdout);
  expect(job.spec!.template.spec!.containers[0]!.resources).toBeUndefined(); // the simulator needs no GPU
  const planDir = join(box.home, 'plan');
  mkdirSync(planDir, { recursive: true });
  writeFileSync(join(planDir, 'plan.yaml'), configMap.data!['plan.yaml']!);
  const [, ...command] = job.spec!.template.spec!.containers[0]!.command!;
  const pod = await runBench(
    command.map((a) => (a === '/etc/inferencebench/plan.yaml' ? join(planDir, 'plan.yaml') : a)),
    benchEnv(box, { INFERENCEBENCH_STORE: store, JOB_COMPLETION_INDEX: '0', HOSTNAME: 'bench-x-0-abcde' }),
    90_000,
  );
  expect(pod.code, pod.stderr).toBe(0);
  const doc = await showRun(runIdOf(pod), benchEnv(box, { INFERENCEBENCH_STORE: store }));
  expect(doc.status).toBe('complete');
  expect(doc.levels.map((l) => l.concurrency)).toEqual([1, 2]);
  expect(doc.plan).toMatchObject({ engine: 'sim', concurrency: [1, 2], seed: 7 });
  expect((doc.environment as Record<string, unknown>).kubernetes).toEqual({
    job_completion_index: 0,
    pod: 'bench-x-0-abcde',
  });
}, 120_000);

it('--apply submits the same manifests to kubectl on stdin; a failing or missing kubectl is one clear error', async () => {
  const bin = join(box.home, 'kubectl-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'kubectl'),
    '#!/bin/sh\necho "$@" > "$KUBECTL_ARGS"\ncat > "$KUBECTL_STDIN"\nexit "$KUBECTL_EXIT"\n',
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  const env = (extra: Record<string, string>) =>
    benchEnv(box, {
      PATH: `${bin}:${process.env.PATH}`,
      KUBECTL_ARGS: join(box.home, 'kubectl.args'),
      KUBECTL_STDIN: join(box.home, 'kubectl.stdin'),
      KUBECTL_EXIT: '0',
      ...extra,
    });
  const args = [...runArgs('sim'), '--kubernetes', '--apply', '--image', 'x/ib:1', '--namespace', 'bench'];
  const ok = await runBench(args, env({}));
  expect(ok.code, ok.stderr).toBe(0);
  expect(readFileSync(join(box.home, 'kubectl.args'), 'utf8').trim()).toBe('apply --namespace bench -f -');
  const { job } = manifests(readFileSync(join(box.home, 'kubectl.stdin'), 'utf8'));
  expect(job.spec?.completionMode).toBe('Indexed');

  const failing = await runBench(args, env({ KUBECTL_EXIT: '1' }));
  expect(failing.code).toBe(2);
  expect(failing.stderr).toMatch(/^error: kubectl apply exited 1/m);
  const missing = await runBench(args, env({ PATH: '/nonexistent' }));
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/^error: kubectl is not on PATH/m);
  const noImage = await runBench([...runArgs('sim'), '--kubernetes'], env({}));
  expect(noImage.code).toBe(2);
  expect(noImage.stderr).toMatch(/^error: --kubernetes needs --image/m);
});
