import { join } from 'node:path';
import type { RequestQuirks } from '../../types.js';
import { EngineAdapter, type LaunchCommand, type LaunchInput, mergeFlags } from './base.js';

/**
 * TensorRT-LLM: `trtllm-serve MODEL --host H --port P [--tp_size N]`; metrics at /prometheus/metrics.
 * Its OpenAI server rejects unknown request fields, and may pack tokens per chunk.
 */
export class TrtllmAdapter extends EngineAdapter {
  readonly name = 'trtllm';
  readonly needs = ['trtllm-serve'];
  // Strict fields mean ignore_eos/min_tokens cannot be sent, so the requested length is not enforced.
  readonly quirks: RequestQuirks = { canForceOutputLength: false, strictFields: true, includeUsage: true };
  override readonly metricsPath = '/prometheus/metrics';

  command(input: LaunchInput): LaunchCommand {
    let argv = ['trtllm-serve', input.model, '--host', input.host, '--port', String(input.port)];
    if (input.tp > 1) argv.push('--tp_size', String(input.tp));
    if (input.maxModelLen) argv.push('--max_seq_len', String(input.maxModelLen));
    if (input.expertParallel && input.tp > 1) argv.push('--ep_size', String(input.tp));
    const files: { path: string; content: string }[] = [];
    const notes: string[] = [];
    if (input.tuned) {
      argv = mergeFlags(argv, input.tuned.args);
      if (input.tuned.config) {
        // YAML is a superset of JSON, so the config is written as JSON into the .yaml file it expects.
        const path = join(input.runDir, `engine-trtllm-${input.launch}-options.yaml`);
        files.push({ path, content: `${JSON.stringify(input.tuned.config, null, 2)}\n` });
        argv = mergeFlags(argv, ['--extra_llm_api_options', path]);
      }
    }
    if (input.quant) {
      notes.push(
        `--quant ${input.quant}: TensorRT-LLM takes weight quantization from the checkpoint (e.g. an FP8 checkpoint); the KV-cache dtype comes from the tuned config`,
      );
    }
    return { argv, files, notes, portFromStdout: false };
  }
}
