import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { echoPlugin, runCli, tempHome } from './helpers/cli.js';

const home = tempHome();
const plugin = echoPlugin(home.dir);
afterAll(home.cleanup);

it('defaults < config < flags; config keys in camelCase or kebab-case; the plan line is printed first', async () => {
  const path = join(home.dir, 'run.yaml');
  // `label` by key, `seed` by key, `plugin-module` by its kebab flag name.
  writeFileSync(path, `count: 7\nlabel: from-config\nseed: 9\nplugin-module: ${plugin}\n`);
  const r = await runCli(
    ['run', 'test.echo', '--config', path, '--count', '2', '--format', 'json'],
    home.dir,
  );
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.plan).toEqual({ count: 2, label: 'from-config', seed: 9 });
  expect(doc.summary.label).toBe('from-config');
  expect(doc.records.requests).toBe(2);
  const planLine = r.stderr.split('\n').find((l) => l.startsWith('plan: '));
  expect(JSON.parse(planLine!.slice('plan: '.length))).toEqual({ count: 2, label: 'from-config', seed: 9 });
});
