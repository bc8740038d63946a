import { Command, CommanderError, Option } from 'commander';
import { BenchError, EXIT_CODES, isBenchError } from '../errors.js';
import type { CommandIo } from '../plugin/types.js';
import { redactText } from '../secrets.js';
import { toolVersion } from '../version.js';
import { PACKAGE_COMMANDS, matchPackageCommand } from './commands/package-command.js';

/** Process-backed output. */
export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * The commander program: help, version and the small commands. `run` and package commands are parsed
 * by our own option parser (their options come from OptionDecl data loaded lazily); they are declared
 * here only so that `bench --help` lists them. Every command module is imported inside its action.
 */
function buildProgram(
  io: CommandIo,
  setExit: (code: number) => void,
  provided: Set<string> | null = null,
): Command {
  const program = new Command('bench')
    .description('inferencebench: benchmark harness with plugins (LLM serving: bench run llm.inference)')
    .version(toolVersion(), '-V, --version')
    .option('--debug', 'stack traces on errors')
    .showSuggestionAfterError(true)
    .exitOverride()
    // Commander's error messages are re-printed by our handler in one line; help shown on error goes to stderr.
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: () => {} });
  const format = (choices: string[], dflt: string) =>
    new Option('--format <fmt>', choices.join(' or ')).choices(choices).default(dflt);
  const store = new Option(
    '--store <path|url>',
    'run store: SQLite file or postgres://user@host:port/db (default $INFERENCEBENCH_STORE, else $INFERENCEBENCH_HOME/store.sqlite)',
  );

  program
    .command('run <plugin>')
    .description('run a benchmark plugin (bench run <plugin> --help for its options)');

  const runs = program.command('runs').description('list, show and export stored runs');
  runs
    .command('list')
    .description('list runs, newest first')
    .addOption(format(['table', 'json'], 'table'))
    .addOption(store)
    .option('--limit <n>', 'at most this many runs', '50')
    .action(async (opts: { format: string; store?: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!(Number.isInteger(limit) && limit > 0))
        throw new BenchError('BENCH_ERR_BAD_OPTION', `invalid value '${opts.limit}' for --limit`, {
          hint: 'a positive integer',
        });
      const { runsList } = await import('./commands/runs.js');
      setExit(await runsList({ ...opts, limit }, io));
    });
  runs
    .command('show <id>')
    .description('show one run (a unique prefix of the id is enough)')
    .addOption(format(['table', 'json'], 'table'))
    .addOption(store)
    .action(async (id: string, opts: { format: string; store?: string }) => {
      const { runsShow } = await import('./commands/runs.js');
      setExit(await runsShow(id, opts, io));
    });
  runs
    .command('export <id>')
    .description('export a run: json (document with every record) or csv (one row per request)')
    .addOption(new Option('--format <fmt>', 'json or csv').choices(['json', 'csv']).makeOptionMandatory())
    .addOption(store)
    .option('--output <file>', 'write to a file instead of stdout')
    .action(async (id: string, opts: { format: string; store?: string; output?: string }) => {
      const { runsExport } = await import('./commands/runs.js');
      setExit(await runsExport(id, opts, io));
    });
  const storeCmd = program.command('store').description('manage run stores (SQLite files, PostgreSQL URLs)');
  storeCmd
    .command('copy [runs...]')
    .description('copy runs (all without RUN) between stores of either kind, under their own ids')
    .requiredOption('--from <store>', 'source store: SQLite file or postgres://user@host:port/db URL')
    .requiredOption('--to <store>', 'target store: SQLite file or postgres:// URL (created if needed)')
    .addOption(format(['table', 'json'], 'table'))
    .action(async (ids: string[], opts: { from: string; to: string; format: string }) => {
      const { storeCopy } = await import('./commands/store.js');
      setExit(await storeCopy(ids, opts, io));
    });
  program
    .command('plugins')
    .description('list the plugins found (built-in and installed inferencebench-* packages)')
    .addOption(format(['table', 'json'], 'table'))
    .option('--plugin-module <paths>', 'also load plugins from these JS files (comma-separated)')
    .action(async (opts: { format: string; pluginModule?: string }) => {
      const { pluginsCommand } = await import('./commands/plugins.js');
      setExit(await pluginsCommand(opts, io));
    });

  // Package commands, grouped by their first word (`sim serve` -> `sim` with a `serve` sub-command).
  const parents = new Map<string, Command>();
  for (const [name, info] of Object.entries(PACKAGE_COMMANDS)) {
    // Help lists only the package commands the installed packages provide.
    if (provided && !provided.has(name)) continue;
    const [first, second] = name.split(' ') as [string, string | undefined];
    if (!second) {
      const c = program.command(first).usage(info.usage).description(`${info.description} (${info.pkg})`);
      parents.set(first, c);
      continue;
    }
    let parent = parents.get(first);
    if (!parent) {
      parent = program.command(first).description(`${info.pkg} commands`);
      parents.set(first, parent);
    }
    parent.command(second).usage(info.usage).description(`${info.description} (${info.pkg})`);
  }
  return program;
}

/** Turn commander's own messages (`error: unknown command 'x'\n(Did you mean y?)`) into our one-line form. */
function fromCommander(err: CommanderError): BenchError {
  const [first = 'bad usage', ...more] = err.message.replace(/^error:\s*/, '').split('\n');
  const hint = more
    .join(' ')
    .replace(/^\((.*)\)$/, '$1')
    .trim();
  return new BenchError('BENCH_ERR_USAGE', first.trim(), { hint: hint || 'bench --help lists the commands' });
}

/** Print an error as `error: ...` and `hint: ...` (stack only with --debug); returns its exit code. */
export function reportError(err: unknown, debug: boolean, io: CommandIo = processIo): number {
  // An error may quote a URL with credentials or a server's answer echoing a key (SPEC §14), or bytes
  // from a hostile file or server: control characters (a terminal escape) are shown as \xNN.
  const out = (text: string): void =>
    io.stderr(
      redactText(text).replace(
        // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
        /[\x00-\x08\x0b-\x1f\x7f]/g,
        (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
      ),
    );
  if (isBenchError(err)) {
    out(`error: ${err.message}\n`);
    if (err.hint) out(`hint: ${err.hint}\n`);
    if (debug && err.stack)
      out(`${err.stack}\n${err.cause instanceof Error ? `cause: ${err.cause.stack}\n` : ''}`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  out(`error: internal error: ${message}\n`);
  out('hint: this is a bug in inferencebench; rerun with --debug for the stack trace and report it\n');
  if (debug && err instanceof Error && err.stack) out(`${err.stack}\n`);
  return EXIT_CODES.internal;
}

/** Run the CLI with these arguments (without `node bench`); returns the exit code. Never throws. */
export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const withoutDebug = argv[0] === '--debug' ? argv.slice(1) : argv;
    if (withoutDebug[0] === 'run') {
      const { runCommand } = await import('./commands/run.js');
      return await runCommand(withoutDebug.slice(1), io);
    }
    const pkgCommand = matchPackageCommand(withoutDebug);
    if (pkgCommand) {
      const { runPackageCommand } = await import('./commands/package-command.js');
      return await runPackageCommand(pkgCommand.name, pkgCommand.rest, io);
    }
    let code = 0;
    const wantsHelp = withoutDebug.length === 0 || ['--help', '-h', 'help'].includes(withoutDebug[0]!);
    const provided = wantsHelp
      ? await (await import('./commands/package-command.js')).providedPackageCommands()
      : null;
    const program = buildProgram(
      io,
      (c) => {
        code = c;
      },
      provided,
    );
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests end through exitOverride too.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
        return 0;
      // `bench sim` alone: commander printed the sub-commands' help to stderr.
      if (err.code === 'commander.help') return EXIT_CODES.badInput;
      return reportError(fromCommander(err), debug, io);
    }
    return reportError(err, debug, io);
  }
}
