import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  BenchError,
  type CommandDecl,
  isBenchError,
  openStore,
  type ReportSection,
  type ReportSource,
  renderReportHtml,
  resolveStorePath,
  toolVersion,
} from 'inferencebench';
import { z } from 'zod';
import { buildLlmReport, type ReportRun } from './build.js';

/** A store that can also list runs and resolve id prefixes (what `bench report` needs besides reading). */
export interface ReportStore extends ReportSource {
  resolveRunId(prefix: string): string | Promise<string>;
  listRuns(
    limit?: number,
  ):
    | { run_id: string; plan: Record<string, unknown> }[]
    | Promise<{ run_id: string; plan: Record<string, unknown> }[]>;
  /** Runs of one comparison group, when the store can answer it directly. */
  groupRuns?(groupId: string): string[] | Promise<string[]>;
}

/**
 * Run ids for the arguments: each a run id (or unique prefix) or a comparison group id (or unique prefix;
 * launch sets store it as `plan.group_id`), whose runs are taken in id (launch) order. Unknown ids fail
 * before anything is read.
 */
export async function resolveReportRuns(store: ReportStore, args: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const arg of args) {
    try {
      ids.push(await store.resolveRunId(arg));
    } catch (err) {
      if (!isBenchError(err) || err.code !== 'BENCH_ERR_NOT_FOUND') throw err;
      const group = await groupMembers(store, arg);
      if (group.length === 0) throw err;
      ids.push(...group);
    }
  }
  return [...new Set(ids)];
}

async function groupMembers(store: ReportStore, groupId: string): Promise<string[]> {
  if (store.groupRuns) return [...(await store.groupRuns(groupId))].sort();
  const groups = new Map<string, string[]>();
  for (const r of await store.listRuns(1_000_000)) {
    const g = r.plan?.group_id;
    if (typeof g !== 'string') continue;
    groups.set(g, [...(groups.get(g) ?? []), r.run_id]);
  }
  const want = groupId.toLowerCase();
  const exact = [...groups.keys()].find((g) => g.toLowerCase() === want);
  const matches =
    exact !== undefined ? [exact] : [...groups.keys()].filter((g) => g.toLowerCase().startsWith(want));
  if (matches.length > 1)
    throw new BenchError('BENCH_ERR_NOT_FOUND', `group id prefix ${groupId} is ambiguous`, {
      hint: `it matches groups ${matches.slice(0, 3).join(', ')}: give more characters`,
    });
  return matches.length === 1 ? [...groups.get(matches[0]!)!].sort() : [];
}

/** What the compare module (issue 12) offers; looked up at run time so this builds without it. */
interface CompareModules {
  resolveSides(store: unknown, spec: string): Promise<unknown[]>;
  buildComparison(sides: unknown[], options: { seed: number }): unknown;
  renderComparison(doc: unknown): string;
}

async function compareModules(): Promise<CompareModules | null> {
  const load = async (file: string): Promise<Record<string, unknown>> =>
    (await import(new URL(`../compare/${file}`, import.meta.url).href)) as Record<string, unknown>;
  try {
    const [sides, comparison, render] = await Promise.all([
      load('sides.js'),
      load('comparison.js'),
      load('render.js'),
    ]);
    if (
      typeof sides.resolveSides !== 'function' ||
      typeof comparison.buildComparison !== 'function' ||
      typeof render.renderComparison !== 'function'
    )
      return null;
    return {
      resolveSides: sides.resolveSides as CompareModules['resolveSides'],
      buildComparison: comparison.buildComparison as CompareModules['buildComparison'],
      renderComparison: render.renderComparison as CompareModules['renderComparison'],
    };
  } catch {
    return null;
  }
}

/**
 * The `bench compare` table of what the report covers (the arguments as sides, as `bench compare` takes
 * them), or why there is none: the seam to the compare module, which this version may not have.
 */
export async function comparisonSection(store: ReportStore, args: string[]): Promise<ReportSection> {
  const text = (t: string): ReportSection => ({
    id: 'comparison',
    title: 'Comparison',
    blocks: [{ kind: 'text', text: t }],
  });
  const mod = await compareModules();
  if (!mod)
    return text(
      'The `bench compare` table (per-level ratios with bootstrap CIs and verdicts) is not in this version; the figures of each run follow side by side.',
    );
  try {
    const sides: unknown[] = [];
    for (const spec of args) sides.push(...(await mod.resolveSides(store, spec)));
    const doc = mod.buildComparison(sides, { seed: 42 });
    return {
      id: 'comparison',
      title: 'Comparison',
      blocks: [{ kind: 'pre', label: `bench compare ${args.join(' ')}`, text: mod.renderComparison(doc) }],
    };
  } catch (err) {
    // bench compare refuses what is not a valid comparison (too few launches...): say so, as it would.
    const e = err as { message?: string; hint?: string };
    return text(
      `bench compare ${args.join(' ')}: ${e.message ?? String(err)}${e.hint ? ` (${e.hint})` : ''}`,
    );
  }
}

/** Read the runs (document, request records, samples) from the store: every figure comes from there. */
export async function loadReportRuns(source: ReportSource, runIds: string[]): Promise<ReportRun[]> {
  const runs: ReportRun[] = [];
  for (const id of runIds) {
    const doc = await source.getRunDocument(id);
    if (doc.plugin !== 'llm.inference')
      throw new BenchError('BENCH_ERR_USAGE', `run ${id} is a ${doc.plugin} run, not llm.inference`, {
        hint: 'a report covers llm.inference runs; give only those run ids',
      });
    runs.push({ doc, requests: await source.requests(id), samples: await source.samples(id) });
  }
  return runs;
}

/** The HTML report of stored runs (the plugin's `report`, used by `bench run --report` and `bench report`). */
export async function reportHtml(
  source: ReportSource,
  runIds: string[],
  comparison: ReportSection | null = null,
): Promise<string> {
  const runs = await loadReportRuns(source, runIds);
  return renderReportHtml(
    buildLlmReport(runs, { generator: `written by inferencebench ${toolVersion()}`, comparison }),
  );
}

/** Write the file, creating nothing but the file itself: a missing directory is the user's to fix. */
export async function writeReportFile(path: string, html: string): Promise<void> {
  const dir = dirname(path);
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory())
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `cannot write the report to ${path}: ${dir} is not a directory`,
      {
        hint: `create it first (mkdir -p ${dir}) or choose another --out path`,
      },
    );
  try {
    await writeFile(path, html);
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `cannot write the report to ${path}: ${(err as Error).message}`,
      {
        hint: 'choose a writable --out path',
        cause: err,
      },
    );
  }
}

export const reportCommand: CommandDecl = {
  name: 'report',
  description:
    'write one self-contained HTML report (charts, tables, plan) of stored runs or a comparison group',
  args: ['<runs...>'],
  options: [
    {
      key: 'out',
      flag: '--out <file>',
      description: 'the HTML file to write',
      schema: z.string().min(1, { message: 'give the file to write: --out report.html' }),
    },
    {
      key: 'store',
      flag: '--store <path>',
      description: 'run store file (default $INFERENCEBENCH_HOME/store.sqlite)',
      schema: z.string().min(1).optional(),
    },
  ],
  async run(args, options, io) {
    if (typeof options.out !== 'string')
      throw new BenchError('BENCH_ERR_USAGE', 'bench report: missing --out FILE', {
        hint: 'bench report <run-id...> --out report.html',
      });
    const out = resolve(options.out);
    const started = performance.now();
    // Awaited: the store is becoming async (PostgreSQL); the SQLite one answers at once.
    const store = await openStore(await resolveStorePath(options.store as string | undefined));
    try {
      const ids = await resolveReportRuns(store, args);
      const comparison = ids.length > 1 ? await comparisonSection(store, args) : null;
      const html = await reportHtml(store, ids, comparison);
      await writeReportFile(out, html);
      const ms = performance.now() - started;
      io.stderr(
        `report: ${ids.length} run(s), ${(Buffer.byteLength(html) / 1024).toFixed(0)} KB in ${(ms / 1000).toFixed(2)} s\n`,
      );
      io.stdout(`${out}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
