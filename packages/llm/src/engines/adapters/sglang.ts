import type { RequestQuirks } from '../../types.js';
import {
  EngineAdapter,
  type LaunchCommand,
  type LaunchInput,
  mergeFlags,
  quantizationDtypeArgs,
} from './base.js';

/** `--quant` -> SGLang flags (docs.sglang.io server arguments: --quantization, --dtype). */
export function sglangQuantArgs(quant: string | undefined): { args: string[]; note: string | null } {
  return quantizationDtypeArgs(quant, 'SGLang', ['awq', 'gptq']);
}

/**
 * SGLang: `python3 -m sglang.launch_server --model-path M --host H --port P --enable-metrics`.
 * Its /health runs a one-token generation, so 200 means it can serve. It packs several tokens per chunk
 * when --stream-interval > 1 (TPOT from usage stays right).
 */
export class SglangAdapter extends EngineAdapter {
  readonly name = 'sglang';
  readonly needs = ['python3', 'sglang (python module)'];
  readonly quirks: RequestQuirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };
  override readonly versionPaths = ['/get_server_info', '/server_info'];

  command(input: LaunchInput): LaunchCommand {
    let argv = [
      'python3',
      '-m',
      'sglang.launch_server',
      '--model-path',
      input.model,
      '--host',
      input.host,
      '--port',
      String(input.port),
      '--enable-metrics',
    ];
    // --tp-size is the documented long form of --tp.
    if (input.tp > 1) argv.push('--tp-size', String(input.tp));
    if (input.maxModelLen) argv.push('--context-length', String(input.maxModelLen));
    if (input.expertParallel && input.tp > 1) argv.push('--ep-size', String(input.tp));
    if (input.tuned) argv = mergeFlags(argv, input.tuned.args);
    const quant = sglangQuantArgs(input.quant);
    argv = mergeFlags(argv, quant.args);
    return { argv, files: [], notes: quant.note ? [quant.note] : [], portFromStdout: false };
  }
}
