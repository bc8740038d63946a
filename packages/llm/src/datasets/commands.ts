import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError, type CommandDecl, type CommandIo, createRng, type Progress } from 'inferencebench';
import { z } from 'zod';
import { formatOption } from '../format-option.js';
import { cacheDir } from '../hub/cache-home.js';
import { formatBytes, hubCachePath } from '../hub/download.js';
import { shareGptEntry } from './catalog.js';

/** Plain-line progress on the command's stderr (these commands have no run context). */
function lineProgress(io: CommandIo): Progress {
  let label = '';
  let lastMs = 0;
  return {
    phase(l) {
      label = l;
      io.stderr(`${l}\n`);
    },
    tick() {},
    update(done, total) {
      const now = Date.now();
      if (now - lastMs < 2000) return;
      lastMs = now;
      io.stderr(`${label}: ${done}${total !== undefined ? `/${total}` : ''}\n`);
    },
    note: (m) => io.stderr(`${m}\n`),
    warn: (m) => io.stderr(`warning: ${m}\n`),
    done() {},
  };
}

interface DatasetRow {
  id: string;
  source: string;
  size: string;
  cache: string;
}

/** Rows of `bench datasets`: each dataset with its source, size and cache state. */
export async function datasetRows(): Promise<DatasetRow[]> {
  const entry = shareGptEntry();
  const datasets = cacheDir('datasets');
  const path = hubCachePath(datasets, entry.repo, entry.revision, entry.file);
  const st = await stat(path).catch(() => null);
  const subsets = await readdir(
    join(datasets, 'subsets', 'sharegpt-v3', encodeURIComponent(entry.revision)),
  ).catch(() => [] as string[]);
  let cache = st !== null ? `downloaded (${path})` : 'not downloaded';
  if (subsets.length > 0) cache += `; subsets built for: ${subsets.join(', ')}`;
  return [
    {
      id: 'sharegpt-v3',
      source: `hf://datasets/${entry.repo}@${entry.revision.slice(0, 12)}/${entry.file}`,
      size: st !== null ? formatBytes(st.size) : `~${formatBytes(entry.approxSizeBytes)}`,
      cache,
    },
    {
      id: 'synthetic',
      source: 'generated from --seed (--input-len, --output-len, --length-dist)',
      size: '-',
      cache: 'no download',
    },
    { id: 'file:PATH', source: 'your ShareGPT JSON or JSONL file', size: '-', cache: 'read in place' },
  ];
}

function table(rows: DatasetRow[]): string {
  const head: DatasetRow = { id: 'dataset', source: 'source', size: 'size', cache: 'cache' };
  const all = [head, ...rows];
  const w = (k: keyof DatasetRow) => Math.max(...all.map((r) => r[k].length));
  const [wi, ws, wz] = [w('id'), w('source'), w('size')];
  return all
    .map((r) => `${r.id.padEnd(wi)}  ${r.source.padEnd(ws)}  ${r.size.padEnd(wz)}  ${r.cache}`)
    .join('\n');
}

const listCommand: CommandDecl = {
  name: 'datasets',
  description: 'list the datasets with their source, size and cache state',
  options: [formatOption],
  async run(_args, options, io) {
    const rows = await datasetRows();
    if (options.format === 'json') io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else io.stdout(`${table(rows)}\ncache directory: ${cacheDir('datasets')}\n`);
    return 0;
  },
};

const showCommand: CommandDecl = {
  name: 'datasets show',
  description:
    'print a dataset in order (sharegpt-v3: the canonical subset) as id, prompt_tokens, output_tokens',
  args: ['<id>'],
  options: [
    {
      key: 'tokenizer',
      flag: '--tokenizer <id>',
      description: 'tokenizer (hub id, or words) that counts the tokens',
      schema: z.string().optional(),
    },
    {
      key: 'model',
      flag: '--model <id>',
      description: 'model whose tokenizer to use',
      schema: z.string().optional(),
    },
    {
      key: 'datasetRevision',
      flag: '--dataset-revision <sha>',
      description: 'hub revision (commit) of the dataset',
      schema: z.string().optional(),
    },
    {
      key: 'format',
      flag: '--format <fmt>',
      description: 'jsonl or table',
      schema: z.enum(['jsonl', 'table']),
      default: 'jsonl',
    },
    {
      key: 'seed',
      flag: '--seed <n>',
      description: 'seed (synthetic)',
      schema: z.coerce.number().int(),
      default: 42,
    },
  ],
  async run(args, options, io) {
    const id = args[0];
    if (id === undefined) throw new BenchError('BENCH_ERR_USAGE', 'bench datasets show needs a dataset id');
    const tokenizer = options.tokenizer as string | undefined;
    const model = (options.model as string | undefined) ?? tokenizer;
    if (model === undefined) {
      throw new BenchError('BENCH_ERR_USAGE', 'bench datasets show needs --tokenizer (or --model)', {
        hint: 'e.g. --tokenizer meta-llama/Llama-3.1-8B-Instruct, or --tokenizer words',
      });
    }
    const progress = lineProgress(io);
    const { loadDataset } = await import('./index.js');
    const seed = Number(options.seed ?? 42);
    const ds = await loadDataset(
      {
        dataset: id,
        model,
        seed,
        inputLen: 512,
        outputLen: 256,
        lengthDist: 'fixed',
        inputLenSpread: 0,
        outputLenSpread: 0,
        ...(tokenizer !== undefined ? { tokenizer } : {}),
        ...(options.datasetRevision !== undefined
          ? { datasetRevision: options.datasetRevision as string }
          : {}),
      },
      { rng: createRng(seed), progress, signal: new AbortController().signal },
    );
    const lines: string[] = [];
    if (options.format === 'table') {
      lines.push(
        `# ${ds.id}  tokenizer: ${ds.tokenizer}  checksum: ${ds.checksum ?? '-'}  turns: ${ds.items.length}`,
      );
      for (const it of ds.items) lines.push(`${it.id}\t${it.promptTokens}\t${it.outputTokens}`);
    } else {
      for (const it of ds.items) {
        lines.push(
          JSON.stringify({ id: it.id, prompt_tokens: it.promptTokens, output_tokens: it.outputTokens }),
        );
      }
    }
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** `bench datasets` and `bench datasets show`. */
export const datasetCommands: CommandDecl[] = [listCommand, showCommand];
