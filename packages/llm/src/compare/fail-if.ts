import { BenchError } from 'inferencebench';
import { COMPARE_METRICS, compareMetric } from './metric-table.js';

/** One `--fail-if` bound: `ttft_p99_ms>+5%` fails when the metric rose more than 5% (significantly). */
export interface FailBound {
  text: string;
  metric: string;
  op: '>' | '<';
  /** Relative change, e.g. 0.05 for +5%, -0.03 for -3%. */
  change: number;
}

const BOUND = /^([a-z0-9_]+)\s*([<>])\s*([+-]?\d+(?:\.\d+)?)\s*%$/;

/** Parse `--fail-if "ttft_p99_ms>+5%,throughput_tok_s<-3%"`; bad input is a BENCH_ERR_BAD_OPTION (exit 2). */
export function parseFailIf(text: string): FailBound[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length === 0) throw badBound(text, 'it is empty');
  return parts.map((part) => {
    const m = BOUND.exec(part);
    if (!m) throw badBound(part, 'expected METRIC>+N% or METRIC<-N%');
    const [, metric, op, num] = m as unknown as [string, string, '>' | '<', string];
    if (!compareMetric(metric))
      throw badBound(
        part,
        `unknown metric ${metric} (known: ${COMPARE_METRICS.map((x) => x.name).join(', ')})`,
      );
    const change = Number(num) / 100;
    if ((op === '>' && change < 0) || (op === '<' && change > 0))
      throw badBound(part, `'${op}' takes a ${op === '>' ? 'rise (+N%)' : 'fall (-N%)'}`);
    return { text: part, metric, op, change };
  });
}

function badBound(part: string, why: string): BenchError {
  return new BenchError('BENCH_ERR_BAD_OPTION', `invalid --fail-if bound '${part}': ${why}`, {
    hint: 'e.g. --fail-if "ttft_p99_ms>+5%,throughput_tok_s<-3%" (change of the candidate against the baseline)',
  });
}

/**
 * A bound fails when the change passed it AND the change is significant at 95% in that direction (the
 * ratio's CI lies wholly above 1 for `>`, wholly below 1 for `<`).
 */
export function boundFails(
  bound: FailBound,
  ratio: { value: number | null; ci95: [number, number] | null },
): boolean {
  if (ratio.value === null || ratio.ci95 === null) return false;
  const change = ratio.value - 1;
  if (bound.op === '>') return change > bound.change && ratio.ci95[0] > 1;
  return change < bound.change && ratio.ci95[1] < 1;
}
