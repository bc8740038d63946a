import { createRequire } from 'node:module';
import type { RequestQuirks } from '../../types.js';
import { EngineAdapter, type LaunchCommand, type LaunchInput, mergeFlags } from './base.js';

/** Path of the simulator's CLI (package export `inferencebench-sim/cli`). */
export function simCliPath(): string {
  return createRequire(import.meta.url).resolve('inferencebench-sim/cli');
}

/**
 * The simulator (`--engine sim`): `node <sim cli> serve --port 0 --profile MODEL --seed N`; it binds a
 * free port and prints `inferencebench-sim listening on http://HOST:PORT`. Speaks vLLM's routes.
 */
export class SimAdapter extends EngineAdapter {
  readonly name = 'sim';
  readonly needs = ['node', 'inferencebench-sim (package)'];
  readonly quirks: RequestQuirks = { canForceOutputLength: true, strictFields: false, includeUsage: true };

  command(input: LaunchInput): LaunchCommand {
    let argv = [
      process.execPath,
      // V8's parallel GC threads took the simulator's core at step ends (bench/notes/sim.md).
      '--single-threaded-gc',
      simCliPath(),
      'serve',
      '--host',
      input.host,
      '--port',
      String(input.port),
      '--profile',
      input.model,
      '--seed',
      String(input.seed),
    ];
    if (input.tuned) argv = mergeFlags(argv, input.tuned.args);
    const notes = input.quant ? [`--quant ${input.quant}: the simulator's profile fixes the cost model`] : [];
    return { argv, files: [], notes, portFromStdout: input.port === 0 };
  }
}
