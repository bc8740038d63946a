import { BenchError } from 'inferencebench';

/** An SLO: p99 thresholds on TTFT and TPOT (null = not constrained). */
export interface Slo {
  id: string;
  ttftP99Ms: number | null;
  tpotP99Ms: number | null;
  description: string;
  /** Where the numbers come from. */
  source: string;
}

const MLPERF_SOURCE = 'MLPerf Inference server scenario, mlcommons/inference loadgen/mlperf.conf';

/**
 * Shipped templates (SPEC §6). The MLPerf ones are the server-scenario ttft_latency / tpot_latency
 * constraints of mlcommons/inference `loadgen/mlperf.conf` (checked against the file, v5.x).
 */
export const SLO_TEMPLATES: readonly Slo[] = [
  {
    id: 'llm.standard',
    ttftP99Ms: 300,
    tpotP99Ms: 50,
    description: 'interactive chat',
    source: 'inferencebench',
  },
  {
    id: 'llm.realtime',
    ttftP99Ms: 100,
    tpotP99Ms: 30,
    description: 'voice / realtime',
    source: 'inferencebench',
  },
  {
    id: 'llm.batch',
    ttftP99Ms: null,
    tpotP99Ms: 200,
    description: 'offline / batch',
    source: 'inferencebench',
  },
  mlperf('mlperf.llama2-70b', 2000, 200),
  mlperf('mlperf.llama2-70b-interactive', 450, 40),
  mlperf('mlperf.mixtral-8x7b', 2000, 200),
  mlperf('mlperf.llama3.1-405b', 6000, 175),
  mlperf('mlperf.llama3.1-405b-interactive', 4500, 80),
  mlperf('mlperf.llama3.1-8b', 2000, 100),
  mlperf('mlperf.llama3.1-8b-interactive', 500, 30),
  mlperf('mlperf.deepseek-r1', 2000, 80),
  mlperf('mlperf.deepseek-r1-interactive', 1500, 15),
];

function mlperf(id: string, ttftP99Ms: number, tpotP99Ms: number): Slo {
  return {
    id,
    ttftP99Ms,
    tpotP99Ms,
    description: `MLPerf server constraint (${id.slice(7)})`,
    source: MLPERF_SOURCE,
  };
}

const CUSTOM_KEYS = new Set(['ttft_p99_ms', 'tpot_p99_ms']);

/**
 * The SLO of a run: `--slo k=v` (custom; keys ttft_p99_ms, tpot_p99_ms; a key left out is taken from the
 * template) or the `--slo-template`. Unknown templates and keys are bad input.
 */
export function resolveSlo(templateId: string, custom?: Record<string, number>): Slo {
  const base = SLO_TEMPLATES.find((t) => t.id === templateId);
  if (!base) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown SLO template "${templateId}"`, {
      hint: `choose one of: ${SLO_TEMPLATES.map((t) => t.id).join(', ')} (bench slo-templates)`,
    });
  }
  if (!custom || Object.keys(custom).length === 0) return base;
  for (const [k, v] of Object.entries(custom)) {
    if (!CUSTOM_KEYS.has(k)) {
      throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown SLO key "${k}" in --slo`, {
        hint: 'use --slo ttft_p99_ms=300,tpot_p99_ms=50',
      });
    }
    if (!Number.isFinite(v) || v <= 0) {
      throw new BenchError('BENCH_ERR_BAD_OPTION', `--slo ${k} must be a positive number of ms`, {
        hint: 'use --slo ttft_p99_ms=300,tpot_p99_ms=50',
      });
    }
  }
  const ttft = custom.ttft_p99_ms ?? base.ttftP99Ms;
  const tpot = custom.tpot_p99_ms ?? base.tpotP99Ms;
  return {
    id: 'custom',
    ttftP99Ms: ttft,
    tpotP99Ms: tpot,
    description: `custom (unset keys from ${base.id})`,
    source: '--slo',
  };
}

/** JSON form of an SLO as stored in the summary. */
export function sloJson(slo: Slo): Record<string, unknown> {
  return {
    id: slo.id,
    ttft_p99_ms: slo.ttftP99Ms,
    tpot_p99_ms: slo.tpotP99Ms,
    description: slo.description,
    source: slo.source,
  };
}
