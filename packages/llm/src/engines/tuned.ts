import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A tuned configuration shipped as data for one (engine, hardware, quant). */
export interface TunedConfig {
  engine: string;
  /** Hardware family, lowercase: `h100`, `h200`. */
  hardware: string;
  quant: string;
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
    `${a.engine}/${a.hardware}/${a.quant}`.localeCompare(`${b.engine}/${b.hardware}/${b.quant}`),
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

/** The tuned config for (engine, hardware, quant), or null when none is shipped. */
export function findTunedConfig(
  engine: string,
  hardware: string | undefined | null,
  quant: string | undefined | null,
): TunedConfig | null {
  const family = hardwareFamily(hardware);
  if (!family || !quant) return null;
  const q = quant.toLowerCase();
  return (
    listTunedConfigs().find((c) => c.engine === engine && c.hardware === family && c.quant === q) ?? null
  );
}
