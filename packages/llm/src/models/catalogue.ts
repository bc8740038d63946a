import { readFileSync } from 'node:fs';

/** What the fit arithmetic needs to know about a model (from config.json or the shipped catalogue). */
export interface ModelFacts {
  architecture: string;
  moe: boolean;
  /** Parameters, all of them (every expert of an MoE). */
  paramsTotal: number;
  /** Parameters used per token (equal to the total for dense models). */
  paramsActive: number;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Multi-head latent attention (DeepSeek): the KV cache holds one latent of this size per layer. */
  mla?: { kvLoraRank: number; ropeHeadDim: number };
  experts?: number;
  expertsPerToken?: number;
  maxContext: number;
}

/** One catalogue entry: a model family with its short names and the checkpoint per quant. */
export interface CatalogueModel {
  /** The short form printed on the Model line, e.g. `meta-llama/Llama-4-Maverick`. */
  name: string;
  aliases: string[];
  /** Checkpoint served when no quant is asked for. */
  default: string;
  /** Checkpoint the publisher ships per quant (`fp8` -> `...-FP8`). */
  variants: Record<string, string>;
  /** The quant the default checkpoint already is (DeepSeek-V3 ships FP8 weights). */
  nativeQuant?: string;
  facts: ModelFacts;
  sources: string[];
}

/** How `--model` was turned into the id the engine serves. */
export interface ModelResolution {
  /** What the user gave. */
  given: string;
  /** The exact id the engine is launched with and requests name. */
  served: string;
  /** The catalogue entry, or null for ids the catalogue does not know (served as given). */
  entry: CatalogueModel | null;
  /** Why: `exact` (a known checkpoint id), `resolved` (a short name or family), `as-given`. */
  how: 'exact' | 'resolved' | 'as-given';
  /** One line for the log when the id changed or a quant is applied online. */
  note: string | null;
}

const CATALOGUE_URL = new URL('../../data/models/catalogue.json', import.meta.url);
let cache: CatalogueModel[] | null = null;

/** Every model of the shipped catalogue. */
export function listCatalogue(): CatalogueModel[] {
  if (!cache) {
    const raw = JSON.parse(readFileSync(CATALOGUE_URL, 'utf8')) as { models: CatalogueModel[] };
    cache = raw.models;
  }
  return cache;
}

const lower = (s: string) => s.trim().toLowerCase();

/** Every checkpoint id of an entry (default and variants). */
function checkpointIds(m: CatalogueModel): string[] {
  return [...new Set([m.default, ...Object.values(m.variants)])];
}

/** The catalogue entry whose checkpoint, short name or alias is `name` (case-insensitive), or null. */
export function findCatalogueModel(name: string): CatalogueModel | null {
  const n = lower(name);
  const all = listCatalogue();
  return (
    all.find((m) => checkpointIds(m).some((id) => lower(id) === n)) ??
    all.find((m) => lower(m.name) === n || m.aliases.some((a) => lower(a) === n)) ??
    null
  );
}

/**
 * `--model` -> the id to serve. A checkpoint id is served as given; a short name or family resolves to
 * the publisher's checkpoint for `--quant` (or the default one, with the quant applied online by the
 * engine). Names the catalogue does not know are served as given: any hub id or local path works.
 */
export function resolveModel(given: string, quant: string | undefined): ModelResolution {
  const entry = findCatalogueModel(given);
  if (!entry) return { given, served: given, entry: null, how: 'as-given', note: null };
  const isCheckpoint = checkpointIds(entry).some((id) => lower(id) === lower(given));
  if (isCheckpoint) {
    const served = checkpointIds(entry).find((id) => lower(id) === lower(given)) as string;
    return { given, served, entry, how: 'exact', note: null };
  }
  const q = quant?.toLowerCase();
  const variant = q ? entry.variants[q] : undefined;
  const served = variant ?? entry.default;
  const online = q && !variant && q !== entry.nativeQuant;
  const note = `model ${given} -> ${served}${
    online ? ` (no ${q} checkpoint published: the engine quantizes the default one online)` : ''
  }`;
  return { given, served, entry, how: 'resolved', note };
}

/** Levenshtein distance, for suggestions. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** Up to `n` catalogue names closest to `name` (short names, aliases and checkpoint ids). */
export function suggestModels(name: string, n = 3): string[] {
  const want = lower(name);
  const scored: { label: string; d: number }[] = [];
  for (const m of listCatalogue()) {
    const labels = [m.name, ...m.aliases, ...checkpointIds(m)];
    const d = Math.min(
      ...labels.map((l) => {
        const ll = lower(l);
        // A substring match ranks first (`maverick` -> the Maverick family), for names long enough to mean it.
        if (want.length >= 4 && (ll.includes(want) || want.includes(ll))) return 0;
        return editDistance(want, ll);
      }),
    );
    scored.push({ label: m.name, d });
  }
  scored.sort((a, b) => a.d - b.d);
  return scored
    .filter((s) => s.d <= Math.max(2, Math.floor(want.length / 4)))
    .slice(0, n)
    .map((s) => s.label);
}

/** The short form for the Model line: the family name of a known checkpoint, else the id itself. */
export function modelShortName(id: string): string {
  const m = findCatalogueModel(id);
  return m && checkpointIds(m).some((c) => lower(c) === lower(id)) ? m.name : id;
}
