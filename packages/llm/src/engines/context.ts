import type { HardwareInfo, Logger, Progress } from 'inferencebench';
import type { LaunchDecision } from '../models/launch-plan.js';

/** What acquireEngine needs from the run besides the plan. */
export interface EngineContext {
  /** Directory of the run, for engine logs. */
  runDir: string;
  progress: Progress;
  signal: AbortSignal;
  log: Logger;
  /** Seed for this launch (differs per launch in comparisons). */
  seed: number;
  /** 1-based launch number, in log file names (`engine-vllm-2.log`). Default 1. */
  launch?: number;
  /** Detected hardware name (e.g. `H100-SXM5-80GB`), used for the tuned config when --hardware is absent. */
  hardware?: string | null;
  /** What was detected (GPU count and memory), for the model fit and the recipe choice. */
  detected?: HardwareInfo;
  /** Told what was decided for the launch (recipe, tp, context, why), before the engine starts. */
  onDecision?: (d: LaunchDecision) => void;
  /** SIGTERM -> SIGKILL grace period on stop, ms. Default 10000. */
  stopGraceMs?: number;
  /** Readiness poll interval, ms. Default 500. */
  pollIntervalMs?: number;
  /** Health check interval during the run, ms. Default 1000. */
  healthIntervalMs?: number;
  /** Longest request of the dataset, prompt + output tokens (sizes llama.cpp's context per slot). */
  maxSequenceTokens?: number;
}
