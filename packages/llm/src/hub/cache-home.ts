import { join } from 'node:path';
import envPaths from 'env-paths';

/**
 * Root of everything inferencebench keeps on disk: `$INFERENCEBENCH_HOME`, or the platform's data
 * directory (`~/.local/share/inferencebench` on Linux, `~/Library/Application Support/inferencebench` on
 * macOS, `%LOCALAPPDATA%\inferencebench\Data` on Windows).
 */
export function benchHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.INFERENCEBENCH_HOME;
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  return envPaths('inferencebench', { suffix: '' }).data;
}

/** Cache directory of one kind of downloaded file (`datasets`, `tokenizers`). */
export function cacheDir(kind: 'datasets' | 'tokenizers', env: NodeJS.ProcessEnv = process.env): string {
  return join(benchHome(env), kind);
}

/** The hub base URL: `$HF_ENDPOINT` (a mirror, or the tests' local hub) or huggingface.co. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.HF_ENDPOINT;
  return (fromEnv !== undefined && fromEnv.length > 0 ? fromEnv : 'https://huggingface.co').replace(
    /\/+$/,
    '',
  );
}

/** `HF_HUB_OFFLINE=1` (huggingface_hub's switch) forbids every request; only the cache is used. */
export function hubOffline(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.HF_HUB_OFFLINE ?? '';
  return v === '1' || v.toLowerCase() === 'true' || v.toLowerCase() === 'yes';
}
