import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { createPowerMeter } from '../src/telemetry/power.js';

let root: string | null = null;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const DIST = fileURLToPath(new URL('../dist/telemetry/power.js', import.meta.url));

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
    expect(existsSync(DIST), 'build first: npx tsc -b packages/core').toBe(true);
    const script = `import(${JSON.stringify(DIST)}).then(m => m.createPowerMeter({ source: 'rapl', raplRoot: ${JSON.stringify(root)} }))
      .then(() => console.log('{}'), e => console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })))`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    result = JSON.parse(child.stdout.trim());
  }
  expect(result.code).toBe('BENCH_ERR_POWER');
  expect(result.message).toMatch(/^reading RAPL energy needs root \(.*intel-rapl:0\/energy_uj/);
  expect(result.hint).toMatch(/chmod|root/);
});
