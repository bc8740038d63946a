import { BenchError, detectHardware, type HardwareInfo } from 'inferencebench';
import { resolveModel } from '../models/catalogue.js';
import { decideLaunch, FIT_ENGINES, launchSummary, servingLabel } from '../models/launch-plan.js';
import { ENGINE_NAMES } from '../options.js';
import { createAdapter } from './adapters/index.js';

/** Canonical part per `--hardware` family, for planning a machine that is not this one (`--gpus N`). */
const FAMILY_PARTS: Record<string, { label: string; memoryMiB: number }> = {
  h100: { label: 'H100-SXM5-80GB', memoryMiB: 81559 },
  h200: { label: 'H200-SXM-141GB', memoryMiB: 143771 },
  h20: { label: 'H20-96GB', memoryMiB: 97871 },
  gh200: { label: 'GH200-96GB', memoryMiB: 97871 },
  a100: { label: 'A100-SXM4-80GB', memoryMiB: 81920 },
  b200: { label: 'B200-180GB', memoryMiB: 183359 },
  l40s: { label: 'L40S-48GB', memoryMiB: 46068 },
  l4: { label: 'L4-24GB', memoryMiB: 23034 },
};

/** A hypothetical machine of `count` GPUs of a family (what `bench engines --hardware h100 --gpus 8` plans for). */
export function hypotheticalHardware(family: string, count: number): HardwareInfo {
  const part = FAMILY_PARTS[family.toLowerCase().split(/[^a-z0-9]+/)[0] ?? ''];
  if (!part) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `--gpus needs a known --hardware family, not "${family}"`, {
      hint: `use one of: ${Object.keys(FAMILY_PARTS).join(', ')}`,
    });
  }
  return {
    gpus: Array.from({ length: count }, (_, index) => ({
      index,
      name: part.label,
      model: part.label,
      pciDeviceId: null,
      memoryMiB: part.memoryMiB,
      driverVersion: null,
      powerLimitW: null,
    })),
    cpu: 'not this machine',
    source: 'none',
    note: `--hardware ${family} --gpus ${count} (planned, not detected)`,
  };
}

export interface LaunchQueryOptions {
  model: string;
  engine: string;
  quant?: string | undefined;
  hardware?: string | undefined;
  gpus?: number | undefined;
  tp?: number | undefined;
}

/** `bench engines --model ID`: the launch `bench run` would make, and why, without launching anything. */
export async function showLaunch(
  o: LaunchQueryOptions,
): Promise<{ text: string; json: Record<string, unknown> }> {
  if (!(ENGINE_NAMES as readonly string[]).includes(o.engine)) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', `unknown engine "${o.engine}"`, {
      hint: `use one of: ${ENGINE_NAMES.join(', ')}`,
    });
  }
  if (o.gpus !== undefined && !o.hardware) {
    throw new BenchError('BENCH_ERR_BAD_OPTION', '--gpus needs --hardware', {
      hint: 'e.g. bench engines --model meta-llama/Llama-4-Maverick --quant fp8 --hardware h100 --gpus 8',
    });
  }
  const resolution = (FIT_ENGINES as readonly string[]).includes(o.engine)
    ? resolveModel(o.model, o.quant)
    : { given: o.model, served: o.model, how: 'as-given', note: null };
  const detected = o.gpus !== undefined ? hypotheticalHardware(o.hardware!, o.gpus) : await detectHardware();
  const d = await decideLaunch({
    engine: o.engine,
    model: resolution.served,
    quant: o.quant,
    hardware: o.hardware,
    explicitTp: o.tp,
    detected,
    planned: o.gpus !== undefined,
  });
  const adapter = createAdapter(o.engine, resolution.served);
  const argv = adapter
    ? adapter.command({
        model: resolution.served,
        host: '127.0.0.1',
        port: 8000,
        tp: d.tp,
        quant: d.adapterQuant,
        seed: 42,
        tuned: d.tuned,
        maxModelLen: d.maxModelLen,
        expertParallel: d.expertParallel,
        runDir: '<run dir>',
        slots: 1,
        sequenceTokens: null,
        launch: 1,
      }).argv
    : null;
  const verdict = d.refusal
    ? `refused (bench run exits 2): ${d.refusal}`
    : d.warnings.length
      ? `launches, warned: ${d.warnings.join('; ')}`
      : d.fit
        ? 'fits'
        : 'fit not checked';
  const lines = [
    `model    ${resolution.given}${resolution.served !== resolution.given ? ` -> ${resolution.served}` : ''}`,
    `shown as ${d.shortName} @ ${d.quant ?? 'default'}${d.gpus ? ` on ${servingLabel(d.tp, d.gpus.label)}` : ''}`,
    `engine   ${o.engine}`,
    `command  ${argv ? argv.join(' ') : '(attach only: --endpoint URL)'}`,
    `verdict  ${verdict}`,
    'why:',
    ...(resolution.note ? [`  ${resolution.note}`] : []),
    ...d.reasons.map((r) => `  ${r}`),
  ];
  return {
    text: `${lines.join('\n')}\n`,
    json: {
      model_given: resolution.given,
      model_served: resolution.served,
      engine: o.engine,
      command: argv,
      ...launchSummary(d),
    },
  };
}
