import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { toolVersion } from './version.js';

/**
 * The git commit of the tool when it runs from a checkout (not from an installed package inside some
 * other repository's node_modules, whose commit would be the wrong one). Null otherwise.
 */
export function toolGitCommit(): { commit: string; dirty: boolean } | null {
  try {
    const dir = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
    if (dir.split(/[\\/]/).includes('node_modules')) return null;
    const git = (args: string[]): string =>
      execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 })
        .toString()
        .trim();
    const commit = git(['rev-parse', 'HEAD']);
    if (!/^[0-9a-f]{40}$/.test(commit)) return null;
    const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', '.']).length > 0;
    return { commit, dirty };
  } catch {
    return null;
  }
}

/**
 * What the core records about the machine and the tool with every run (SPEC §12). Plugins add the
 * engine, GPUs and dataset through RunWriter.mergeEnvironment.
 */
export function captureEnvironment(): Record<string, unknown> {
  const cpuList = cpus();
  const git = toolGitCommit();
  return {
    tool: 'inferencebench',
    tool_version: toolVersion(),
    tool_git_commit: git?.commit ?? null,
    tool_git_dirty: git?.dirty ?? null,
    node: process.versions.node,
    os: { platform: platform(), release: release(), arch: arch() },
    cpu: { model: cpuList[0]?.model.trim() ?? null, count: cpuList.length },
    memory_bytes: totalmem(),
    hostname: hostname(),
  };
}
