/**
 * Secrets (API keys, URL credentials) never reach the store, logs, reports or error messages (SPEC §14).
 * Two nets, applied wherever text leaves the process: URLs anywhere in a text lose their userinfo and
 * query values (`http://<redacted>@host/v1?api_key=<redacted>`), and every secret value a plugin
 * registered is masked as `***`, whatever surrounds it (a server echoing the key in an error body).
 */

/** What a redacted part of a URL reads as. */
export const REDACTED = '<redacted>';
const MASK = '***';
/** Shorter values are not registered: masking `1` or `true` everywhere would garble texts. */
const MIN_SECRET_LENGTH = 6;

// On globalThis, so that a plugin that got its own copy of this package still shares one registry.
const REGISTRY = Symbol.for('inferencebench.secrets');
type Registry = { values: Set<string>; longestFirst: string[] | null };
function registry(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry };
  g[REGISTRY] ??= { values: new Set(), longestFirst: null };
  return g[REGISTRY];
}

/** Remember a secret value (and its URL-encoded form) so that `maskSecrets` hides it from now on. */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  const reg = registry();
  const values = reg.values;
  reg.longestFirst = null;
  values.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) values.add(encoded);
  // What a Basic authorization header or a base64-echoing server would show.
  values.add(Buffer.from(value).toString('base64'));
}

/** True once any secret is registered (hot paths skip masking otherwise). */
export function hasSecrets(): boolean {
  return registry().values.size > 0;
}

/** `text` with every registered secret replaced by `***`, longest first. */
export function maskSecrets(text: string): string {
  const reg = registry();
  if (reg.values.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  reg.longestFirst ??= [...reg.values].sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of reg.longestFirst) if (out.includes(v)) out = out.split(v).join(MASK);
  return out;
}

// scheme://[userinfo@]rest[?query][#fragment], ending at blank space, quotes or angle brackets.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>`]*@)?([^\s?#"'<>`]*)(\?[^\s#"'<>`]*)?/gi;

function redactQuery(query: string): string {
  return `?${query
    .slice(1)
    .split('&')
    .map((part) => {
      if (part === '') return part;
      const eq = part.indexOf('=');
      // A bare `?KEY` may be the key itself.
      return eq < 0 ? REDACTED : `${part.slice(0, eq)}=${REDACTED}`;
    })
    .join('&')}`;
}

/** Every URL in `text` with its userinfo and query values redacted; the rest untouched. */
export function redactUrls(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(
    URL_IN_TEXT,
    (_m, scheme: string, userinfo: string | undefined, rest: string, query: string | undefined) =>
      `${scheme}${userinfo ? `${REDACTED}@` : ''}${rest}${query ? redactQuery(query) : ''}`,
  );
}

/** Both nets: URLs redacted, registered secrets masked. For every text shown or stored. */
export function redactText(text: string): string {
  return maskSecrets(redactUrls(text));
}

/**
 * A JSON-like value with `redactText` applied to every string in it (keys included). Parts with nothing
 * to redact are returned as they are (no copy: request records pass through here at the request rate).
 */
export function redactDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === null || (typeof v !== 'object' && typeof v !== 'string')) continue;
      const w = walk(v);
      if (w === v) continue;
      out ??= value.slice();
      out[i] = w;
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let changed = false;
  const entries = Object.entries(value).map(([k, v]) => {
    const rk = redactText(k);
    const rv = walk(v);
    if (rk !== k || rv !== v) changed = true;
    return [rk, rv] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
}

/**
 * True when `value` looks like a credential rather than a name: the shapes of well-known keys
 * (`sk-...`, `hf_...`, a JWT, AWS ids) or a long run of mixed letters and digits with no separators
 * that an environment variable name would have. For refusing a key given where a name belongs.
 */
export function looksLikeSecret(value: string): boolean {
  const v = value.trim();
  // Providers' key prefixes are lowercase; variable names are conventionally uppercase (HF_TOKEN).
  if (/^(sk|pk|rk)[-_]/.test(v) || /^(hf|gsk|ghp|gho|github_pat|xox[abp]|glpat)[-_]/.test(v)) return true;
  if (/^xai-|^AKIA[0-9A-Z]{12,}$|^AIza[0-9A-Za-z_-]{20,}$/.test(v)) return true;
  if (/^eyJ[\w-]+\.[\w-]+\./.test(v)) return true;
  if (v.length >= 20 && /[a-z]/.test(v) && /[A-Z]/.test(v) && /\d/.test(v) && !/_/.test(v)) return true;
  return (
    v.length >= 32 && /^[A-Za-z0-9+/=._-]+$/.test(v) && /\d/.test(v) && /[a-z]/i.test(v) && !/_[A-Z]/.test(v)
  );
}

/**
 * `target` with some methods replaced by `overrides`; every other property and method passes through
 * to `target` itself (bound to it), so the wrapper keeps working when the wrapped interface grows.
 */
export function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return (overrides as Record<PropertyKey, unknown>)[prop];
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** What `redactingWriter` needs of a run writer (structural, so the store's writer fits as it changes). */
interface WriterLike {
  mergeEnvironment(patch: Record<string, unknown>): unknown;
  mergePlan(patch: Record<string, unknown>): unknown;
  level(index: number, data: unknown): unknown;
  setSummary(summary: unknown): unknown;
  request(record: { data?: unknown; fields?: Record<string, unknown> }): unknown;
}

/**
 * A run writer whose plan, environment, levels and summary are redacted before they are stored;
 * request records are redacted only once a secret is registered (they are many, and without a
 * registered secret their texts carry no URL with credentials: those are in the plan).
 */
export function redactingWriter<W extends WriterLike>(inner: W): W {
  const overrides: Partial<WriterLike> = {
    mergeEnvironment: (patch) => inner.mergeEnvironment(redactDeep(patch)),
    mergePlan: (patch) => inner.mergePlan(redactDeep(patch)),
    level: (index, data) => inner.level(index, redactDeep(data)),
    setSummary: (summary) => inner.setSummary(redactDeep(summary)),
    request: (record) =>
      inner.request(
        hasSecrets()
          ? {
              ...record,
              ...(record.data !== undefined ? { data: redactDeep(record.data) } : {}),
              ...(record.fields !== undefined ? { fields: redactDeep(record.fields) } : {}),
            }
          : record,
      ),
  };
  return overriding(inner, overrides as Partial<W>);
}
