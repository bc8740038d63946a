import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A tuned configuration shipped as data: for one (engine, hardware, quant, model) from a published recipe,
 * or, without `model`, the generic fallback for (engine, hardware, quant).
 */
export interface TunedConfig {
  engine: string;
  /** Hardware family, lowercase: `h100`, `h200`. */
  hardware: string;
  quant: string;
  /** Exact checkpoint id the recipe is for; absent on the generic (engine, hardware, quant) configs. */
  model?: string;
  /** GPUs the recipe uses (it applies only when at least that many are there). */
  gpus?: number;
  /** Tensor parallel size of the recipe. */
  tp?: number;
  /** Maximum context the recipe serves (`--max-model-len`), when it sets one. */
  maxModelLen?: number;
  /** The recipe enables expert parallelism for the MoE layers. */
  expertParallel?: boolean;
  /** Flags added to the engine's command line. */
  args: string[];
  /** Engine config file content (TRT-LLM `--extra_llm_api_options`), or null. */
  config: Record<string, unknown> | null;
  /** Where the values come from (URL of the doc or recipe). */
  source: string;
  note: string;
  /** File the config was read from (for `bench engines`). */
  file: string;
}

/** Folder of the tuned configs (packages/llm/data/engines/tuned), from src/ and dist/ alike. */
export const TUNED_DIR = fileURLToPath(new URL('../../data/engines/tuned/', import.meta.url));

let cache: TunedConfig[] | null = null;

/** Every tuned config shipped, sorted by engine, hardware, quant. */
export function listTunedConfigs(dir = TUNED_DIR): TunedConfig[] {
  if (dir === TUNED_DIR && cache) return cache;
  const out: TunedConfig[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const raw = JSON.parse(readFileSync(`${dir}${dir.endsWith('/') ? '' : '/'}${file}`, 'utf8')) as Omit<
      TunedConfig,
      'file'
    >;
    out.push({ ...raw, config: raw.config ?? null, file });
  }
  out.sort((a, b) =>
    `${a.engine}/${a.hardware}/${a.quant}/${a.model ?? ''}/${a.gpus ?? 0}`.localeCompare(
      `${b.engine}/${b.hardware}/${b.quant}/${b.model ?? ''}/${b.gpus ?? 0}`,
    ),
  );
  if (dir === TUNED_DIR) cache = out;
  return out;
}

/** `h100`, `H100-SXM5-80GB`, `h100-pcie` -> `h100`; null when absent. */
export function hardwareFamily(hardware: string | undefined | null): string | null {
  if (!hardware) return null;
  const first = hardware
    .trim()
    .toLowerCase()
    .split(/[^a-z0-9]+/)[0];
  return first ? first : null;
}

/** The generic tuned config for (engine, hardware, quant), or null when none is shipped. */
export function findTunedConfig(
  engine: string,
  hardware: string | undefined | null,
  quant: string | undefined | null,
): TunedConfig | null {
  const family = hardwareFamily(hardware);
  if (!family || !quant) return null;
  const q = quant.toLowerCase();
  return (
    listTunedConfigs().find(
      (c) => c.model === undefined && c.engine === engine && c.hardware === family && c.quant === q,
    ) ?? null
  );
}

/** What `selectTunedConfig` is asked. */
export interface TunedQuery {
  engine: string;
  hardware: string | undefined | null;
  /** Effective quant (the checkpoint's own when --quant is absent). */
  quant: string | undefined | null;
  /** The served checkpoint id. */
  model: string;
  /** GPUs available (null when none were detected: the smallest recipe is taken). */
  gpuCount: number | null;
  /** `--tp` when given: a recipe with another tensor parallel size does not apply. */
  explicitTp?: number | undefined;
}

/**
 * The tuned config for a launch: the recipe for (engine, hardware, quant, model) that fits the GPUs there
 * (the largest that does), else the generic (engine, hardware, quant) config, labelled as such.
 */
export function selectTunedConfig(
  q: TunedQuery,
): { config: TunedConfig; kind: 'model' | 'generic'; skipped: string[] } | null {
  const family = hardwareFamily(q.hardware);
  const quant = q.quant?.toLowerCase();
  const skipped: string[] = [];
  if (family && quant) {
    const recipes = listTunedConfigs()
      .filter(
        (c) =>
          c.model !== undefined &&
          c.engine === q.engine &&
          c.hardware === family &&
          c.quant === quant &&
          c.model.toLowerCase() === q.model.toLowerCase(),
      )
      .sort((a, b) => (b.gpus ?? 1) - (a.gpus ?? 1));
    for (const r of recipes) {
      const gpus = r.gpus ?? 1;
      if (q.gpuCount !== null && gpus > q.gpuCount) {
        skipped.push(`${r.file}: needs ${gpus} GPUs, ${q.gpuCount} detected`);
        continue;
      }
      if (q.explicitTp !== undefined && (r.tp ?? 1) !== q.explicitTp) {
        skipped.push(`${r.file}: tp ${r.tp ?? 1}, --tp ${q.explicitTp} given`);
        continue;
      }
      // With no GPU detected the smallest recipe is the safest guess.
      if (q.gpuCount === null) return { config: recipes.at(-1) as TunedConfig, kind: 'model', skipped };
      return { config: r, kind: 'model', skipped };
    }
  }
  const generic = findTunedConfig(q.engine, q.hardware, quant);
  return generic ? { config: generic, kind: 'generic', skipped } : null;
}
