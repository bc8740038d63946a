/**
 * `sim serve`: the simulator as a long-running process, shared by `bench sim serve` and the sim's own
 * CLI (`node dist/cli.js serve`). Prints one `listening` line, then runs until SIGINT/SIGTERM.
 */
import type { CommandDecl, CommandIo, OptionDecl } from 'inferencebench';
import { BenchError } from 'inferencebench';
import { z } from 'zod';
import { FLAVOR_NAMES, type FlavorName } from './flavors.js';
import { startSimServer } from './server.js';

/** Options of `sim serve` after parsing. */
export interface ServeOptions {
  port: number;
  host: string;
  profile: string;
  seed: number;
  flavor: FlavorName;
  loadTimeS: number;
  streamInterval: number;
  servedModelName?: string;
  dieAfterS?: number;
}

const intFrom = (min: number) => z.coerce.number().int().min(min);
const numFrom = (min: number) => z.coerce.number().min(min);

/** The options of `sim serve`, declared once. */
export const serveOptions: OptionDecl[] = [
  {
    key: 'port',
    flag: '--port <n>',
    description: 'port to listen on (0 = any free port)',
    schema: intFrom(0).max(65535),
    default: 8000,
  },
  {
    key: 'host',
    flag: '--host <host>',
    description: 'address to listen on',
    schema: z.string().min(1),
    default: '127.0.0.1',
  },
  {
    key: 'profile',
    flag: '--profile <name>',
    description: 'performance profile (name, alias or model id)',
    schema: z.string().min(1),
    default: 'llama-3.1-8b',
  },
  {
    key: 'seed',
    flag: '--seed <n>',
    description: 'seed of every random choice',
    schema: intFrom(0),
    default: 42,
  },
  {
    key: 'flavor',
    flag: '--flavor <name>',
    description: `engine whose HTTP quirks to imitate: ${FLAVOR_NAMES.join(', ')}`,
    schema: z.enum(FLAVOR_NAMES as [FlavorName, ...FlavorName[]]),
    default: 'vllm',
  },
  {
    key: 'loadTimeS',
    flag: '--load-time-s <s>',
    description: 'seconds during which /health reports loading',
    schema: numFrom(0),
    default: 0,
  },
  {
    key: 'streamInterval',
    flag: '--stream-interval <n>',
    description: 'tokens per SSE chunk (sglang, trtllm)',
    schema: intFrom(1),
    default: 1,
  },
  {
    key: 'servedModelName',
    flag: '--served-model-name <name>',
    description: 'model id to serve (default: the profile model)',
    schema: z.string().min(1).optional(),
  },
  {
    key: 'dieAfterS',
    flag: '--die-after-s <s>',
    description: 'exit with status 1 after this many seconds (to test engine death)',
    schema: numFrom(0).optional(),
  },
];

/** Checks raw option values (strings from a command line) and fills defaults. */
export function parseServeOptions(raw: Record<string, unknown>): ServeOptions {
  const out: Record<string, unknown> = {};
  for (const decl of serveOptions) {
    const value = raw[decl.key] ?? decl.default;
    if (value === undefined) continue;
    const parsed = decl.schema.safeParse(value);
    if (!parsed.success) {
      throw new BenchError(
        'BENCH_ERR_BAD_OPTION',
        `invalid value for ${decl.flag.split(' ')[0]}: ${String(value)}`,
        {
          hint: decl.description,
        },
      );
    }
    out[decl.key] = parsed.data;
  }
  return out as unknown as ServeOptions;
}

/** Runs the simulator until SIGINT/SIGTERM (exit code 0) or until --die-after-s (exit 1). */
export async function runServe(raw: Record<string, unknown>, io: CommandIo): Promise<number> {
  const opts = parseServeOptions(raw);
  const server = await startSimServer({
    port: opts.port,
    host: opts.host,
    profile: opts.profile,
    seed: opts.seed,
    flavor: opts.flavor,
    loadTimeS: opts.loadTimeS,
    streamInterval: opts.streamInterval,
    servedModelName: opts.servedModelName,
  });
  return new Promise<number>((resolve) => {
    let dieTimer: NodeJS.Timeout | undefined;
    const stop = (code: number) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (dieTimer) clearTimeout(dieTimer);
      void server.close().then(() => resolve(code));
    };
    const onSignal = () => stop(0);
    // Handlers go in before the listening line: a launcher may signal the moment it reads it.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (opts.dieAfterS !== undefined) {
      // Simulated engine crash: no graceful close, the process just goes.
      dieTimer = setTimeout(() => {
        io.stderr(`inferencebench-sim: dying after ${opts.dieAfterS} s as asked (--die-after-s)\n`);
        process.exit(1);
      }, opts.dieAfterS * 1000);
    }
    io.stdout(`inferencebench-sim listening on ${server.url}\n`);
  });
}

/** Commands this package adds to the `bench` CLI. */
export const commands: CommandDecl[] = [
  {
    name: 'sim serve',
    description: 'run the serving simulator (OpenAI-compatible) until Ctrl-C',
    options: serveOptions,
    run: (_args, options, io) => runServe(options, io),
  },
];
