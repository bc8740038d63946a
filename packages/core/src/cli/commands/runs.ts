import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandIo, Plugin } from '../../plugin/types.js';
import { resolveStorePath } from '../../store/paths.js';
import { openStore, type RunStore } from '../../store/run-store.js';
import { checkOutputPath, checkStorePath } from '../path-checks.js';
import { renderGeneric, renderRunList, requestsCsv, toJson } from '../render.js';

async function withStore<T>(
  storeOption: string | undefined,
  fn: (store: RunStore) => T | Promise<T>,
): Promise<T> {
  const path = await resolveStorePath(storeOption);
  checkStorePath(path);
  const store = await openStore(path);
  try {
    await store.reapStaleRuns();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `bench runs list`. */
export async function runsList(
  opts: { store?: string; format: string; limit: number },
  io: CommandIo,
): Promise<number> {
  return withStore(opts.store, async (store) => {
    const listed = await store.listRuns(opts.limit);
    // Measured requests (SPEC §12 `levels[].requests.measured`), not every request sent (warm-up, gate, drain).
    const runs = [];
    for (const r of listed) {
      const doc = await store.getRunDocument(r.run_id);
      runs.push({ ...r, measured_requests: measuredRequests(doc.levels) });
    }
    io.stdout(opts.format === 'json' ? `${toJson(runs, 2)}\n` : renderRunList(runs));
    return 0;
  });
}

/** Sum of the levels' `requests.measured`, or null when the levels do not say. */
function measuredRequests(levels: unknown[]): number | null {
  let sum: number | null = null;
  for (const l of levels) {
    const m = (l as { requests?: { measured?: unknown } } | null)?.requests?.measured;
    if (typeof m === 'number') sum = (sum ?? 0) + m;
  }
  return sum;
}

/** `bench runs show <id>`: table via the plugin's render when it can be loaded, JSON with every record. */
export async function runsShow(
  id: string,
  opts: { store?: string; format: string },
  io: CommandIo,
): Promise<number> {
  return withStore(opts.store, async (store) => {
    const runId = await store.resolveRunId(id);
    const stored = await store.getRunDocument(runId);
    let plugin: Plugin | null = null;
    try {
      const { loadPlugin, pluginModulePaths } = await import('../../plugin/loader.js');
      plugin = await loadPlugin(stored.plugin, { modules: pluginModulePaths(undefined) });
    } catch {
      // The plugin may be gone or changed since the run: the stored document still shows everything.
    }
    // The plugin recomputes its results from the stored records, where it can (one pure function).
    const withRecords =
      opts.format === 'json' || plugin?.rebuild
        ? await store.getRunDocument(runId, { records: true })
        : stored;
    const doc = plugin?.rebuild ? await plugin.rebuild(withRecords) : withRecords;
    if (opts.format === 'json') {
      io.stdout(`${toJson(doc, 2)}\n`);
      return 0;
    }
    const { requests: _r, samples: _s, ...view } = doc;
    io.stdout(plugin?.render?.(view) ?? renderGeneric(view));
    return 0;
  });
}

/** `bench runs export <id> --format json|csv`. */
export async function runsExport(
  id: string,
  opts: { store?: string; format: string; output?: string },
  io: CommandIo,
): Promise<number> {
  if (opts.output) checkOutputPath(opts.output);
  return withStore(opts.store, async (store) => {
    const runId = await store.resolveRunId(id);
    const text =
      opts.format === 'csv'
        ? requestsCsv(runId, await store.requests(runId))
        : `${toJson(await store.getRunDocument(runId, { records: true }), 2)}\n`;
    if (opts.output) writeFileSync(resolve(opts.output), text);
    else io.stdout(text);
    return 0;
  });
}
