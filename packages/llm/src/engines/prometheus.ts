/** One line of the Prometheus text format: `name{label="v",...} value [timestamp]`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

/**
 * Parse the Prometheus text exposition format (pure). Comments (`# HELP`, `# TYPE`) and malformed lines
 * are skipped rather than failing the scrape: an engine upgrade adding an odd line must not cost the
 * series we do understand.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    let name: string;
    let rest: string;
    const labels: Record<string, string> = {};
    const brace = line.indexOf('{');
    const space = line.search(/\s/);
    if (brace !== -1 && (space === -1 || brace < space)) {
      const close = line.lastIndexOf('}');
      if (close < brace) continue;
      name = line.slice(0, brace);
      for (const m of line.slice(brace + 1, close).matchAll(LABEL_RE)) {
        labels[m[1] as string] = unescapeLabel(m[2] as string);
      }
      rest = line.slice(close + 1).trim();
    } else {
      if (space === -1) continue;
      name = line.slice(0, space);
      rest = line.slice(space).trim();
    }
    const valueText = rest.split(/\s+/)[0] ?? '';
    const value = parseValue(valueText);
    if (name === '' || valueText === '' || Number.isNaN(value)) continue;
    out.push({ name, labels, value });
  }
  return out;
}
