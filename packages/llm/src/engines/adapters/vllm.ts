import type { RequestQuirks } from '../../types.js';
import {
  EngineAdapter,
  type LaunchCommand,
  type LaunchInput,
  mergeFlags,
  quantizationDtypeArgs,
} from './base.js';

/** `--quant` -> vLLM flags (`vllm serve --help`: --quantization, --dtype); int4/int8 checkpoints carry their scheme. */
export function vllmQuantArgs(quant: string | undefined): { args: string[]; note: string | null } {
  return quantizationDtypeArgs(quant, 'vLLM', ['awq', 'gptq', 'bitsandbytes']);
}

/** vLLM: `vllm serve MODEL --host H --port P`; /health, /version, vllm:* metrics. */
export class VllmAdapter extends EngineAdapter {
  readonly name = 'vllm';
  readonly needs = ['vllm'];
  readonly quirks: RequestQuirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };

  command(input: LaunchInput): LaunchCommand {
    let argv = ['vllm', 'serve', input.model, '--host', input.host, '--port', String(input.port)];
    if (input.tp > 1) argv.push('--tensor-parallel-size', String(input.tp));
    if (input.maxModelLen) argv.push('--max-model-len', String(input.maxModelLen));
    if (input.expertParallel) argv.push('--enable-expert-parallel');
    if (input.tuned) argv = mergeFlags(argv, input.tuned.args);
    const quant = vllmQuantArgs(input.quant);
    argv = mergeFlags(argv, quant.args);
    return { argv, files: [], notes: quant.note ? [quant.note] : [], portFromStdout: false };
  }
}
