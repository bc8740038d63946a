import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';

let root: string | null = null;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const DIST = fileURLToPath(new URL('../dist', import.meta.url));

test('an energy_uj readable by root only gives a clear "needs root" error with a hint', async () => {
  root = mkdtempSync(join(tmpdir(), 'ib-rapl-root-'));
  chmodSync(root, 0o755);
  const zone = join(root, 'intel-rapl:0');
  mkdirSync(zone);
  writeFileSync(join(zone, 'name'), 'package-0\n');
  writeFileSync(join(zone, 'energy_uj'), '12345\n');
  chmodSync(join(zone, 'energy_uj'), 0o400);
  let result: { code?: string; message?: string; hint?: string };
  if (process.getuid?.() !== 0) {
    result = (await createPowerMeter({ source: 'rapl', raplRoot: root }).catch(
      (e: unknown) => e,
    )) as typeof result;
  } else {
    // Root reads anything, as on a real machine: read as an unprivileged user in a child process instead.
    // The checkout may sit under a directory that user cannot enter (a clone in /root, mode 0700): the
    // child loads a copy of the built core from the world-readable temporary directory instead.
    expect(existsSync(join(DIST, 'telemetry/power.js')), 'build first: npx tsc -b packages/core').toBe(true);
    const copy = join(root, 'core');
    cpSync(DIST, join(copy, 'dist'), { recursive: true });
    writeFileSync(join(copy, 'package.json'), '{"type": "module"}\n');
    const power = join(copy, 'dist/telemetry/power.js');
    const script = `import(${JSON.stringify(power)}).then(m => m.createPowerMeter({ source: 'rapl', raplRoot: ${JSON.stringify(root)} }))
      .then(() => console.log('{}'), e => console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })))`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      cwd: root,
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    result = JSON.parse(child.stdout.trim());
  }
  expect(result.code).toBe('BENCH_ERR_POWER');
  expect(result.message).toMatch(/^reading RAPL energy needs root \(.*intel-rapl:0\/energy_uj/);
  expect(result.hint).toMatch(/chmod|root/);
});
