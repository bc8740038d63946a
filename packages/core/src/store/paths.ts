import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** True for a PostgreSQL store location (`postgres://` or `postgresql://`). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Password-like query parameters of a connection URL (node-postgres reads `password` and `sslpassword`). */
const SECRET_PARAMS = ['password', 'sslpassword'];

/** The secrets in a store URL (its password and password parameters), to scrub from any message. */
export function secretsOfUrl(location: string): string[] {
  if (!isPostgresUrl(location)) return [];
  const out: string[] = [];
  try {
    const u = new URL(location);
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
    for (const p of SECRET_PARAMS) {
      const v = u.searchParams.get(p);
      if (v) out.push(v, encodeURIComponent(v));
    }
  } catch {
    const m = /^[a-z]+:\/\/[^:@/]*:([^@/]*)@/i.exec(location);
    if (m?.[1]) out.push(m[1]);
  }
  return [...new Set(out.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
}

/** A store location safe to print: the URL's password (and password parameters) replaced by `***`. */
export function redactStoreLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    for (const p of SECRET_PARAMS) if (u.searchParams.has(p)) u.searchParams.set(p, '***');
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return location.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
  }
}

/**
 * Where the store is: `--store PATH|URL`, else `$INFERENCEBENCH_STORE`, else
 * `$INFERENCEBENCH_HOME/store.sqlite`, else the user's data directory (env-paths('inferencebench').data,
 * e.g. ~/.local/share/inferencebench-nodejs on Linux). A `postgres://` URL is returned as given.
 */
export async function resolveStorePath(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const given = option ?? (env.INFERENCEBENCH_STORE || undefined);
  if (given) return isPostgresUrl(given) ? given : resolve(given);
  return join(await localDataDir(env), 'store.sqlite');
}

/** `$INFERENCEBENCH_HOME`, else the user's data directory: where local files go (a PostgreSQL run's too). */
export async function localDataDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.INFERENCEBENCH_HOME) return resolve(env.INFERENCEBENCH_HOME);
  try {
    const { default: envPaths } = await import('env-paths');
    return envPaths('inferencebench').data;
  } catch {
    return join(homedir(), '.inferencebench');
  }
}
