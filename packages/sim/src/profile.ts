import { readdirSync, readFileSync } from 'node:fs';
import { BenchError } from 'inferencebench';

/** One calibration point: what the profile should reproduce at a closed-loop batch size. */
export interface ProfileTarget {
  batch: number;
  /** Median inter-token latency, ms. */
  itlP50Ms: number;
  /** Output tokens per second at this batch. */
  throughputTokS: number;
  /** Average GPU power (all GPUs), W. */
  powerW?: number;
  /** True when the target is an estimate rather than a public measurement. */
  estimate?: boolean;
}

/** A serving profile: every coefficient of the performance and power model, as data. */
export interface Profile {
  name: string;
  aliases: string[];
  description: string;
  /** Model ids the simulator answers to with this profile (the first is served by default). */
  modelNames: string[];
  quant: string;
  gpu: { name: string; count: number; powerLimitW: number };
  scheduler: {
    maxNumSeqs: number;
    maxNumBatchedTokens: number;
    kvCacheTokens: number;
    blockSizeTokens: number;
    maxModelLen: number;
    /** A sequence preempted more often than this is aborted with a mid-stream error. */
    maxPreemptions: number;
  };
  timing: {
    overheadMs: number;
    prefillMsPerToken: number;
    decodeMsPerSeq: number;
    attnMsPerCachedToken: number;
  };
  power: { idleWPerGpu: number; dynamicWPerGpu: number; busyTokensHalf: number };
  output: { eosMeanTokens: number };
  calibration: { workload: string; promptTokens: number; outputTokens: number };
  targets: ProfileTarget[];
  sources: { what: string; source: string; url: string }[];
  notes: string[];
}

// Profiles ship beside dist/ and src/ in the package, so the same relative URL works from both.
const PROFILE_DIR = new URL('../profiles/', import.meta.url);

let cache: Profile[] | undefined;

function readAll(): Profile[] {
  if (cache) return cache;
  const files = readdirSync(PROFILE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  cache = files.map((f) => JSON.parse(readFileSync(new URL(f, PROFILE_DIR), 'utf8')) as Profile);
  return cache;
}

/** Every shipped profile, sorted by name. */
export function listProfiles(): Profile[] {
  return readAll().map((p) => structuredClone(p));
}

/** Finds a profile by name, alias or served model id (case-insensitive). */
export function loadProfile(name: string): Profile {
  const wanted = name.toLowerCase();
  const all = readAll();
  const found =
    all.find((p) => p.name.toLowerCase() === wanted) ??
    all.find((p) => p.aliases.some((a) => a.toLowerCase() === wanted)) ??
    all.find((p) => p.modelNames.some((m) => m.toLowerCase() === wanted));
  if (!found) {
    throw new BenchError('BENCH_ERR_NOT_FOUND', `unknown simulator profile '${name}'`, {
      hint: `known profiles: ${all.map((p) => [p.name, ...p.aliases].join(' / ')).join(', ')}`,
    });
  }
  return structuredClone(found);
}
