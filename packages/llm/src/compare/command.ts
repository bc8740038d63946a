import { BenchError, type CommandDecl, openStore, resolveStorePath } from 'inferencebench';
import { z } from 'zod';
import { formatOption } from '../format-option.js';
import { buildComparison } from './comparison.js';
import { parseFailIf } from './fail-if.js';
import { renderComparison } from './render.js';
import { resolveSides, type Side } from './sides.js';

/**
 * `bench compare RUN|GROUP ...` and the regression gate `bench compare --baseline RUN|GROUP RUN|GROUP
 * --fail-if "ttft_p99_ms>+5%"` (SPEC §10). Every figure is recomputed from the stored request records.
 * Exit 1 only when a bound failed (significantly); bad input exits 2.
 */
export const compareCommands: CommandDecl[] = [
  {
    name: 'compare',
    description:
      'compare runs or launch sets level by level: means over launches, ratio with a bootstrap CI, verdict',
    args: ['[sides...]'],
    options: [
      formatOption,
      {
        key: 'baseline',
        flag: '--baseline <run|group>',
        description: 'the side the others are measured against (for the regression gate)',
        schema: z.string().min(1).optional(),
      },
      {
        key: 'failIf',
        flag: '--fail-if <bounds>',
        description:
          'exit 1 when a metric moved past a bound and the move is significant at 95%, e.g. "ttft_p99_ms>+5%,throughput_tok_s<-3%"',
        schema: z.string().optional(),
      },
      {
        key: 'seed',
        flag: '--seed <n>',
        description: 'seed of the bootstrap resampling',
        schema: z.coerce.number().int().min(0),
        default: 42,
      },
      {
        key: 'store',
        flag: '--store <path>',
        description: 'run store file (default $INFERENCEBENCH_HOME/store.sqlite)',
        schema: z.string().min(1).optional(),
      },
    ],
    async run(args, options, io) {
      // Bounds are checked before the store is opened: a typo costs nothing.
      const bounds = options.failIf !== undefined ? parseFailIf(String(options.failIf)) : undefined;
      const specs = [...(options.baseline ? [String(options.baseline)] : []), ...args];
      if (specs.length === 0)
        throw new BenchError('BENCH_ERR_USAGE', 'bench compare: name what to compare', {
          hint: 'bench compare GROUP | bench compare RUN RUN | bench compare --baseline RUN|GROUP RUN|GROUP --fail-if "tpot_p50_ms>+5%"',
        });
      if (bounds && !options.baseline)
        throw new BenchError('BENCH_ERR_USAGE', '--fail-if needs --baseline', {
          hint: 'bench compare --baseline RUN|GROUP RUN|GROUP --fail-if "tpot_p50_ms>+5%"',
        });
      const store = await openStore(await resolveStorePath(options.store as string | undefined));
      let sides: Side[] = [];
      try {
        for (const spec of specs) sides.push(...(await resolveSides(store, spec)));
      } finally {
        await store.close();
      }
      sides = distinctLabels(sides, Boolean(options.baseline));
      const doc = buildComparison(sides, { seed: Number(options.seed), ...(bounds ? { bounds } : {}) });
      io.stdout(options.format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : renderComparison(doc));
      return doc.gate && !doc.gate.passed ? 1 : 0;
    },
  },
];

/** Two sides with one label (two runs of vllm) get told apart: baseline/candidate, or #1/#2. */
function distinctLabels(sides: Side[], baseline: boolean): Side[] {
  if (sides.length !== 2 || sides[0]!.label !== sides[1]!.label) return sides;
  const names = baseline ? ['baseline', 'candidate'] : ['#1', '#2'];
  return sides.map((s, i) => ({ ...s, label: `${s.label} ${names[i]}` }));
}
