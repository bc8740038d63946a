import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BenchError } from '../errors.js';
import { closest } from '../cli/argv.js';
import type { Plugin } from './types.js';

/** Plugins shipped with the tool: plugin id -> package that provides it. */
export const BUILTIN_PLUGINS: Record<string, string> = { 'llm.inference': 'inferencebench-llm' };

export interface PluginSearch {
  /** Directory whose node_modules is searched first (default process.cwd()). */
  cwd?: string;
  /** JS files to load plugins from (--plugin-module and $INFERENCEBENCH_PLUGIN_MODULES). */
  modules?: string[];
}

/** One line of `bench plugins`. */
export interface PluginListing {
  id: string;
  description: string;
  /** Package name or module path it comes from. */
  source: string;
  /** False when the source was found but does not (yet) export the plugin, or failed to load. */
  available: boolean;
  note?: string;
}

/** Plugin module paths from the option (comma-separated) and $INFERENCEBENCH_PLUGIN_MODULES. */
export function pluginModulePaths(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  return [option, env.INFERENCEBENCH_PLUGIN_MODULES]
    .flatMap((s) => (s ? s.split(',') : []))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The directory of this package, so packages installed beside it resolve too. */
const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function searchBases(search: PluginSearch): string[] {
  return [...new Set([resolve(search.cwd ?? process.cwd()), coreDir])];
}

function isPlugin(value: unknown): value is Plugin {
  const p = value as Plugin | null;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.run === 'function';
}

/** The plugins a module exports: `plugins` (named, the convention), or `plugin`, or the default export. */
export function pluginsOf(mod: Record<string, unknown>): Plugin[] {
  const candidates = [mod.plugins, mod.plugin, mod.default];
  for (const c of candidates) {
    if (Array.isArray(c) && c.every(isPlugin)) return c as Plugin[];
    if (isPlugin(c)) return [c];
  }
  return [];
}

/** Resolve and import an installed package from the cwd or the core's location; null when not installed. */
async function importPackage(name: string, search: PluginSearch): Promise<Record<string, unknown> | null> {
  for (const base of searchBases(search)) {
    let path: string;
    try {
      path = createRequire(join(base, 'noop.js')).resolve(name);
    } catch {
      continue;
    }
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  }
  return null;
}

async function importModuleFile(path: string, search: PluginSearch): Promise<Record<string, unknown>> {
  const abs = resolve(search.cwd ?? process.cwd(), path);
  if (!existsSync(abs))
    throw new BenchError('BENCH_ERR_BAD_OPTION', `plugin module ${abs} does not exist`, {
      hint: 'check --plugin-module / $INFERENCEBENCH_PLUGIN_MODULES',
    });
  try {
    return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_BAD_OPTION',
      `cannot load plugin module ${abs}: ${(err as Error).message.split('\n')[0]}`,
      {
        hint: 'the module must be ES module JavaScript exporting `plugins` (an array of definePlugin(...))',
        cause: err,
      },
    );
  }
}

/** Installed packages named inferencebench-* or @scope/inferencebench-* in the node_modules above the search bases. */
export function installedPluginPackages(search: PluginSearch = {}): string[] {
  const found = new Set<string>();
  for (const base of searchBases(search)) {
    for (let dir = base; ; dir = dirname(dir)) {
      const nm = join(dir, 'node_modules');
      let entries: string[] = [];
      try {
        entries = readdirSync(nm);
      } catch {}
      for (const e of entries) {
        if (/^inferencebench-[\w.-]+$/.test(e)) found.add(e);
        else if (e.startsWith('@')) {
          let scoped: string[] = [];
          try {
            scoped = readdirSync(join(nm, e));
          } catch {}
          for (const s of scoped) if (/^inferencebench-[\w.-]+$/.test(s)) found.add(`${e}/${s}`);
        }
      }
      if (dirname(dir) === dir) break;
    }
  }
  return [...found].sort();
}

/** Package names that could provide a plugin id, in the order they are tried. */
function candidatePackages(id: string, search: PluginSearch): string[] {
  const first = id.split('.')[0]!;
  const names = [BUILTIN_PLUGINS[id], `inferencebench-${id}`, `inferencebench-${first}`];
  for (const pkg of installedPluginPackages(search)) {
    const short = pkg.replace(/^@[^/]+\//, '');
    if (pkg.startsWith('@') && (short === `inferencebench-${id}` || short === `inferencebench-${first}`))
      names.push(pkg);
  }
  return [...new Set(names.filter((n): n is string => Boolean(n)))];
}

/**
 * Find a plugin by id: plugin modules first (tests and local development), then the built-in map, then
 * installed packages `inferencebench-<id>` / `inferencebench-<first part of id>` and their `@scope/`
 * variants. A miss is BENCH_ERR_UNKNOWN_PLUGIN naming every place tried.
 */
export async function loadPlugin(id: string, search: PluginSearch = {}): Promise<Plugin> {
  const tried: string[] = [`built-in plugins (${Object.keys(BUILTIN_PLUGINS).join(', ')})`];
  const known: string[] = [...Object.keys(BUILTIN_PLUGINS)];
  for (const path of search.modules ?? []) {
    const plugins = pluginsOf(await importModuleFile(path, search));
    known.push(...plugins.map((p) => p.id));
    const hit = plugins.find((p) => p.id === id);
    if (hit) return hit;
    tried.push(`module ${path}`);
  }
  let foundButEmpty: string | undefined;
  for (const name of candidatePackages(id, search)) {
    let mod: Record<string, unknown> | null;
    try {
      mod = await importPackage(name, search);
    } catch (err) {
      throw new BenchError(
        'BENCH_ERR_UNKNOWN_PLUGIN',
        `package ${name} failed to load: ${(err as Error).message.split('\n')[0]}`,
        {
          hint: `reinstall it (npm install ${name})`,
          cause: err,
        },
      );
    }
    if (!mod) {
      tried.push(`package ${name}`);
      continue;
    }
    const plugins = pluginsOf(mod);
    known.push(...plugins.map((p) => p.id));
    const hit = plugins.find((p) => p.id === id);
    if (hit) return hit;
    tried.push(`package ${name} (installed, no plugin '${id}')`);
    if (BUILTIN_PLUGINS[id] === name) foundButEmpty = name;
  }
  if (foundButEmpty)
    throw new BenchError(
      'BENCH_ERR_UNKNOWN_PLUGIN',
      `plugin ${id} is not available: ${foundButEmpty} exports no plugin '${id}' in this version`,
      {
        hint: `update ${foundButEmpty} (npm install ${foundButEmpty}@latest)`,
      },
    );
  const guess = closest(id, new Set(known));
  const where = searchBases(search).join(', ');
  throw new BenchError(
    'BENCH_ERR_UNKNOWN_PLUGIN',
    `unknown plugin '${id}': tried ${tried.join(', ')} (from ${where})`,
    {
      hint:
        guess && guess !== id
          ? `did you mean ${guess}? (bench plugins lists them)`
          : '`bench plugins` lists the plugins found; install one with npm install inferencebench-<name>',
    },
  );
}

/** Every plugin that can be found: built-ins (even when their package lacks them), modules, installed packages. */
export async function listPlugins(search: PluginSearch = {}): Promise<PluginListing[]> {
  const out: PluginListing[] = [];
  const seen = new Set<string>();
  const add = (listing: PluginListing): void => {
    if (seen.has(listing.id)) return;
    seen.add(listing.id);
    out.push(listing);
  };
  for (const path of search.modules ?? []) {
    for (const p of pluginsOf(await importModuleFile(path, search)))
      add({ id: p.id, description: p.description, source: `module ${path}`, available: true });
  }
  const packages = [...new Set([...Object.values(BUILTIN_PLUGINS), ...installedPluginPackages(search)])];
  const byPackage = new Map<string, Plugin[] | Error | null>();
  for (const name of packages) {
    try {
      const mod = await importPackage(name, search);
      byPackage.set(name, mod ? pluginsOf(mod) : null);
    } catch (err) {
      byPackage.set(name, err as Error);
    }
  }
  for (const [id, name] of Object.entries(BUILTIN_PLUGINS)) {
    const got = byPackage.get(name);
    const hit = Array.isArray(got) ? got.find((p) => p.id === id) : undefined;
    if (hit) add({ id, description: hit.description, source: `${name} (built-in)`, available: true });
    else
      add({
        id,
        description: '',
        source: `${name} (built-in)`,
        available: false,
        note:
          got === null
            ? `not installed (npm install ${name})`
            : got instanceof Error
              ? `failed to load: ${got.message.split('\n')[0]}`
              : `not available in this version of ${name}`,
      });
  }
  for (const [name, got] of byPackage) {
    if (Array.isArray(got))
      for (const p of got) add({ id: p.id, description: p.description, source: name, available: true });
  }
  return out;
}
