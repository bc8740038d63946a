// Helpers for the comparison tests: the real `bench` CLI with the fixed-timing fake `vllm` and `sglang`
// (fixtures/compare-engines) first on PATH, so each launch is a fresh engine process whose TPOT is known
// exactly (FAKE_TPOT_MS_VLLM, FAKE_TPOT_MS_SGLANG).
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type E2eResult, runBench } from './e2e-cli.js';

export const COMPARE_FAKES = fileURLToPath(new URL('./fixtures/compare-engines', import.meta.url));

/** Environment for a comparison run: fakes first on PATH, their launch log in `home`, these TPOTs. */
export function compareEnv(
  home: string,
  tpotMs: { vllm?: number; sglang?: number } = {},
): Record<string, string> {
  return {
    PATH: `${COMPARE_FAKES}${delimiter}${process.env.PATH ?? ''}`,
    FAKE_ENGINE_ARGV_FILE: join(home, 'launches.jsonl'),
    FAKE_TPOT_MS_VLLM: String(tpotMs.vllm ?? 10),
    FAKE_TPOT_MS_SGLANG: String(tpotMs.sglang ?? 10),
    FAKE_TTFT_MS: '20',
  };
}

/** `bench run llm.inference` for a short closed-loop level at c=2 against `engine`, `extra` last. */
export function compareRunArgs(engine: string, extra: string[] = []): string[] {
  return [
    'run',
    'llm.inference',
    '--engine',
    engine,
    '--model',
    'm',
    '--tokenizer',
    'words',
    '--dataset',
    'synthetic',
    '--input-len',
    '16',
    '--output-len',
    '8',
    '--concurrency',
    '2',
    '--rate',
    'inf',
    '--duration',
    '1.5',
    '--warmup-runs',
    '1',
    '--gate-window',
    '8',
    '--gate-cov',
    '0.5',
    '--gate-timeout',
    '2',
    '--power-source',
    'none',
    '--quiet',
    ...extra,
  ];
}

/** Run bench in `home` with these fakes. */
export function benchWithFakes(
  args: string[],
  home: string,
  tpotMs: { vllm?: number; sglang?: number } = {},
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<E2eResult> {
  return runBench(args, home, { env: { ...compareEnv(home, tpotMs), ...env }, timeoutMs });
}

/** Each launch the fakes saw, in order: which engine, and its argv. */
export function fakeLaunches(home: string): { engine: string; argv: string[] }[] {
  const file = join(home, 'launches.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { engine: string; argv: string[] });
}

/** The launch set document `bench run ... --format json` prints. */
export interface GroupDoc {
  group_id: string;
  status: string;
  sides: { label: string; runs: string[] }[];
  launches: { order: number; side: string; launch: number; seed: number; run_id: string | null }[];
  runs: { run_id: string; status: string; plan: Record<string, unknown> }[];
}

/** The comparison document `bench compare --format json` prints. */
export interface CompareDoc {
  group_id: string | null;
  sides: { label: string; runs: string[]; seeds: number[]; engine: { name: string; versions: string[] } }[];
  rows: {
    concurrency: number;
    metric: string;
    sides: { label: string; mean: number; ci95: [number, number]; spread: { cov: number | null } }[];
    ratio: { value: number; ci95: [number, number] };
    verdict: string;
    gate?: { bound: string; passed: boolean }[];
  }[];
  gate?: { passed: boolean; failed: { metric: string; bound: string }[] };
}

/** The row of `metric` (at the only level). */
export function row(doc: CompareDoc, metric: string): CompareDoc['rows'][number] {
  const r = doc.rows.find((x) => x.metric === metric);
  if (!r) throw new Error(`no row ${metric} in ${JSON.stringify(doc.rows.map((x) => x.metric))}`);
  return r;
}
