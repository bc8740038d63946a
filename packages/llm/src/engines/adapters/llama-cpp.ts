import { existsSync, statSync } from 'node:fs';
import { BenchError } from 'inferencebench';
import type { RequestQuirks } from '../../types.js';
import { formatParameters, isGguf, readGgufInfo } from '../gguf.js';
import { jsonOf, probe } from '../http.js';
import { EngineAdapter, type LaunchCommand, type LaunchInput, type Readiness, mergeFlags } from './base.js';

/** Context tokens per slot when the dataset's longest request is not known. */
const DEFAULT_SLOT_CONTEXT = 4096;

/**
 * llama.cpp: `llama-server -m MODEL.gguf --host H --port P --metrics --parallel N --ctx-size N*S`, with
 * one slot per concurrent request (the largest level) and S = the longest prompt + output, so no request
 * waits for a slot or is cut by the context; threads and the rest come from the tuned config (data).
 * /health answers 503 {"error":{"message":"Loading model"}} until loaded, then 200; version is /props
 * build_info. Requests ask for `timings` on every chunk (per-chunk token counts, cache_n, the server's own
 * prompt_ms and predicted_per_token_ms).
 */
export class LlamaCppAdapter extends EngineAdapter {
  readonly name = 'llama.cpp';
  readonly needs = ['llama-server'];
  readonly quirks: RequestQuirks = {
    canForceOutputLength: true,
    strictFields: false,
    includeUsage: true,
    timingsPerToken: true,
  };
  override readonly versionPaths = ['/props'];
  override readonly fallbackTuned = { hardware: 'cpu', quant: 'gguf' };

  command(input: LaunchInput): LaunchCommand {
    const slots = Math.max(1, input.slots);
    const perSlot = input.sequenceTokens ?? DEFAULT_SLOT_CONTEXT;
    let argv = [
      'llama-server',
      '-m',
      input.model,
      '--host',
      input.host,
      '--port',
      String(input.port),
      '--metrics',
      '--parallel',
      String(slots),
      '--ctx-size',
      String(slots * perSlot),
    ];
    if (input.tuned) argv = mergeFlags(argv, input.tuned.args);
    const notes: string[] = [
      `llama.cpp: ${slots} slot(s) x ${perSlot} context tokens${input.sequenceTokens === null ? ' (default; longest request not known)' : ' (longest prompt + output, with margin)'}`,
    ];
    if (input.quant)
      notes.push(`--quant ${input.quant}: llama.cpp takes the quantization from the GGUF file`);
    if (input.tp > 1) notes.push(`--tp ${input.tp}: llama.cpp splits layers across visible GPUs itself`);
    return { argv, files: [], notes, portFromStdout: false };
  }

  override checkModel(model: string): void {
    const hint =
      'for llama.cpp, --model is the path of a GGUF file (download one first, e.g. from a Hugging Face GGUF repo)';
    // A name that is no file is passed on as given (a path llama-server resolves itself, or an id the
    // user's own llama-server build maps); a file must be a GGUF, and a `.gguf` name must exist.
    const exists = existsSync(model);
    if (!exists && /\.gguf$/i.test(model))
      throw new BenchError('BENCH_ERR_BAD_OPTION', `--model ${model}: no such GGUF file`, { hint });
    if (exists && (!statSync(model).isFile() || !isGguf(model)))
      throw new BenchError('BENCH_ERR_BAD_OPTION', `--model ${model}: not a GGUF file`, { hint });
  }

  override modelInfo(model: string): Record<string, unknown> | null {
    if (!existsSync(model)) return null;
    try {
      const g = readGgufInfo(model);
      return {
        format: 'gguf',
        architecture: g.architecture,
        name: g.name,
        quant: g.quant,
        parameters: g.parameters,
        parameters_label: formatParameters(g.parameters),
        context_length: g.contextLength,
      };
    } catch (err) {
      return { format: 'gguf', error: (err as Error).message };
    }
  }

  /** /props (model_path, model_ftype, total_slots); the GGUF itself when the path is readable here. */
  override async attachedModelInfo(origin: string): Promise<Record<string, unknown> | null> {
    const props = jsonOf(await probe(`${origin}/props`));
    if (!props) return null;
    const path = typeof props.model_path === 'string' ? props.model_path : null;
    const fromFile = path && existsSync(path) && isGguf(path) ? this.modelInfo(path) : null;
    return {
      ...(fromFile ?? {
        format: 'gguf',
        quant: typeof props.model_ftype === 'string' ? props.model_ftype : null,
      }),
      path,
      slots: typeof props.total_slots === 'number' ? props.total_slots : null,
    };
  }

  override async readiness(origin: string): Promise<Readiness> {
    // 503 "Loading model" is the expected answer while loading; anything but 200 means not yet.
    const res = await probe(`${origin}/health`, { timeoutMs: 3000 });
    return res.status === 200 ? 'ready' : 'loading';
  }

  protected override versionFrom(body: Record<string, unknown>): string | null {
    return typeof body.build_info === 'string' ? body.build_info : null;
  }
}
