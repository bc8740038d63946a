import type { RequestQuirks } from '../../types.js';
import { jsonOf, probe } from '../http.js';
import { EngineAdapter, type LaunchCommand, type LaunchInput, type Readiness, mergeFlags } from './base.js';

/**
 * MLX: `mlx_lm.server --model MODEL --host H --port P`. /health answers 200 before the weights are
 * loaded, so readiness is a one-token completion; it has no version route (system_fingerprint of that
 * response stands in), no metrics, and ignores ignore_eos.
 */
export class MlxAdapter extends EngineAdapter {
  readonly name = 'mlx';
  readonly needs = ['mlx_lm.server'];
  readonly quirks: RequestQuirks = { canForceOutputLength: false, strictFields: false, includeUsage: true };
  override readonly metricsPath = null;
  override readonly versionPaths: string[] = [];
  private fingerprint: string | null = null;

  constructor(private readonly model: string) {
    super();
  }

  command(input: LaunchInput): LaunchCommand {
    let argv = ['mlx_lm.server', '--model', input.model, '--host', input.host, '--port', String(input.port)];
    if (input.tuned) argv = mergeFlags(argv, input.tuned.args);
    const notes = input.quant
      ? [`--quant ${input.quant}: MLX takes the quantization from the model files`]
      : [];
    return { argv, files: [], notes, portFromStdout: false };
  }

  override async readiness(origin: string): Promise<Readiness> {
    const res = await probe(`${origin}/v1/completions`, {
      method: 'POST',
      body: { model: this.model, prompt: 'Hi', max_tokens: 1, stream: false },
      timeoutMs: 30_000,
    });
    const body = jsonOf(res);
    if (!body) return 'loading';
    if (typeof body.system_fingerprint === 'string') this.fingerprint = body.system_fingerprint;
    return 'ready';
  }

  override async version(_origin: string): Promise<string | null> {
    return this.fingerprint;
  }
}
