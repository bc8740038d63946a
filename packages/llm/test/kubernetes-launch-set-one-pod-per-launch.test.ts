import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { benchWithFakes, type CompareDoc, compareRunArgs, fakeLaunches, row } from './compare-helpers.js';
import { assertExit, e2eHome } from './e2e-cli.js';

// Issue 16: a launch set on Kubernetes is an Indexed Job with one pod per launch. No cluster is reachable
// here, so the pods' own command runs as local processes with JOB_COMPLETION_INDEX set, one per launch,
// against the fixed-timing fake vllm (10 ms per token) and sglang (15 ms).
const home = e2eHome();
afterAll(() => home.cleanup());

it('--engine vllm,sglang --launches 3 --kubernetes renders 6 pods; each pod runs its own launch under the Job name, and compare reads the group', async () => {
  const r = await benchWithFakes(
    compareRunArgs('vllm,sglang', ['--launches', '3', '--kubernetes', '--image', 'registry.example/ib:1']),
    home.dir,
  );
  assertExit(r);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  const configMap = new ConfigMap(docs[0]);
  const job = new Job(docs[1]);
  configMap.validate();
  job.validate();
  expect(job.spec?.completionMode).toBe('Indexed');
  expect(job.spec?.completions).toBe(6);
  const plan = parse(configMap.data!['plan.yaml']!) as Record<string, unknown>;
  expect(plan.launchGroup).toBe(job.metadata!.name);
  expect(plan.engine).toBe('vllm,sglang');
  // Nothing was launched by rendering.
  expect(fakeLaunches(home.dir)).toHaveLength(0);

  // The pods, one after another here (in parallel on a cluster): the container's command with its index.
  const planFile = join(home.dir, 'plan.yaml');
  writeFileSync(planFile, configMap.data!['plan.yaml']!);
  const command = job.spec!.template.spec!.containers[0]!.command!;
  expect(command.slice(0, 3)).toEqual(['bench', 'run', 'llm.inference']);
  for (let i = 0; i < 6; i++) {
    const pod = await benchWithFakes(
      ['run', 'llm.inference', '--config', planFile, '--quiet'],
      home.dir,
      {
        vllm: 10,
        sglang: 15,
      },
      120_000,
      { JOB_COMPLETION_INDEX: String(i) },
    );
    assertExit(pod);
  }
  // Six launches, interleaved A B A B A B as the set orders them, each its own engine process.
  expect(fakeLaunches(home.dir).map((l) => l.engine)).toEqual([
    'vllm',
    'sglang',
    'vllm',
    'sglang',
    'vllm',
    'sglang',
  ]);

  const c = await benchWithFakes(['compare', job.metadata!.name!, '--format', 'json'], home.dir);
  assertExit(c);
  const doc = JSON.parse(c.stdout) as CompareDoc;
  expect(doc.sides.map((s) => s.label)).toEqual(['vllm', 'sglang']);
  for (const s of doc.sides) {
    expect(s.runs).toHaveLength(3);
    expect(new Set(s.seeds).size).toBe(3);
  }
  const tpot = row(doc, 'tpot_p50_ms');
  expect(tpot.verdict).toBe('slower');
  expect(tpot.ratio.ci95[0]).toBeLessThan(1.5);
  expect(tpot.ratio.ci95[1]).toBeGreaterThan(1.5);
}, 300_000);

it('--launch-group without an index is one clear line', async () => {
  const r = await benchWithFakes(
    compareRunArgs('vllm,sglang', ['--launches', '3', '--launch-group', 'g1']),
    home.dir,
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('error: --launch-group needs --launch-index or $JOB_COMPLETION_INDEX');
});
