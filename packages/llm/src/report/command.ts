import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  BenchError,
  type CommandDecl,
  isBenchError,
  openStore,
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

/** The group id a run document carries (launch sets, `bench compare`), wherever this version put it. */
function groupIdOf(
  doc: { plan?: Record<string, unknown>; summary?: unknown } & Record<string, unknown>,
): unknown {
  return doc.group_id ?? doc.plan?.group_id ?? (doc.summary as Record<string, unknown> | null)?.group_id;
}

/**
 * Run ids for the arguments: each a run id (or unique prefix) or a comparison group id, whose runs are
 * taken in id (time) order. Unknown ids fail before anything is read.
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
  const members: string[] = [];
  for (const r of await store.listRuns(1_000_000)) {
    const doc = (await store.getRunDocument(r.run_id)) as unknown as Record<string, unknown>;
    if (groupIdOf(doc as Parameters<typeof groupIdOf>[0]) === groupId) members.push(r.run_id);
  }
  return members.sort();
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
export async function reportHtml(source: ReportSource, runIds: string[]): Promise<string> {
  const runs = await loadReportRuns(source, runIds);
  return renderReportHtml(buildLlmReport(runs, { generator: `written by inferencebench ${toolVersion()}` }));
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
    const store = openStore(await resolveStorePath(options.store as string | undefined));
    try {
      const ids = await resolveReportRuns(store, args);
      const html = await reportHtml(store, ids);
      await writeReportFile(out, html);
      const ms = performance.now() - started;
      io.stderr(
        `report: ${ids.length} run(s), ${(Buffer.byteLength(html) / 1024).toFixed(0)} KB in ${(ms / 1000).toFixed(2)} s\n`,
      );
      io.stdout(`${out}\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};
