import type { RequestQuirks } from '../../types.js';
import { jsonOf, probe } from '../http.js';
import type { TunedConfig } from '../tuned.js';

/** Everything an adapter needs to build a launch command. */
export interface LaunchInput {
  model: string;
  host: string;
  /** Port chosen for the engine (0 for engines that report their own, like the simulator). */
  port: number;
  tp: number;
  quant: string | undefined;
  seed: number;
  tuned: TunedConfig | null;
  /** Maximum context to serve (`--max-model-len`), or null for the engine's default. */
  maxModelLen?: number | null;
  /** Spread an MoE's experts over the GPUs (vLLM --enable-expert-parallel, SGLang --ep-size). */
  expertParallel?: boolean;
  /** Where the adapter may write config files the command refers to. */
  runDir: string;
  /** 1-based launch number (log and config file names). */
  launch: number;
  /** Requests the engine must serve at once: the largest concurrency level. */
  slots: number;
  /** Tokens one request may need (longest prompt + output, with a margin), or null when not known. */
  sequenceTokens: number | null;
}

/** A command to run, as an argument array (never a shell string). */
export interface LaunchCommand {
  argv: string[];
  /** Files to write before starting (engine config files). */
  files: { path: string; content: string }[];
  /** Lines worth storing with the run (how --quant was applied...). */
  notes: string[];
  /** The engine prints the port it bound on stdout (the simulator with --port 0). */
  portFromStdout: boolean;
}

export type Readiness = 'ready' | 'loading';

/** Flags of `args` (entries starting with `--`), for de-duplication against tuned flags. */
export function flagNames(args: readonly string[]): Set<string> {
  return new Set(args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0] as string));
}

/** Append `extra` flag/value pairs whose flag is not already in `args`. */
export function mergeFlags(args: string[], extra: readonly string[]): string[] {
  const have = flagNames(args);
  const out = [...args];
  for (let i = 0; i < extra.length; i++) {
    const flag = extra[i] as string;
    const value = extra[i + 1];
    const takesValue = value !== undefined && !value.startsWith('--');
    if (!have.has(flag.split('=')[0] as string)) {
      out.push(flag);
      if (takesValue) out.push(value);
    }
    if (takesValue) i++;
  }
  return out;
}

/**
 * One engine: how to launch it, how to tell it is ready, where its version and metrics are, and what
 * its OpenAI endpoint accepts. Subclasses are mostly data.
 */
export abstract class EngineAdapter {
  abstract readonly name: string;
  /** What the default command needs on PATH (for `bench engines`). */
  abstract readonly needs: string[];
  abstract readonly quirks: RequestQuirks;
  /** Liveness/readiness path, or null when there is none. */
  readonly healthPath: string | null = '/health';
  /** Prometheus path, or null when the engine exposes none. */
  readonly metricsPath: string | null = '/metrics';
  /** Paths tried in order for the version. */
  readonly versionPaths: string[] = ['/version'];
  /** Hardware and quant names of the tuned config used when none matches the plan (llama.cpp: cpu/gguf). */
  readonly fallbackTuned: { hardware: string; quant: string } | null = null;

  /** Checks the plan's model for this engine before anything starts; throws a BenchError. */
  checkModel(_model: string): void {}

  /** The model's own metadata worth storing with the run (llama.cpp: the GGUF header), or null. */
  modelInfo(_model: string): Record<string, unknown> | null {
    return null;
  }

  /** The same, asked of a running server we attached to; `slots` = requests it serves at once, if it says. */
  async attachedModelInfo(_origin: string): Promise<Record<string, unknown> | null> {
    return null;
  }

  /** The launch command for this input (tuned flags included). */
  abstract command(input: LaunchInput): LaunchCommand;

  /** One readiness probe against the server origin (`http://host:port`). */
  async readiness(origin: string): Promise<Readiness> {
    if (!this.healthPath) return 'ready';
    const res = await probe(`${origin}${this.healthPath}`, { timeoutMs: 3000 });
    return res.status === 200 ? 'ready' : 'loading';
  }

  /** Is the engine still healthy (used during the run)? */
  async healthy(origin: string): Promise<boolean> {
    if (!this.healthPath) return true;
    const res = await probe(`${origin}${this.healthPath}`, { timeoutMs: 5000 });
    return res.status === 200;
  }

  /** The engine's version, or null when it does not say. */
  async version(origin: string): Promise<string | null> {
    for (const path of this.versionPaths) {
      const body = jsonOf(await probe(`${origin}${path}`));
      const v = body ? this.versionFrom(body) : null;
      if (v) return v;
    }
    return null;
  }

  protected versionFrom(body: Record<string, unknown>): string | null {
    return typeof body.version === 'string' ? body.version : null;
  }
}

/**
 * `--quant` -> the `--quantization` / `--dtype` flags that vLLM and SGLang share (their server docs):
 * fp8 and the named checkpoint schemes as `--quantization`, bf16/fp16 as `--dtype`; anything else is left
 * to the checkpoint, with a note saying so.
 */
export function quantizationDtypeArgs(
  quant: string | undefined,
  engineLabel: string,
  schemes: readonly string[],
): { args: string[]; note: string | null } {
  const q = quant?.toLowerCase();
  if (q === undefined) return { args: [], note: null };
  if (q === 'bf16') return { args: ['--dtype', 'bfloat16'], note: null };
  if (q === 'fp16') return { args: ['--dtype', 'float16'], note: null };
  if (q === 'fp8' || schemes.includes(q)) return { args: ['--quantization', q], note: null };
  return {
    args: [],
    note: `--quant ${quant}: ${engineLabel} takes the quantization from the model checkpoint`,
  };
}
