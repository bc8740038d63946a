import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchError } from '../../errors.js';
import type { CommandDecl, CommandIo } from '../../plugin/types.js';
import { parseArgv } from '../argv.js';
import { optionsHelp } from '../help.js';
import { resolveOptions } from '../resolve.js';

/**
 * Commands that packages contribute, known statically so that `bench --help` lists them without loading
 * anything. The package is imported only when its command runs.
 */
export const PACKAGE_COMMANDS: Record<string, { pkg: string; description: string; usage: string }> = {
  'sim serve': {
    pkg: 'inferencebench-sim',
    description: 'run the serving simulator on its own (OpenAI-compatible API)',
    usage: '[--port N] [--profile NAME] [--seed N]',
  },
  datasets: { pkg: 'inferencebench-llm', description: 'list the datasets', usage: '' },
  'datasets show': {
    pkg: 'inferencebench-llm',
    description: 'print a dataset subset in order (e.g. sharegpt-v3), for checking',
    usage: '<id> [--tokenizer ID] [--format jsonl]',
  },
  engines: { pkg: 'inferencebench-llm', description: 'list the engine adapters', usage: '' },
  'slo-templates': { pkg: 'inferencebench-llm', description: 'list the SLO templates', usage: '' },
  compare: {
    pkg: 'inferencebench-llm',
    description: 'compare runs or launch sets: means over launches, ratio with a bootstrap CI, verdict',
    usage: 'RUN|GROUP[:side] ... [--baseline RUN|GROUP --fail-if BOUNDS] [--format json]',
  },
  report: {
    pkg: 'inferencebench-llm',
    description: 'write a self-contained HTML report of runs',
    usage: '<run-id...> --out FILE',
  },
};

/** The longest package command that argv starts with, and the remaining arguments. */
export function matchPackageCommand(argv: string[]): { name: string; rest: string[] } | null {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    if (argv.length >= words && PACKAGE_COMMANDS[name]) return { name, rest: argv.slice(words) };
  }
  return null;
}

/** The package's module (resolved from the working directory first, then from here), or null. */
async function importPackage(pkg: string): Promise<{ commands?: CommandDecl[] } | null> {
  try {
    const path = createRequire(join(process.cwd(), 'noop.js')).resolve(pkg);
    return (await import(pathToFileURL(path).href)) as { commands?: CommandDecl[] };
  } catch {
    try {
      return (await import(pkg)) as { commands?: CommandDecl[] };
    } catch {
      return null;
    }
  }
}

/**
 * The package commands that the installed packages really provide, for `bench --help` (which lists only
 * commands that work). Imports the packages, so only help pays for it.
 */
export async function providedPackageCommands(): Promise<Set<string>> {
  const pkgs = [...new Set(Object.values(PACKAGE_COMMANDS).map((c) => c.pkg))];
  const mods = await Promise.all(pkgs.map(importPackage));
  const provided = new Set<string>();
  for (const m of mods) for (const c of m?.commands ?? []) provided.add(c.name);
  return provided;
}

async function findDecl(name: string): Promise<CommandDecl> {
  const { pkg } = PACKAGE_COMMANDS[name]!;
  const unavailable = (why: string): BenchError =>
    new BenchError('BENCH_ERR_USAGE', `command '${name}' is not available in this version (${why})`, {
      hint: `install or update ${pkg} (npm install ${pkg}@latest)`,
    });
  const mod = await importPackage(pkg);
  if (!mod) throw unavailable(`${pkg} is not installed`);
  const decl = (mod.commands ?? []).find((c) => c.name === name);
  if (!decl) throw unavailable(`${pkg} does not provide it yet`);
  return decl;
}

/** Run a package-contributed command: options parsed and validated from its OptionDecl list. */
export async function runPackageCommand(name: string, argv: string[], io: CommandIo): Promise<number> {
  const decl = await findDecl(name);
  const parsed = parseArgv(argv, decl.options);
  if (parsed.help) {
    io.stdout(
      `Usage: bench ${name} ${(decl.args ?? []).join(' ')} [options]\n\n${decl.description}\n\n${optionsHelp(decl.options)}`,
    );
    return 0;
  }
  const required = (decl.args ?? []).filter((a) => a.startsWith('<')).length;
  const variadic = (decl.args ?? []).some((a) => a.includes('...'));
  if (parsed.positionals.length < required)
    throw new BenchError(
      'BENCH_ERR_USAGE',
      `bench ${name}: missing argument ${decl.args![parsed.positionals.length]}`,
      {
        hint: `usage: bench ${name} ${(decl.args ?? []).join(' ')}`,
      },
    );
  if (!variadic && parsed.positionals.length > (decl.args ?? []).length)
    throw new BenchError(
      'BENCH_ERR_USAGE',
      `bench ${name}: unexpected argument '${parsed.positionals.at(-1)}'`,
      {
        hint: `usage: bench ${name} ${(decl.args ?? []).join(' ')}`,
      },
    );
  const options = resolveOptions(decl.options, parsed.values, parsed.typed, new Map(), undefined);
  return (await decl.run(parsed.positionals, options, io)) ?? 0;
}
