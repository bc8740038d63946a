import type { CommandDecl } from 'inferencebench';
import { formatOption } from '../format-option.js';
import { SLO_TEMPLATES } from './templates.js';

const ms = (x: number | null): string => (x === null ? 'n/a' : `${x} ms`);

/** `bench slo-templates`: the shipped SLO templates, as a table or JSON. */
export const sloCommands: CommandDecl[] = [
  {
    name: 'slo-templates',
    description: 'list the SLO templates (TTFT p99 / TPOT p99) for --slo-template',
    options: [formatOption],
    async run(_args, options, io) {
      if (options.format === 'json') {
        const rows = SLO_TEMPLATES.map((t) => ({
          id: t.id,
          ttft_p99_ms: t.ttftP99Ms,
          tpot_p99_ms: t.tpotP99Ms,
          description: t.description,
          source: t.source,
        }));
        io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
        return 0;
      }
      const rows = [
        ['template', 'TTFT p99', 'TPOT p99', 'description'],
        ...SLO_TEMPLATES.map((t) => [t.id, ms(t.ttftP99Ms), ms(t.tpotP99Ms), t.description]),
      ];
      const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      io.stdout(
        `${rows
          .map((r) =>
            r
              .map((c, i) => c.padEnd(w[i]!))
              .join('  ')
              .trimEnd(),
          )
          .join('\n')}\n`,
      );
      io.stdout(
        '\nCustom: --slo ttft_p99_ms=..,tpot_p99_ms=.. (MLPerf values from mlcommons/inference loadgen/mlperf.conf)\n',
      );
      return 0;
    },
  },
];
