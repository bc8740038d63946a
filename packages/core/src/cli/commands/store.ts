import { BenchError } from '../../errors.js';
import type { CommandIo } from '../../plugin/types.js';
import { redactStoreLocation, resolveStorePath } from '../../store/paths.js';
import { openStore } from '../../store/run-store.js';
import { toJson } from '../render.js';

/**
 * `bench store copy --from A --to B [RUN...]`: copy runs (all of them without RUN) between stores of
 * either kind, under their own ids. Runs already in B, and runs still running, are skipped and said so.
 */
export async function storeCopy(
  runs: string[],
  opts: { from: string; to: string; format: string },
  io: CommandIo,
): Promise<number> {
  const fromLocation = await resolveStorePath(opts.from);
  const toLocation = await resolveStorePath(opts.to);
  if (fromLocation === toLocation)
    throw new BenchError(
      'BENCH_ERR_USAGE',
      `--from and --to are the same store (${redactStoreLocation(toLocation)})`,
      {
        hint: 'copy between two stores: bench store copy --from FILE_OR_URL --to FILE_OR_URL [RUN...]',
      },
    );
  const from = await openStore(fromLocation);
  try {
    // Ids are checked before anything is written.
    const ids =
      runs.length > 0
        ? await Promise.all(runs.map((r) => from.resolveRunId(r)))
        : (await from.listRuns(Number.MAX_SAFE_INTEGER)).map((r) => r.run_id).reverse();
    const to = await openStore(toLocation);
    const copied: { run_id: string; requests: number; samples: number }[] = [];
    const skipped: { run_id: string; reason: string }[] = [];
    try {
      for (const id of new Set(ids)) {
        const bundle = await from.exportRun(id);
        if (bundle.run.status === 'running') {
          skipped.push({ run_id: id, reason: 'still running' });
          continue;
        }
        if (await to.importRun(bundle))
          copied.push({ run_id: id, requests: bundle.requests.length, samples: bundle.samples.length });
        else skipped.push({ run_id: id, reason: `already in ${to.location}` });
      }
    } finally {
      await to.close();
    }
    if (opts.format === 'json')
      io.stdout(
        `${toJson({ from: from.location, to: redactStoreLocation(toLocation), copied, skipped }, 2)}\n`,
      );
    else {
      const lines = [
        ...copied.map((c) => `copied ${c.run_id} (${c.requests} requests, ${c.samples} samples)`),
        ...skipped.map((s) => `skipped ${s.run_id}: ${s.reason}`),
        `${copied.length} run(s) copied from ${from.location} to ${redactStoreLocation(toLocation)}, ${skipped.length} skipped`,
      ];
      io.stdout(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    await from.close();
  }
}
