import { BenchError } from '../errors.js';
import { polledMeter, selectGpus } from './gpu-select.js';
import { PowerRecorder } from './power-window.js';
import type { PowerMeter } from './types.js';

/** One GPU's figures from a DCGM exporter scrape. */
export interface DcgmGpuReading {
  gpu: number;
  modelName: string | null;
  powerW: number | null;
  /** DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, millijoules since driver load. */
  energyMj: number | null;
  powerLimitW: number | null;
}

const LINE_RE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;
const LABEL_RE = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the DCGM metrics we use out of Prometheus text exposition; pure. */
export function parseDcgmMetrics(text: string): DcgmGpuReading[] {
  const byGpu = new Map<number, DcgmGpuReading>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE_RE.exec(line);
    if (!m) continue;
    const name = m[1]!;
    if (
      name !== 'DCGM_FI_DEV_POWER_USAGE' &&
      name !== 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION' &&
      name !== 'DCGM_FI_DEV_POWER_MGMT_LIMIT'
    )
      continue;
    const labels = new Map<string, string>();
    for (const lm of (m[2] ?? '').matchAll(LABEL_RE)) labels.set(lm[1]!, lm[2]!);
    const gpu = Number(labels.get('gpu'));
    const value = Number(m[3]);
    if (!Number.isInteger(gpu) || !Number.isFinite(value)) continue;
    let r = byGpu.get(gpu);
    if (!r) {
      r = {
        gpu,
        modelName: labels.get('modelName') ?? null,
        powerW: null,
        energyMj: null,
        powerLimitW: null,
      };
      byGpu.set(gpu, r);
    }
    if (name === 'DCGM_FI_DEV_POWER_USAGE') r.powerW = value;
    else if (name === 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION') r.energyMj = value;
    else r.powerLimitW = value;
  }
  return [...byGpu.values()].sort((a, b) => a.gpu - b.gpu);
}

async function scrape(url: string, timeoutMs: number): Promise<{ text: string; tMs: number; rttMs: number }> {
  const sentMs = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  // The exporter read its counters between our send and its headers' arrival: the midpoint is the best
  // guess (taken before the body is read, which only adds our own delay).
  const arrivedMs = performance.now();
  const tMs = (sentMs + arrivedMs) / 2;
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return { text: await res.text(), tMs, rttMs: arrivedMs - sentMs };
}

/** Round trips kept to judge what "usual" is for this exporter. */
const RTT_HISTORY = 20;
/** A round trip up to this is always trusted (a local exporter answers in about 1 ms). */
const RTT_SLACK_MS = 20;

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

/** A meter polling a DCGM exporter's Prometheus endpoint (the simulator serves the same metrics). */
export async function createDcgmMeter(opts: {
  url: string;
  gpus?: number[];
  env: Record<string, string | undefined>;
  sampleHz: number;
}): Promise<PowerMeter> {
  const { url } = opts;
  let first: DcgmGpuReading[];
  try {
    first = parseDcgmMetrics((await scrape(url, 3000)).text);
  } catch (err) {
    throw new BenchError(
      'BENCH_ERR_POWER',
      `cannot read DCGM metrics from ${url}: ${(err as Error).message}`,
      {
        hint: 'check that the DCGM exporter is running and the URL ends in /metrics, or pick --power-source none',
        cause: err,
      },
    );
  }
  const withPower = first.filter((r) => r.powerW !== null);
  if (withPower.length === 0) {
    throw new BenchError('BENCH_ERR_POWER', `no DCGM_FI_DEV_POWER_USAGE metric at ${url}`, {
      hint: 'the endpoint must be a DCGM exporter (dcgm-exporter) or the simulator`s /metrics',
    });
  }
  const selected = selectGpus(
    withPower.map((r) => r.gpu),
    opts.gpus,
    opts.env,
  );
  // Counter method only when every selected GPU exposes its energy counter.
  const hasCounter = selected.every((g) => first.find((r) => r.gpu === g)?.energyMj !== null);
  const recorder = new PowerRecorder(hasCounter);
  const devices = selected.map((g) => {
    const r = first.find((x) => x.gpu === g)!;
    return { index: g, name: r.modelName, powerLimitW: r.powerLimitW };
  });
  const periodMs = 1000 / opts.sampleHz;
  const recentRttMs: number[] = [];

  const tick = async (): Promise<void> => {
    const { text, tMs, rttMs } = await scrape(url, Math.max(500, periodMs * 5));
    recentRttMs.push(rttMs);
    if (recentRttMs.length > RTT_HISTORY) recentRttMs.shift();
    const readings = parseDcgmMetrics(text);
    const chosen = selected.map((g) => readings.find((r) => r.gpu === g));
    if (chosen.some((r) => !r || r.powerW === null)) return;
    const perDeviceW = chosen.map((r) => r!.powerW!);
    recorder.addSample({ tMs, watts: perDeviceW.reduce((a, b) => a + b, 0), perDeviceW });
    // A reading's time is only known to half its round trip: one that came back slowly (our process or
    // the exporter stalled) would misplace the counter at a window edge by up to that much, so only
    // readings about as fast as usual feed the counter; the gap rule flags a window that loses too many.
    const trusted = rttMs <= Math.max(RTT_SLACK_MS, 3 * medianOf(recentRttMs));
    if (hasCounter && trusted && chosen.every((r) => r!.energyMj !== null)) {
      recorder.addCounter(
        tMs,
        chosen.map((r) => r!.energyMj! / 1000),
      );
    }
  };

  return polledMeter({ source: `dcgm:${url}`, devices, periodMs, tick, recorder });
}
