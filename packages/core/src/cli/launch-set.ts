import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BenchError, isBenchError } from '../errors.js';
import type { CommandIo, LaunchSet, RunDocument } from '../plugin/types.js';
import { resolveStorePath } from '../store/paths.js';
import { openStore } from '../store/run-store.js';
import { ulid } from '../store/ulid.js';
import { toJson } from './render.js';

/** The single-run path (`runResolvedPlan`): one plan, one run record, one fresh engine process. */
export type RunOnePlan = (
  plan: Record<string, unknown>,
  values: Record<string, unknown>,
  io: CommandIo,
) => Promise<number>;

/** One launch of the set as it went. */
interface LaunchOutcome {
  order: number;
  side: string;
  launch: number;
  seed: number;
  run_id: string | null;
  error: string | null;
}

/**
 * Run a launch set (SPEC §10): every launch through the ordinary single-run path, in the set's order
 * (interleaved A B A B ... so that machine drift hits every side), each with its own seed and engine
 * process, all carrying one `group_id` in their stored plan. Prints each run as usual (table), then the
 * group; with `--format json` only the group document, which lists the runs. A launch that fails stops
 * the set (after printing what there is); a failed gate under `--strict` does not, it fails at the end.
 */
export async function runLaunchSet(
  set: LaunchSet,
  values: Record<string, unknown>,
  io: CommandIo,
  runOne: RunOnePlan,
): Promise<number> {
  const groupId = set.groupId ?? ulid();
  const json = values.format === 'json';
  const quiet = Boolean(values.quiet);
  const perSide = new Map<string, number>();
  for (const l of set.launches) perSide.set(l.side, (perSide.get(l.side) ?? 0) + 1);
  if (!quiet)
    io.stderr(
      set.only === undefined
        ? `launch set ${groupId}: ${set.launches.length} launches, in order ${set.launches.map((l) => l.side).join(' ')}\n`
        : `launch set ${groupId}: launch ${set.only + 1} of ${set.launches.length} (this pod's; the others run in theirs)\n`,
    );
  const outcomes: LaunchOutcome[] = [];
  let stopped: unknown;
  let gateFailure: unknown;
  // JSON mode prints one document for the whole set, so the runs' own documents stay off stdout.
  const runIo: CommandIo = json ? { stdout: () => {}, stderr: io.stderr } : io;
  for (const [i, spec] of set.launches.entries()) {
    // One pod of a launch set on Kubernetes runs its own launch; the others run in the other pods.
    if (set.only !== undefined && i !== set.only) continue;
    const outcome: LaunchOutcome = {
      order: i + 1,
      side: spec.side,
      launch: spec.launch,
      seed: spec.seed,
      run_id: null,
      error: null,
    };
    outcomes.push(outcome);
    if (!quiet)
      io.stderr(
        `launch ${i + 1}/${set.launches.length}: ${spec.side} #${spec.launch} of ${perSide.get(spec.side)}, seed ${spec.seed}\n`,
      );
    const plan = {
      ...spec.plan,
      seed: spec.seed,
      group_id: groupId,
      launch: { side: spec.side, index: spec.launch, of: perSide.get(spec.side), order: i + 1 },
    };
    try {
      await runOne(plan, { ...values, seed: spec.seed, output: undefined }, runIo);
    } catch (err) {
      outcome.error = err instanceof Error ? err.message : String(err);
      if (isBenchError(err) && err.code === 'BENCH_ERR_GATE') {
        gateFailure ??= err;
        continue;
      }
      stopped = err;
      break;
    } finally {
      outcome.run_id = await launchRunId(values.store as string | undefined, groupId, i + 1);
    }
  }

  const doc = await groupDocument(groupId, set, outcomes, values.store as string | undefined);
  if (stopped !== undefined) doc.status = 'failed';
  if (values.output) writeFileSync(resolve(values.output as string), `${toJson(doc, 2)}\n`);
  if (json) io.stdout(`${toJson(doc, 2)}\n`);
  else io.stdout(renderGroup(doc));
  if (stopped !== undefined) {
    if (isBenchError(stopped) && stopped.code === 'BENCH_ERR_ABORTED') throw stopped;
    const failed = outcomes.at(-1)!;
    throw new BenchError(
      isBenchError(stopped) ? stopped.code : 'BENCH_ERR_INTERNAL',
      `launch set ${groupId} stopped at launch ${failed.order}/${set.launches.length} (${failed.side} #${failed.launch}): ${failed.error}`,
      {
        hint: `the ${outcomes.length - 1} launch(es) before it are stored under group ${groupId}${isBenchError(stopped) && stopped.hint ? `; ${stopped.hint}` : ''}`,
        cause: stopped,
      },
    );
  }
  if (gateFailure !== undefined)
    throw new BenchError('BENCH_ERR_GATE', `launch set ${groupId} completed but a gate failed in a launch`, {
      hint: 'see the flagged levels above; without --strict this exits 0',
    });
  return 0;
}

/** One run as the launch set's document lists it (its full document: `bench runs show ID --format json`). */
interface GroupRun {
  run_id: string;
  status: RunDocument['status'];
  plan: Record<string, unknown>;
  engine: unknown;
  error: string | null;
  summary: unknown;
}

/** The launch set's JSON document: the group, its sides and launches, and its runs. */
interface GroupDocument {
  group_id: string;
  status: 'complete' | 'failed';
  sides: { label: string; runs: string[] }[];
  launches: LaunchOutcome[];
  runs: GroupRun[];
}

/** The run of launch `order` of the group, found by the group id and launch it has in its stored plan. */
async function launchRunId(
  storeOption: string | undefined,
  groupId: string,
  order: number,
): Promise<string | null> {
  const store = await openStore(await resolveStorePath(storeOption));
  try {
    // The newest runs first: the launch was just recorded (other processes may have recorded theirs since).
    for (const r of await store.listRuns(1000)) {
      const launch = r.plan.launch as { order?: number } | undefined;
      if (r.plan.group_id === groupId && launch?.order === order) return r.run_id;
    }
    return null;
  } finally {
    await store.close();
  }
}

async function groupDocument(
  groupId: string,
  set: LaunchSet,
  outcomes: LaunchOutcome[],
  storeOption: string | undefined,
): Promise<GroupDocument> {
  const store = await openStore(await resolveStorePath(storeOption));
  try {
    const runs: GroupRun[] = [];
    for (const o of outcomes) {
      if (!o.run_id) continue;
      const d = await store.getRunDocument(o.run_id);
      runs.push({
        run_id: d.run_id,
        status: d.status,
        plan: d.plan,
        engine: d.environment.engine ?? null,
        error: d.error,
        summary: d.summary,
      });
    }
    return {
      group_id: groupId,
      status: runs.every((r) => r.status === 'complete') ? 'complete' : 'failed',
      sides: set.sides.map((label) => ({
        label,
        runs: outcomes.filter((o) => o.side === label && o.run_id).map((o) => o.run_id!),
      })),
      launches: outcomes,
      runs,
    };
  } finally {
    await store.close();
  }
}

function renderGroup(doc: GroupDocument): string {
  const width = Math.max(...doc.sides.map((s) => s.label.length));
  const lines = [
    '',
    `Launch set: ${doc.group_id} (${doc.launches.length} launches, in order ${doc.launches.map((l) => l.side).join(' ')})`,
  ];
  for (const side of doc.sides) {
    const mine = doc.launches.filter((l) => l.side === side.label);
    lines.push(
      `  ${side.label.padEnd(width)}  ${mine.length} launch(es)  seeds ${mine.map((l) => l.seed).join(',')}  runs ${side.runs.join(' ')}`,
    );
  }
  if (doc.sides.length > 1) lines.push(`Compare: bench compare ${doc.group_id}`);
  return `${lines.join('\n')}\n`;
}
