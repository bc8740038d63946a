import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { BenchError } from '../errors.js';
import { selectGpus } from './gpu-select.js';
import { PowerRecorder } from './power-window.js';
import type { EnergyWindow, PowerMeter, PowerSample } from './types.js';

const QUERY_INSTANT = 'timestamp,index,power.draw.instant,power.draw';
const QUERY_PLAIN = 'timestamp,index,power.draw';

/** Parses one CSV field as watts; `[N/A]`, `N/A`, `[Not Supported]` and the like are null. */
export function parseWatts(field: string | undefined): number | null {
  if (field === undefined) return null;
  const v = field.trim().replace(/\s*W$/, '');
  if (v === '' || v.startsWith('[') || /^n\/?a$/i.test(v)) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Parses one line of `--query-gpu=timestamp,index,<power fields...> --format=csv,noheader,nounits`:
 * the GPU index and the first power field that holds a number (instant before averaged).
 */
export function parseSmiPowerLine(line: string): { index: number; watts: number | null } | null {
  const fields = line.split(',');
  if (fields.length < 3) return null;
  const index = Number(fields[1]!.trim());
  if (!Number.isInteger(index)) return null;
  for (const f of fields.slice(2)) {
    const w = parseWatts(f);
    if (w !== null) return { index, watts: w };
  }
  return { index, watts: null };
}

function listGpus(
  bin: string,
): Promise<{ index: number; name: string | null; powerLimitW: number | null }[]> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ['--query-gpu=index,name,power.limit', '--format=csv,noheader,nounits'],
      { timeout: 10_000 },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          const why =
            code === 'ENOENT' ? `${bin} not found` : `${bin} failed: ${(stderr || err.message).trim()}`;
          reject(
            new BenchError('BENCH_ERR_POWER', why, {
              hint: 'install the NVIDIA driver utilities, or pick another --power-source',
              cause: err,
            }),
          );
          return;
        }
        const gpus = stdout
          .split('\n')
          .map((l) => l.split(',').map((f) => f.trim()))
          .filter((f) => f.length >= 2 && /^\d+$/.test(f[0]!))
          .map((f) => ({ index: Number(f[0]), name: f[1] || null, powerLimitW: parseWatts(f[2]) }));
        resolve(gpus);
      },
    );
  });
}

/** A meter reading `nvidia-smi -lms` output as a child process; energy is the integral of its samples. */
export async function createNvidiaSmiMeter(opts: {
  bin: string;
  gpus?: number[];
  env: Record<string, string | undefined>;
  sampleHz: number;
}): Promise<PowerMeter> {
  const all = await listGpus(opts.bin);
  if (all.length === 0) throw new BenchError('BENCH_ERR_POWER', `${opts.bin} lists no GPUs`);
  const selected = selectGpus(
    all.map((g) => g.index),
    opts.gpus,
    opts.env,
  );
  const intervalMs = Math.max(1, Math.round(1000 / opts.sampleHz));
  const recorder = new PowerRecorder(false);
  let child: ChildProcess | null = null;
  let stopping = false;
  let query = QUERY_INSTANT;

  /** Spawns nvidia-smi; resolves on its first parsed line, or with the exit (code, output) if it dies first. */
  const launch = (): Promise<{ exited: false } | { exited: true; code: number | null; output: string }> =>
    new Promise((resolve) => {
      const proc = spawn(
        opts.bin,
        [`--query-gpu=${query}`, '--format=csv,noheader,nounits', '-lms', String(intervalMs)],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child = proc;
      let settled = false;
      let buffered = '';
      let output = '';
      // Values of the current round; a sample is emitted when every selected GPU has reported.
      let round = new Map<number, number>();
      proc.stdout!.setEncoding('utf8');
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (d: string) => {
        output += d;
      });
      proc.stdout!.on('data', (chunk: string) => {
        buffered += chunk;
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
          const parsed = parseSmiPowerLine(line);
          if (!parsed) {
            output += `${line}\n`;
            continue;
          }
          if (!settled) {
            settled = true;
            resolve({ exited: false });
          }
          if (!selected.includes(parsed.index)) continue;
          // A GPU reporting [N/A] leaves its round incomplete: no sample, and the gap rule takes over.
          if (parsed.watts === null) {
            round = new Map();
            continue;
          }
          round.set(parsed.index, parsed.watts);
          if (round.size === selected.length) {
            const perDeviceW = selected.map((g) => round.get(g)!);
            recorder.addSample({
              tMs: performance.now(),
              watts: perDeviceW.reduce((a, b) => a + b, 0),
              perDeviceW,
            });
            round = new Map();
          }
        }
      });
      proc.on('error', (err) => {
        output += err.message;
      });
      proc.on('close', (code) => {
        if (!settled) {
          settled = true;
          resolve({ exited: true, code, output });
        } else if (!stopping) {
          recorder.sourceNote = `nvidia-smi exited with code ${code} during the run`;
        }
      });
    });

  return {
    source: 'nvidia-smi',
    devices: all.filter((g) => selected.includes(g.index)),
    get detail() {
      return query === QUERY_PLAIN
        ? 'nvidia-smi power.draw (this driver lacks power.draw.instant: samples are ~1 s averages)'
        : 'nvidia-smi power.draw.instant';
    },
    async start() {
      if (child) return;
      let r = await launch();
      // Older drivers lack power.draw.instant and refuse the whole query: fall back to power.draw.
      if (r.exited && /not a valid field/i.test(r.output) && query === QUERY_INSTANT) {
        query = QUERY_PLAIN;
        r = await launch();
      }
      if (r.exited) {
        child = null;
        throw new BenchError(
          'BENCH_ERR_POWER',
          `${opts.bin} exited (code ${r.code}) before reporting power: ${r.output.trim().split('\n')[0] ?? ''}`,
          {
            hint: 'check that `nvidia-smi --query-gpu=power.draw --format=csv` works here, or pick another --power-source',
          },
        );
      }
    },
    samples(): readonly PowerSample[] {
      return recorder.samples;
    },
    window(startMs: number, endMs: number): EnergyWindow {
      return recorder.window(startMs, endMs);
    },
    async stop() {
      stopping = true;
      const proc = child as ChildProcess | null;
      child = null;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const closed = new Promise<void>((res) => proc.once('close', () => res()));
        proc.kill('SIGTERM');
        await closed;
      }
    },
  };
}
