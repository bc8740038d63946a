import type { OptionDecl } from '../plugin/types.js';
import { flagSpec } from './argv.js';

function formatDefault(value: unknown): string {
  if (value === undefined || value === false) return '';
  const text = Array.isArray(value)
    ? value.join(',')
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
  return ` (default: ${text})`;
}

/** Help text for a list of options, grouped by `group` in declaration order, generated from the declarations. */
export function optionsHelp(decls: OptionDecl[], width = 110): string {
  const groups = new Map<string, OptionDecl[]>();
  for (const d of decls) {
    const g = d.group ?? 'Options';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(d);
  }
  const flags = decls.map((d) => {
    const s = flagSpec(d);
    return `--${s.long}${s.placeholder ? ` ${s.placeholder}` : ''}`;
  });
  const pad = Math.min(34, Math.max(...flags.map((f) => f.length), 0) + 2);
  const lines: string[] = [];
  for (const [group, items] of groups) {
    lines.push(`${group}:`);
    for (const d of items) {
      const flag = flags[decls.indexOf(d)]!;
      const text = `${d.description}${d.secret ? '' : formatDefault(d.default)}`;
      lines.push(...wrap(`  ${flag.padEnd(pad)}`, text, width));
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Wrap `text` after a fixed-width prefix, continuation lines indented to the same column. */
function wrap(prefix: string, text: string, width: number): string[] {
  const room = Math.max(30, width - prefix.length);
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > room) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  // A flag longer than the column gets its text on the next line.
  if (prefix.length - prefix.trimEnd().length < 2)
    return [prefix.trimEnd(), ...lines.map((l) => ' '.repeat(prefix.length) + l)];
  return lines.map((l, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + l);
}
