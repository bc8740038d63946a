import type { RequestQuirks } from '../../types.js';
import { probe } from '../http.js';
import { EngineAdapter, type LaunchCommand, type LaunchInput, type Readiness, mergeFlags } from './base.js';

/**
 * llama.cpp: `llama-server -m MODEL --host H --port P --metrics`. /health answers 503
 * {"error":{"message":"Loading model"}} until the model is loaded, then 200; version is /props build_info.
 */
export class LlamaCppAdapter extends EngineAdapter {
  readonly name = 'llama.cpp';
  readonly needs = ['llama-server'];
  readonly quirks: RequestQuirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };
  override readonly versionPaths = ['/props'];

  command(input: LaunchInput): LaunchCommand {
    let argv = [
      'llama-server',
      '-m',
      input.model,
      '--host',
      input.host,
      '--port',
      String(input.port),
      '--metrics',
    ];
    if (input.tuned) argv = mergeFlags(argv, input.tuned.args);
    const notes: string[] = [];
    if (input.quant)
      notes.push(`--quant ${input.quant}: llama.cpp takes the quantization from the GGUF file`);
    if (input.tp > 1) notes.push(`--tp ${input.tp}: llama.cpp splits layers across visible GPUs itself`);
    return { argv, files: [], notes, portFromStdout: false };
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
