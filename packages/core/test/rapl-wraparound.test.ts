import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';
import type { PowerMeter } from '../src/telemetry/types.js';
import { sleep } from './fixtures/power/dcgm-server.js';

let meter: PowerMeter | null = null;
let writer: NodeJS.Timeout | null = null;
let root: string | null = null;
afterEach(async () => {
  if (writer) clearInterval(writer);
  await meter?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A fake powercap tree: package zones at constant power whose counters wrap at max_energy_range_uj. */
function fakePowercap(zones: { watts: number; maxRangeUj: number; startUj: number }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ib-rapl-'));
  const t0 = performance.now();
  const write = (): void => {
    const elapsedS = (performance.now() - t0) / 1000;
    zones.forEach((z, i) => {
      const uj = Math.floor(z.startUj + z.watts * 1e6 * elapsedS) % z.maxRangeUj;
      writeFileSync(join(dir, `intel-rapl:${i}`, 'energy_uj'), `${uj}\n`);
    });
  };
  zones.forEach((z, i) => {
    const zone = join(dir, `intel-rapl:${i}`);
    mkdirSync(join(zone, `intel-rapl:${i}:0`), { recursive: true });
    writeFileSync(join(zone, 'name'), `package-${i}\n`);
    writeFileSync(join(zone, 'max_energy_range_uj'), `${z.maxRangeUj}\n`);
    // A core subzone with a wildly different counter: summing it would show in the result.
    writeFileSync(join(zone, `intel-rapl:${i}:0`, 'energy_uj'), '999999999\n');
    writeFileSync(join(zone, `intel-rapl:${i}:0`, 'name'), 'core\n');
  });
  write();
  writer = setInterval(write, 20);
  return dir;
}

test('RAPL energy is correct across counter wraparound and counts package zones only', async () => {
  // Package 0 at 50 W wraps every 1.2 s (60 J range); package 1 at 25 W starts just below its wrap.
  root = fakePowercap([
    { watts: 50, maxRangeUj: 60_000_000, startUj: 0 },
    { watts: 25, maxRangeUj: 262_143_328_850, startUj: 262_143_000_000 },
  ]);
  // The root comes from the environment variable the tests and docs name.
  meter = await createPowerMeter({ source: 'rapl', env: { INFERENCEBENCH_RAPL_ROOT: root } });
  expect(meter.source).toBe('rapl');
  expect(meter.devices).toEqual([
    { index: 0, name: 'package-0', powerLimitW: null },
    { index: 1, name: 'package-1', powerLimitW: null },
  ]);
  await meter.start();
  await sleep(250);
  const startMs = performance.now();
  await sleep(2600); // at least two wraps of package 0, one of package 1
  const endMs = performance.now();
  await sleep(200);
  const w = meter.window(startMs, endMs);
  expect(w.method).toBe('counter');
  expect(w.valid).toBe(true);
  const expectedJ = 75 * ((endMs - startMs) / 1000);
  expect(Math.abs(w.energyJ! - expectedJ) / expectedJ).toBeLessThan(0.03);
  expect(Math.abs(w.powerAvgW! - 75) / 75).toBeLessThan(0.03);
});
