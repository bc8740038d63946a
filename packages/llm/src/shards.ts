import { BenchError } from 'inferencebench';
import type { LlmPlan } from './options.js';

/** This process's place among the shards of a level (docs/scale.md). */
export interface Shard {
  index: number;
  count: number;
  group: string;
}

/**
 * Checks a sharded plan and fills the shard index from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's
 * pod index) when --shard-index is not given. Shards need a fixed rate: the seeded schedule they split.
 */
export function validateShards(plan: LlmPlan): LlmPlan {
  if (plan.shards <= 1) return plan;
  if (!Array.isArray(plan.rate))
    throw bad(
      '--shards needs a fixed --rate',
      'shards split one seeded arrival schedule: give --rate R (req/s)',
    );
  if (plan.search !== undefined)
    throw bad('--shards cannot be combined with --search', 'run the search unsharded');
  const small = plan.concurrency.find((c) => c < plan.shards);
  if (small !== undefined)
    throw bad(
      `--concurrency ${small} is smaller than --shards ${plan.shards}`,
      'each shard needs at least one slot',
    );
  if (!plan.endpoint)
    throw bad(
      '--shards needs --endpoint',
      'shards share one serving endpoint; each would launch its own engine',
    );
  return plan;
}

const bad = (message: string, hint: string) => new BenchError('BENCH_ERR_BAD_OPTION', message, { hint });

/**
 * The shard index and group a sharded run needs when it starts (not when it is rendered for Kubernetes,
 * where each pod gets its index from $JOB_COMPLETION_INDEX and the group is the Job's name).
 */
export function resolveShardIndex(plan: LlmPlan, env: NodeJS.ProcessEnv = process.env): LlmPlan {
  if (plan.shards <= 1) return plan;
  const fromEnv = env.JOB_COMPLETION_INDEX;
  const index = plan.shardIndex ?? (fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : undefined);
  if (index === undefined || !Number.isInteger(index) || index < 0 || index >= plan.shards)
    throw bad(
      `--shards ${plan.shards} needs a shard index 0..${plan.shards - 1}`,
      'give --shard-index I, or run in a Kubernetes Indexed Job ($JOB_COMPLETION_INDEX)',
    );
  if (!plan.shardGroup)
    throw bad('--shards needs --shard-group', 'the same id for every shard of the run, e.g. the Job name');
  return { ...plan, shardIndex: index };
}

export function shardOf(plan: LlmPlan): Shard | null {
  return plan.shards > 1 && plan.shardIndex !== undefined && plan.shardGroup
    ? { index: plan.shardIndex, count: plan.shards, group: plan.shardGroup }
    : null;
}

/** Shard i's share of C: C/N rounded down, the remainder going one each to the first shards. */
export function concurrencyShare(c: number, shard: Shard): number {
  return Math.floor(c / shard.count) + (shard.index < c % shard.count ? 1 : 0);
}
