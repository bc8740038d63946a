import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { idlePowerW, loadProfile } from 'inferencebench-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertExit, e2eHome, printedMetric, readDoc, relErr, runBench } from './e2e-cli.js';

/**
 * Issue 7, done-when, through the real CLI: `bench run llm.inference --engine sim` prints power_avg_w and
 * joules_per_token that agree within 2% with the simulator's own power model. The test reads the launched
 * simulator's counters itself (energy from its DCGM lines, generated tokens from its engine counter) every
 * ~20 ms while the run goes on, and differences them over the window edges the run stored. The level starts
 * from idle (no warm-up, no gate), so a window placed even 300 ms early gives another energy: the check
 * fails if the edges, the window length or the token count are wrong.
 */

interface CounterPoll {
  tEpochMs: number;
  energyJ: number;
  tokens: number;
}

const GPU_HOURS = JSON.parse(
  readFileSync(join(import.meta.dirname, '../data/pricing/gpu-hours.json'), 'utf8'),
) as { snapshot_date: string; gpus: { gpu: string; usd_per_gpu_hour: number }[] };

/** Polls the simulator's /metrics (vLLM flavor: engine counters plus DCGM lines) until stopped. */
function pollSimCounters(origin: string): { polls: CounterPoll[]; stop: () => Promise<void> } {
  const polls: CounterPoll[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        const text = await (await fetch(`${origin}/metrics`)).text();
        const t1 = performance.now();
        const energy = /^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\} (\S+)$/m.exec(text);
        const tokens = /^vllm:generation_tokens_total(?:\{[^}]*\})? (\S+)$/m.exec(text);
        // The counters were read somewhere between send and receive: take the midpoint, in epoch ms (the
        // clock the run stores its window edges in), and only from quick answers, whose time is sure.
        if (energy && tokens && t1 - t0 <= 20) {
          polls.push({
            tEpochMs: performance.timeOrigin + (t0 + t1) / 2,
            energyJ: Number(energy[1]) / 1000,
            tokens: Number(tokens[1]),
          });
        }
      } catch {
        // The run stops the simulator at its end; the last polls fail.
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    polls,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** A counter at an instant, linearly interpolated between the polls around it. */
function counterAt(polls: CounterPoll[], tEpochMs: number, key: 'energyJ' | 'tokens'): number {
  const i = polls.findIndex((p) => p.tEpochMs >= tEpochMs);
  if (i <= 0) throw new Error(`no polls around ${tEpochMs} (${polls.length} polls)`);
  const a = polls[i - 1]!;
  const b = polls[i]!;
  return a[key] + ((b[key] - a[key]) * (tEpochMs - a.tEpochMs)) / (b.tEpochMs - a.tEpochMs);
}

const COMMON = [
  'run',
  'llm.inference',
  '--engine',
  'sim',
  '--model',
  'llama-3.1-8b',
  '--dataset',
  'synthetic',
  '--tokenizer',
  'words',
  '--input-len',
  '64',
  '--output-len',
  '32',
  '--rate',
  'inf',
  // Start the window from idle: the energy then depends on where the window starts.
  '--warmup-runs',
  '0',
  '--gate-timeout',
  '0',
];

describe('power, energy per token and cost through `bench run --engine sim`', () => {
  let home: { dir: string; cleanup: () => void };
  beforeAll(() => {
    home = e2eHome();
  });
  afterAll(() => home.cleanup());

  it('power_avg_w and joules_per_token agree with the simulator energy counter over the window within 2%', async () => {
    const out = join(home.dir, 'power.json');
    let poller: ReturnType<typeof pollSimCounters> | null = null;
    let simOrigin = '';
    const r = await runBench(
      [...COMMON, '--concurrency', '4', '--duration', '3', '--output', out],
      home.dir,
      {
        onStderr: (all) => {
          const m = /sim ready after [\d.]+ s at (http:\/\/\S+)/.exec(all);
          if (m && poller === null) {
            simOrigin = m[1]!;
            poller = pollSimCounters(simOrigin);
          }
        },
      },
    );
    const p = poller as ReturnType<typeof pollSimCounters> | null;
    await p?.stop();
    assertExit(r);
    expect(p, 'the run never printed the simulator URL').not.toBeNull();
    const polls = p!.polls;

    const doc = readDoc(out);
    const level = doc.levels[0]!;
    const m = level.metrics;
    expect(doc.environment.power?.source).toBe(`dcgm:${simOrigin}/dcgm/metrics`);
    const [ws, we] = level.window_epoch_ms;
    expect(level.window_s).toBe(3);
    expect((we - ws) / 1000).toBeCloseTo(3, 6);
    expect(polls[0]!.tEpochMs).toBeLessThan(ws - 400);
    expect(polls[polls.length - 1]!.tEpochMs).toBeGreaterThan(we);

    const simEnergyJ = counterAt(polls, we, 'energyJ') - counterAt(polls, ws, 'energyJ');
    const simTokens = counterAt(polls, we, 'tokens') - counterAt(polls, ws, 'tokens');
    const energyJ = m.energy_j!.value!;
    const powerAvgW = m.power_avg_w!.value!;
    const jPerTok = m.joules_per_token!.value!;
    const tokS = m.throughput_tok_s!.value!;
    // Measured numbers, for the report when this is run by hand.
    console.log(
      `power: reported ${powerAvgW.toFixed(1)} W, ${energyJ.toFixed(1)} J, ${jPerTok.toFixed(4)} J/tok, ` +
        `${tokS} tok/s; simulator ${(simEnergyJ / 3).toFixed(1)} W, ${simEnergyJ.toFixed(1)} J, ` +
        `${simTokens.toFixed(0)} tokens, ${(simEnergyJ / simTokens).toFixed(4)} J/tok; ${polls.length} polls`,
    );
    expect(relErr(energyJ, simEnergyJ)).toBeLessThan(0.02);
    expect(relErr(powerAvgW, simEnergyJ / level.window_s)).toBeLessThan(0.02);
    expect(relErr(jPerTok, simEnergyJ / simTokens)).toBeLessThan(0.02);
    // The client's own count of tokens that arrived in the window against the engine's counter.
    expect(relErr(tokS * level.window_s, simTokens)).toBeLessThan(0.02);
    // The check sees the edges: the same window 300 ms earlier (mostly idle there) is off by more than 2%.
    const earlyJ = counterAt(polls, we - 300, 'energyJ') - counterAt(polls, ws - 300, 'energyJ');
    console.log(`power: the window 300 ms early holds ${earlyJ.toFixed(1)} J`);
    expect(relErr(earlyJ, energyJ)).toBeGreaterThan(0.02);
    // Idle power, measured before the level, is the model's idle power (reported beside, not subtracted).
    const idleW = doc.environment.power?.idle?.idle_w;
    expect(idleW).not.toBeNull();
    expect(relErr(idleW!, idlePowerW(loadProfile('llama-3.1-8b')))).toBeLessThan(0.02);

    // Printed beside the JSON, the same figures (4 significant digits) with the source.
    const pw = printedMetric(r.stdout, 'power_avg_w');
    expect(pw?.rest).toContain('dcgm:');
    expect(relErr(Number(pw!.value), powerAvgW)).toBeLessThan(1e-3);
    expect(relErr(Number(printedMetric(r.stdout, 'joules_per_token')!.value), jPerTok)).toBeLessThan(1e-3);

    // Self-hosted cost from the shipped H100 price: price x GPUs / (tok/s x 3600) x 1e6, dated.
    const cost = m.cost_usd_per_mtok!;
    const h100 = GPU_HOURS.gpus.find((g) => g.gpu === 'h100')!;
    expect(cost.gpu_hour_usd).toBe(h100.usd_per_gpu_hour);
    expect(cost.gpus).toBe(1);
    expect(cost.snapshot_date).toBe(GPU_HOURS.snapshot_date);
    expect(cost.value).toBeCloseTo(((h100.usd_per_gpu_hour * 1) / (tokS * 3600)) * 1e6, 9);
    const printedCost = printedMetric(r.stdout, 'cost_usd_per_mtok');
    expect(printedCost?.rest).toContain(`prices of ${GPU_HOURS.snapshot_date}`);
    expect(relErr(Number(printedCost!.value), cost.value!)).toBeLessThan(1e-3);
  });

  it('--power-source none gives null figures with a note; --gpu-hour-usd 2 prices by the formula', async () => {
    const out = join(home.dir, 'none.json');
    const r = await runBench(
      [
        ...COMMON,
        '--concurrency',
        '2',
        '--duration',
        '1',
        '--power-source',
        'none',
        '--gpu-hour-usd',
        '2',
        '--output',
        out,
      ],
      home.dir,
    );
    assertExit(r);
    const doc = readDoc(out);
    const level = doc.levels[0]!;
    const m = level.metrics;
    expect(doc.environment.power?.source).toBe('none');
    for (const k of ['power_avg_w', 'energy_j', 'joules_per_token']) expect(m[k]!.value).toBeNull();
    expect(level.notes.some((n) => n.includes('--power-source none'))).toBe(true);
    expect(printedMetric(r.stdout, 'power_avg_w')?.value).toBe('n/a');
    expect(printedMetric(r.stdout, 'joules_per_token')?.value).toBe('n/a');

    const tokS = m.throughput_tok_s!.value!;
    const cost = m.cost_usd_per_mtok!;
    expect(cost.gpu_hour_usd).toBe(2);
    expect(cost.value).toBeCloseTo(((2 * 1) / (tokS * 3600)) * 1e6, 9);
    expect(printedMetric(r.stdout, 'cost_usd_per_mtok')?.rest).toContain('--gpu-hour-usd');
  });
});
