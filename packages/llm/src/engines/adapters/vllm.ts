import type { RequestQuirks } from '../../types.js';
import { EngineAdapter, type LaunchCommand, type LaunchInput, mergeFlags } from './base.js';

/** `--quant` -> vLLM flags (`vllm serve --help`: --quantization, --dtype). */
export function vllmQuantArgs(quant: string | undefined): { args: string[]; note: string | null } {
  switch (quant?.toLowerCase()) {
    case undefined:
      return { args: [], note: null };
    case 'fp8':
      return { args: ['--quantization', 'fp8'], note: null };
    case 'bf16':
      return { args: ['--dtype', 'bfloat16'], note: null };
    case 'fp16':
      return { args: ['--dtype', 'float16'], note: null };
    case 'awq':
    case 'gptq':
    case 'bitsandbytes':
      return { args: ['--quantization', quant.toLowerCase()], note: null };
    default:
      // int4/int8 checkpoints (AWQ, GPTQ, compressed-tensors) carry their scheme; vLLM reads it.
      return { args: [], note: `--quant ${quant}: vLLM takes the quantization from the model checkpoint` };
  }
}

/** vLLM: `vllm serve MODEL --host H --port P`; /health, /version, vllm:* metrics. */
export class VllmAdapter extends EngineAdapter {
  readonly name = 'vllm';
  readonly needs = ['vllm'];
  readonly quirks: RequestQuirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };

  command(input: LaunchInput): LaunchCommand {
    let argv = ['vllm', 'serve', input.model, '--host', input.host, '--port', String(input.port)];
    if (input.tp > 1) argv.push('--tensor-parallel-size', String(input.tp));
    if (input.tuned) argv = mergeFlags(argv, input.tuned.args);
    const quant = vllmQuantArgs(input.quant);
    argv = mergeFlags(argv, quant.args);
    return { argv, files: [], notes: quant.note ? [quant.note] : [], portFromStdout: false };
  }
}
