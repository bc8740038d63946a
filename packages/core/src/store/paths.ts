import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the store lives: `--store PATH`, else `$INFERENCEBENCH_HOME/store.sqlite`, else the user's data
 * directory (env-paths('inferencebench').data, e.g. ~/.local/share/inferencebench-nodejs on Linux).
 */
export async function resolveStorePath(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (option) return resolve(option);
  if (env.INFERENCEBENCH_HOME) return join(resolve(env.INFERENCEBENCH_HOME), 'store.sqlite');
  try {
    const { default: envPaths } = await import('env-paths');
    return join(envPaths('inferencebench').data, 'store.sqlite');
  } catch {
    return join(homedir(), '.inferencebench', 'store.sqlite');
  }
}
