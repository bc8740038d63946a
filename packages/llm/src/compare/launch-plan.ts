import { BenchError, type LaunchSet, type LaunchSpec, type OptionDecl } from 'inferencebench';
import { ENGINE_NAMES, type LlmPlan, llmOptions } from '../options.js';

/** Fewest launches per side a cross-engine or cross-config comparison accepts (SPEC §10). */
export const MIN_LAUNCHES_PER_SIDE = 3;

/** Options that name the comparison itself, so `--vary` cannot set them. */
const NOT_VARIABLE = new Set(['engine', 'launches', 'vary', 'seed', 'endpoint']);

/** One configuration of a comparison: an engine plus the options it varies. */
interface SideConfig {
  label: string;
  patch: Partial<LlmPlan> & Record<string, unknown>;
}

/**
 * The launch set of a plan (SPEC §10), or null for one ordinary run. `--engine a,b` and `--vary k=v1,v2`
 * make one side per engine and config; `--launches N` launches each side N times, interleaved
 * (A B A B ...). Launch k of every side gets the seed `seed + k - 1`, so the sides see the same prompts
 * and arrival schedules launch by launch while the launches of one side differ.
 */
export function planLaunches(plan: LlmPlan, seed: number): LaunchSet<LlmPlan> | null {
  const engines = engineList(plan.engine);
  const variants = plan.vary === undefined ? [{ label: '', patch: {} }] : parseVary(plan.vary);
  const sides: SideConfig[] = [];
  for (const engine of engines)
    for (const v of variants) {
      const label =
        engines.length > 1 && v.label ? `${engine}/${v.label}` : engines.length > 1 ? engine : v.label;
      sides.push({ label: label || engine, patch: { ...v.patch, engine } });
    }
  const launches = plan.launches ?? (sides.length > 1 ? MIN_LAUNCHES_PER_SIDE : 1);
  if (sides.length === 1 && launches === 1) return null;
  if (sides.length > 1 && launches < MIN_LAUNCHES_PER_SIDE && launches !== 1) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `--launches ${launches} is too few to compare ${sides.map((s) => s.label).join(' vs ')}: a comparison needs >= ${MIN_LAUNCHES_PER_SIDE} independent launches per side`,
      {
        hint: `one engine launch is one sample of launch-to-launch variation (memory layout, compilation, clocks); use --launches ${MIN_LAUNCHES_PER_SIDE} (or --launches 1 for one launch each, which bench compare will not accept as a comparison)`,
      },
    );
  }
  if (plan.endpoint) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      '--endpoint attaches to one running server: a launch set needs engines that bench launches itself',
      {
        hint: 'drop --endpoint to launch the engines, or run each endpoint on its own and compare the runs with bench compare',
      },
    );
  }
  const { vary: _vary, ...base } = plan;
  const out: LaunchSpec<LlmPlan>[] = [];
  for (let k = 1; k <= launches; k++)
    for (const side of sides)
      out.push({
        side: side.label,
        launch: k,
        seed: seed + k - 1,
        plan: { ...base, ...side.patch, launches } as LlmPlan,
      });
  if (plan.launchGroup === undefined) return { sides: sides.map((s) => s.label), launches: out };
  // One pod of the set's Indexed Job: its launch, under the group id every pod shares.
  const fromEnv = process.env.JOB_COMPLETION_INDEX;
  const only =
    plan.launchIndex ?? (fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : undefined);
  if (only === undefined || only >= out.length) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      only === undefined
        ? '--launch-group needs --launch-index or $JOB_COMPLETION_INDEX (which launch this process runs)'
        : `--launch-index ${only} is out of range: the set has ${out.length} launches (0..${out.length - 1})`,
      { hint: 'the pods of `bench run ... --kubernetes` get both; run by hand, give --launch-index 0..N-1' },
    );
  }
  return { sides: sides.map((s) => s.label), launches: out, groupId: plan.launchGroup, only };
}

/** `vllm,sglang` -> ['vllm', 'sglang'], each a known engine, none twice. */
export function engineList(engine: string): string[] {
  const names = engine
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const n of names)
    if (!(ENGINE_NAMES as readonly string[]).includes(n))
      throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown engine "${n}"`, {
        hint: `use one or more of: ${ENGINE_NAMES.join(', ')}, comma-separated (see \`bench engines\`)`,
      });
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice)
    throw new BenchError('BENCH_ERR_BAD_OPTION', `--engine names ${twice} twice`, {
      hint: 'for repeated launches of one engine use --launches N',
    });
  if (names.length === 0)
    throw new BenchError('BENCH_ERR_BAD_OPTION', '--engine is empty', { hint: 'e.g. --engine vllm' });
  return names;
}

/** `quant=fp8,bf16` or a YAML list of option maps -> one config per value / map, parsed by the option's schema. */
function parseVary(vary: string | Record<string, unknown>[]): SideConfig[] {
  const maps: Record<string, unknown>[] = [];
  if (typeof vary === 'string') {
    const eq = vary.indexOf('=');
    const key = vary.slice(0, eq).trim();
    const values = vary
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (eq <= 0 || values.length === 0)
      throw new BenchError('BENCH_ERR_BAD_OPTION', `invalid value '${vary}' for --vary`, {
        hint: 'KEY=V1,V2 with an option name, e.g. --vary quant=fp8,bf16',
      });
    for (const v of values) maps.push({ [key]: v });
  } else maps.push(...vary);
  if (maps.length < 2)
    throw new BenchError('BENCH_ERR_BAD_OPTION', '--vary needs at least two configs to compare', {
      hint: 'e.g. --vary quant=fp8,bf16',
    });
  const configs = maps.map((m) => {
    const patch: Record<string, unknown> = {};
    const label: string[] = [];
    for (const [name, raw] of Object.entries(m)) {
      const decl = optionByName(name);
      const parsed = decl.schema.safeParse(raw);
      if (!parsed.success)
        throw new BenchError('BENCH_ERR_BAD_OPTION', `invalid value '${String(raw)}' for ${name} in --vary`, {
          hint: decl.description,
        });
      patch[decl.key] = parsed.data;
      label.push(`${name}=${Array.isArray(raw) ? raw.join(' ') : String(raw)}`);
    }
    return { label: label.join('+'), patch };
  });
  const labels = configs.map((c) => c.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice)
    throw new BenchError('BENCH_ERR_BAD_OPTION', `--vary lists ${twice} twice`, {
      hint: 'give each config once; --launches N repeats them',
    });
  return configs;
}

/** An option by its plan key (`engineArg`) or flag name (`engine-arg`). */
function optionByName(name: string): OptionDecl {
  const decl = llmOptions.find((d) => d.key === name || d.flag.split(' ')[0] === `--${name}`);
  if (!decl || NOT_VARIABLE.has(decl.key))
    throw new BenchError('BENCH_ERR_BAD_OPTION', `--vary cannot vary '${name}'`, {
      hint: decl
        ? `${name} is set by the comparison itself (use --engine a,b for engines, --launches for repeats)`
        : 'name an option of bench run llm.inference, e.g. quant, tp, engine-arg, hardware',
    });
  return decl;
}
