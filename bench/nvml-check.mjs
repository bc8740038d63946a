#!/usr/bin/env node
// Checks the NVML FFI path on a machine with an NVIDIA GPU (it cannot run in CI).
// Run after `npx tsc -b packages/core`:  node bench/nvml-check.mjs
// Prints the device count, names and power limits, the energy counter delta over 2 s next to the
// mean of instantaneous power over the same 2 s, and a window from the full meter for comparison.
import { openNvml } from '../packages/core/dist/telemetry/nvml.js';
import { createPowerMeter } from '../packages/core/dist/telemetry/power.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const nvml = await openNvml();
const count = nvml.deviceCount();
console.log(`nvml devices: ${count}`);
const handles = Array.from({ length: count }, (_, i) => nvml.handle(i));
handles.forEach((h, i) => {
  console.log(
    `  gpu ${i}: ${nvml.name(h)}  power limit ${nvml.powerLimitW(h) ?? 'n/a'} W  instant ${nvml.powerW(h).toFixed(1)} W`,
  );
});

// Raw calls: counter difference over 2 s versus the mean of instantaneous power sampled at 10 Hz.
const e0 = handles.map((h) => nvml.totalEnergyJ(h));
const t0 = performance.now();
const sums = handles.map(() => 0);
let n = 0;
while (performance.now() - t0 < 2000) {
  handles.forEach((h, i) => {
    sums[i] += nvml.powerW(h);
  });
  n++;
  await sleep(100);
}
const dtS = (performance.now() - t0) / 1000;
const e1 = handles.map((h) => nvml.totalEnergyJ(h));
handles.forEach((_, i) => {
  const dJ = e1[i] - e0[i];
  console.log(
    `  gpu ${i}: energy counter delta ${dJ.toFixed(2)} J over ${dtS.toFixed(2)} s = ${(dJ / dtS).toFixed(1)} W; mean instant power ${(sums[i] / n).toFixed(1)} W (${n} samples)`,
  );
});
nvml.shutdown();

// The meter end to end: a 2 s window, counter method.
const meter = await createPowerMeter({ source: 'nvml' });
await meter.start();
await sleep(300);
const ws = performance.now();
await sleep(2000);
const we = performance.now();
await sleep(200);
console.log('meter window:', JSON.stringify(meter.window(ws, we)));
console.log(`meter samples: ${meter.samples().length}, last ${JSON.stringify(meter.samples().at(-1))}`);
await meter.stop();
