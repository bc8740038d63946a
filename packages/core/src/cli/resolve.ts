import { readFileSync } from 'node:fs';
import { BenchError } from '../errors.js';
import type { OptionDecl } from '../plugin/types.js';
import { closest, flagSpec } from './argv.js';

/**
 * Read a YAML config file into a plain mapping. Any problem (missing file, bad YAML, not a mapping) is
 * BENCH_ERR_CONFIG with the file name and the parser's line/column.
 */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_CONFIG',
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      {
        hint: 'check the path given to --config',
      },
    );
  }
  const { parse } = await import('yaml');
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    // The yaml parser's message is multi-line (it quotes the source); keep the first line only.
    const first = String((err as Error).message).split('\n')[0];
    throw new BenchError('BENCH_ERR_CONFIG', `config file ${path} is not valid YAML: ${first}`, {
      hint: 'fix the YAML syntax (keys are option names, e.g. `concurrency: [1, 8]`)',
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new BenchError(
      'BENCH_ERR_CONFIG',
      `config file ${path} must be a mapping of option names to values`,
      {
        hint: 'for example:\n  model: llama-3.1-8b\n  concurrency: [1, 8]',
      },
    );
  return value as Record<string, unknown>;
}

/** Map config keys (camelCase option keys or kebab flag names) to option keys; unknown keys are an error. */
export function configByKey(
  config: Record<string, unknown>,
  decls: OptionDecl[],
  configPath: string,
): Map<string, unknown> {
  const names = new Map<string, string>();
  for (const d of decls) {
    names.set(d.key, d.key);
    names.set(flagSpec(d).long, d.key);
  }
  const out = new Map<string, unknown>();
  for (const [name, value] of Object.entries(config)) {
    const key = names.get(name);
    if (!key) {
      const guess = closest(name, names.keys());
      throw new BenchError('BENCH_ERR_CONFIG', `unknown key '${name}' in config file ${configPath}`, {
        hint: guess ? `did you mean '${guess}'?` : 'keys are the option names shown by --help',
      });
    }
    out.set(key, value);
  }
  return out;
}

/** Where a value came from, for error messages. */
type Source = { kind: 'flag'; typed: string } | { kind: 'config'; path: string } | { kind: 'default' };

function describe(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Resolve every option: flag > config > default, each value checked and converted by the option's zod
 * schema. A bad value is one BENCH_ERR_BAD_OPTION line naming the flag (and the config file when it came
 * from there); a required option (schema rejects undefined, no default) missing is the same.
 */
export function resolveOptions(
  decls: OptionDecl[],
  flags: Map<string, unknown>,
  typed: Map<string, string>,
  config: Map<string, unknown>,
  configPath: string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of decls) {
    const spec = flagSpec(d);
    let raw: unknown;
    let source: Source;
    if (flags.has(d.key)) {
      raw = flags.get(d.key);
      source = { kind: 'flag', typed: typed.get(d.key) ?? `--${spec.long}` };
    } else if (config.has(d.key)) {
      raw = config.get(d.key);
      source = { kind: 'config', path: configPath ?? 'config' };
    } else {
      raw = d.default;
      source = { kind: 'default' };
    }
    const result = d.schema.safeParse(raw);
    if (result.success) {
      if (result.data !== undefined) out[d.key] = result.data;
      continue;
    }
    const problem = result.error.issues[0]?.message ?? 'invalid value';
    if (source.kind === 'default') {
      if (d.default !== undefined) {
        // A default that its own schema rejects is a bug in the declaration, not the user's input.
        throw new BenchError('BENCH_ERR_INTERNAL', `default of --${spec.long} fails its schema: ${problem}`);
      }
      throw new BenchError('BENCH_ERR_BAD_OPTION', `missing required option --${spec.long}`, {
        hint: `--${spec.long} ${spec.placeholder}: ${d.description}`.replace(/\s+:/, ':'),
      });
    }
    const where = source.kind === 'flag' ? source.typed : `'${d.key}' in ${source.path}`;
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `invalid value '${describe(raw)}' for ${where}: ${problem}`,
      {
        hint: `--${spec.long} ${spec.placeholder}: ${d.description}`.replace(/\s+:/, ':'),
      },
    );
  }
  return out;
}
