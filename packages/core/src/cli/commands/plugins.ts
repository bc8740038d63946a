import { listPlugins, pluginModulePaths } from '../../plugin/loader.js';
import type { CommandIo } from '../../plugin/types.js';
import { toJson } from '../render.js';

/** `bench plugins`: built-in and installed plugins, with a note for those that cannot run. */
export async function pluginsCommand(
  opts: { format: string; pluginModule?: string },
  io: CommandIo,
): Promise<number> {
  const plugins = await listPlugins({ modules: pluginModulePaths(opts.pluginModule) });
  if (opts.format === 'json') {
    io.stdout(`${toJson(plugins, 2)}\n`);
    return 0;
  }
  const width = Math.max(6, ...plugins.map((p) => p.id.length));
  const lines = plugins.map(
    (p) => `${p.id.padEnd(width)}  ${p.available ? p.description : `(${p.note})`}  [${p.source}]`,
  );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
