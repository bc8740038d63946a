import { readFileSync } from 'node:fs';

/** A dataset file on the hub, pinned to a commit (packages/llm/data/datasets.json). */
export interface HubDatasetEntry {
  description: string;
  repo: string;
  file: string;
  /** Commit hash shipped with the tool; `--dataset-revision` overrides. */
  revision: string;
  /** sha256 of the file at that commit. */
  sha256: string;
  approxSizeBytes: number;
  license: string;
}

let catalog: Record<string, HubDatasetEntry> | null = null;

/** The hub datasets shipped with the tool, by id. */
export function hubDatasets(): Record<string, HubDatasetEntry> {
  if (catalog === null) {
    const raw = JSON.parse(
      readFileSync(new URL('../../data/datasets.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    catalog = {};
    for (const [id, entry] of Object.entries(raw)) {
      if (!id.startsWith('_')) catalog[id] = entry as HubDatasetEntry;
    }
  }
  return catalog;
}

/** The pinned sharegpt-v3 entry. */
export function shareGptEntry(): HubDatasetEntry {
  return hubDatasets()['sharegpt-v3']!;
}
