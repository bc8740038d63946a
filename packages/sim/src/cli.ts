#!/usr/bin/env node
/**
 * The simulator's own entry point, exec'd like a real engine: `node dist/cli.js serve --port 0 ...`.
 * Flags are the `sim serve` options (kebab-case); errors print one line and a hint, never a stack.
 */
import { parseArgs } from 'node:util';
import { BenchError, isBenchError } from 'inferencebench';
import { runServe, serveOptions } from './serve-command.js';

const USAGE = `usage: inferencebench-sim serve [options]\n${serveOptions.map((o) => `  ${o.flag.padEnd(28)} ${o.description}`).join('\n')}\n`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === undefined) {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'serve') {
    throw new BenchError('BENCH_ERR_USAGE', `unknown command '${command}'`, { hint: USAGE.split('\n')[0] });
  }
  // Flag names come from the option declarations, so help and parsing cannot drift.
  const flagToKey = new Map(serveOptions.map((o) => [o.flag.split(' ')[0]!.slice(2), o.key]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries([...flagToKey.keys()].map((f) => [f, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new BenchError('BENCH_ERR_USAGE', (err as Error).message, {
      hint: 'run with --help for the options',
    });
  }
  const raw: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(parsed.values)) raw[flagToKey.get(flag)!] = value;
  return runServe(raw, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isBenchError(err)) {
      process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(5);
  },
);
