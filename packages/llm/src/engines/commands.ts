import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CommandDecl } from 'inferencebench';
import { z } from 'zod';
import { formatOption } from '../format-option.js';
import { showLaunch } from './show-launch.js';
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
  tuned: { hardware: string; quant: string; model: string | null; gpus: number | null; source: string }[];
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
        .map((t) => ({
          hardware: t.hardware,
          quant: t.quant,
          model: t.model ?? null,
          gpus: t.gpus ?? null,
          source: t.source,
        })),
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
    for (const t of r.tuned) {
      const key = t.model
        ? `${t.gpus ?? 1}x ${t.hardware}/${t.quant} ${t.model}`
        : `${t.hardware}/${t.quant} (generic)`;
      lines.push(`  tuned ${key.padEnd(30)} ${t.source}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `bench engines`: what each engine needs and which tuned configs ship; with --model, what would launch. */
export const engineCommands: CommandDecl[] = [
  {
    name: 'engines',
    description:
      'list the engines, what each needs on PATH, and the tuned configs shipped; --model ID: what would be launched and why',
    options: [
      formatOption,
      {
        key: 'model',
        flag: '--model <id>',
        description:
          'show the launch for this model: resolved id, recipe, tensor parallel size, context, fit',
        schema: z.string().min(1).optional(),
      },
      {
        key: 'engine',
        flag: '--engine <name>',
        description: 'engine for --model (default vllm)',
        schema: z.string().optional(),
      },
      {
        key: 'quant',
        flag: '--quant <name>',
        description: 'quant for --model',
        schema: z.string().optional(),
      },
      {
        key: 'hardware',
        flag: '--hardware <name>',
        description:
          'GPU family for --model (h100, h200, ...); with --gpus, plan for a machine other than this one',
        schema: z.string().optional(),
      },
      {
        key: 'gpus',
        flag: '--gpus <n>',
        description: 'with --hardware: that many GPUs instead of the detected ones',
        schema: z.coerce.number().int().positive().optional(),
      },
      {
        key: 'tp',
        flag: '--tp <n>',
        description: 'tensor parallel size for --model',
        schema: z.coerce.number().int().positive().optional(),
      },
    ],
    async run(_args, options, io) {
      if (typeof options.model === 'string') {
        const shown = await showLaunch({
          model: options.model,
          engine: (options.engine as string | undefined) ?? 'vllm',
          quant: options.quant as string | undefined,
          hardware: options.hardware as string | undefined,
          gpus: options.gpus as number | undefined,
          tp: options.tp as number | undefined,
        });
        io.stdout(options.format === 'json' ? `${JSON.stringify(shown.json, null, 2)}\n` : shown.text);
        return 0;
      }
      const rows = engineRows();
      io.stdout(options.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderEngineRows(rows));
      return 0;
    },
  },
];
