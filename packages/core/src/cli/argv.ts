import { BenchError } from '../errors.js';
import type { OptionDecl } from '../plugin/types.js';

/** How a declared flag takes its value, read from its commander-style spec (`--x <v>`, `--x <v...>`, `--x`). */
export interface FlagSpec {
  decl: OptionDecl;
  /** Long name without dashes, e.g. `input-len`. */
  long: string;
  kind: 'boolean' | 'value' | 'variadic';
  /** The value placeholder shown in help, e.g. `<n>`. */
  placeholder: string;
}

/** Parse an OptionDecl's flag spec. */
export function flagSpec(decl: OptionDecl): FlagSpec {
  const m = /^\s*(?:-\w,\s*)?--([a-z0-9][a-z0-9-]*)\s*(<[^>]*>|\[[^\]]*\])?\s*$/i.exec(decl.flag);
  if (!m)
    throw new BenchError('BENCH_ERR_INTERNAL', `malformed flag spec '${decl.flag}' for option ${decl.key}`);
  const placeholder = m[2] ?? '';
  // `<arg...>` is variadic; `<k=v,...>` is one value that merely documents a list.
  const kind = placeholder === '' ? 'boolean' : /\w\.\.\.[>\]]$/.test(placeholder) ? 'variadic' : 'value';
  return { decl, long: m[1]!, kind, placeholder };
}

/** Edit distance, for "did you mean". */
export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = levenshtein(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export interface ParsedArgv {
  /** Raw values by option key (strings, string[] for variadic, booleans). */
  values: Map<string, unknown>;
  /** The flag as the user typed it, by key (for error messages). */
  typed: Map<string, string>;
  positionals: string[];
  help: boolean;
  /** Unknown flags, only collected with `allowUnknown`. */
  unknown: string[];
}

const looksLikeNumber = (s: string): boolean => /^-\d/.test(s);

/**
 * Parse argv against declared options: `--flag value`, `--flag=value`, booleans (`--flag`, `--no-flag`),
 * variadic `<v...>` flags (the next token, dashes and all, then values until the next flag; repeating the
 * flag appends), `--` ends options.
 * Unknown flags are an error naming the closest known flag, unless `allowUnknown` (first pass of `run`,
 * before the plugin's options are known).
 */
export function parseArgv(
  argv: string[],
  decls: OptionDecl[],
  options: { allowUnknown?: boolean } = {},
): ParsedArgv {
  const specs = new Map<string, FlagSpec>();
  for (const d of decls) {
    const s = flagSpec(d);
    specs.set(s.long, s);
  }
  const out: ParsedArgv = { values: new Map(), typed: new Map(), positionals: [], help: false, unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '--help' || token === '-h') {
      out.help = true;
      continue;
    }
    if (!token.startsWith('-') || token === '-' || looksLikeNumber(token)) {
      out.positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = (eq >= 0 ? token.slice(0, eq) : token).replace(/^--?/, '');
    const inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    let spec = specs.get(name);
    let negated = false;
    if (!spec && name.startsWith('no-')) {
      const s = specs.get(name.slice(3));
      if (s?.kind === 'boolean') {
        spec = s;
        negated = true;
      }
    }
    if (!spec) {
      if (options.allowUnknown) {
        out.unknown.push(token);
        // Keep a following value with the unknown flag so it is not mistaken for a positional.
        if (inline === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('--'))
          out.unknown.push(argv[++i]!);
        continue;
      }
      const guess = closest(name, specs.keys());
      throw new BenchError('BENCH_ERR_USAGE', `unknown option --${name}`, {
        hint: guess ? `did you mean --${guess}?` : 'see the options with --help',
      });
    }
    const key = spec.decl.key;
    out.typed.set(key, `--${spec.long}`);
    if (spec.kind === 'boolean') {
      if (inline !== undefined && !/^(true|false|1|0)$/i.test(inline))
        throw new BenchError('BENCH_ERR_BAD_OPTION', `--${spec.long} takes no value (got '${inline}')`, {
          hint: `write --${spec.long} or --no-${spec.long}`,
        });
      const on = inline === undefined ? true : /^(true|1)$/i.test(inline);
      out.values.set(key, negated ? !on : on);
      continue;
    }
    const collected: string[] = [];
    if (inline !== undefined) collected.push(inline);
    else {
      // A variadic flag's first value is taken whatever it looks like: engine arguments are mostly flags
      // themselves (`--engine-arg -t --engine-arg 8`, `--engine-arg --ctx-size --engine-arg 4096`).
      if (spec.kind === 'variadic' && i + 1 < argv.length && argv[i + 1] !== '--') collected.push(argv[++i]!);
      while (i + 1 < argv.length) {
        const next = argv[i + 1]!;
        if (next.startsWith('-') && next !== '-' && !looksLikeNumber(next)) break;
        collected.push(next);
        i++;
        if (spec.kind === 'value') break;
      }
    }
    if (collected.length === 0)
      throw new BenchError(
        'BENCH_ERR_USAGE',
        `option --${spec.long} needs a value ${spec.placeholder}`.trim(),
        {
          hint: `--${spec.long} ${spec.placeholder}: ${spec.decl.description}`,
        },
      );
    if (spec.kind === 'variadic') {
      const before = out.values.get(key);
      out.values.set(key, [...(Array.isArray(before) ? before : []), ...collected]);
    } else out.values.set(key, collected[0]);
  }
  return out;
}
