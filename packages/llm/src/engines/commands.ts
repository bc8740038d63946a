import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CommandDecl } from 'inferencebench';
import { formatOption } from '../format-option.js';
import { createAdapter } from './adapters/index.js';
import { listTunedConfigs } from './tuned.js';

/** Full path of `bin` on PATH, or null. */
export function whichOnPath(bin: string, pathEnv = process.env.PATH ?? ''): string | null {
  if (bin.includes('/')) {
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {
      return null;
    }
  }
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, bin);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

/** One row of `bench engines`. */
export interface EngineRow {
  engine: string;
  /** Executables the default command needs and where they were found (null = missing). */
  needs: { what: string; found: string | null }[];
  tuned: { hardware: string; quant: string; source: string }[];
  note: string;
}

const NOTES: Record<string, string> = {
  vllm: 'vllm serve; /health, /version, /metrics',
  sglang: 'python3 -m sglang.launch_server --enable-metrics; /get_server_info',
  trtllm: 'trtllm-serve; /version, /prometheus/metrics; strict request fields',
  'llama.cpp':
    'llama-server --metrics --parallel N --ctx-size N; --model is a GGUF file path (architecture, parameters and quant read from it)',
  mlx: 'mlx_lm.server; no metrics, output length not enforceable',
  sim: 'the built-in simulator (no GPU needed)',
  openai: 'attach only: --endpoint URL, key from --api-key-env (default OPENAI_API_KEY)',
};

/** Every engine with what it needs on PATH and the tuned configs shipped. */
export function engineRows(pathEnv = process.env.PATH ?? ''): EngineRow[] {
  const tuned = listTunedConfigs();
  return ['vllm', 'sglang', 'trtllm', 'llama.cpp', 'mlx', 'sim', 'openai'].map((engine) => {
    const adapter = createAdapter(engine, 'model');
    const needs = (adapter?.needs ?? []).map((what) => {
      // Only executables can be looked up; packages and modules are listed as requirements.
      const isExecutable = !what.includes(' ');
      const found = what === 'node' ? process.execPath : isExecutable ? whichOnPath(what, pathEnv) : null;
      return { what, found };
    });
    return {
      engine,
      needs,
      tuned: tuned
        .filter((t) => t.engine === engine)
        .map((t) => ({ hardware: t.hardware, quant: t.quant, source: t.source })),
      note: NOTES[engine] ?? '',
    };
  });
}

/** Render the rows as the terminal table. */
export function renderEngineRows(rows: EngineRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    lines.push(`${r.engine.padEnd(10)} ${r.note}`);
    for (const n of r.needs) {
      const where = n.what.includes(' ')
        ? '(not checked)'
        : n.found
          ? `found: ${n.found}`
          : 'NOT FOUND on PATH';
      lines.push(`  needs ${n.what.padEnd(30)} ${where}`);
    }
    for (const t of r.tuned) lines.push(`  tuned ${`${t.hardware}/${t.quant}`.padEnd(30)} ${t.source}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `bench engines`: what each engine needs and which tuned configs ship. */
export const engineCommands: CommandDecl[] = [
  {
    name: 'engines',
    description: 'list the engines, what each needs on PATH, and the tuned configs shipped',
    options: [formatOption],
    async run(_args, options, io) {
      const rows = engineRows();
      io.stdout(options.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderEngineRows(rows));
      return 0;
    },
  },
];
