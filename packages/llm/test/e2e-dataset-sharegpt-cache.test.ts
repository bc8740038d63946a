import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertExit, type E2eDoc, e2eHome, readDoc, runBench } from './e2e-cli.js';
import type { HubFixture } from './fixtures/datasets/hub-server.js';
import { startHubFixture } from './fixtures/datasets/hub-server.js';
import { defaultHubFiles, FIXTURE_COMMIT, TOKENIZER_REPO } from './fixtures/datasets/test-env.js';

/**
 * Issue 5, done-when, through the real CLI against the local hub fixture (HF_ENDPOINT): the first
 * `--dataset sharegpt-v3` run downloads the file and the tokenizer and builds the subset; later runs
 * use the cache and send the hub nothing; the requests sampled for a seed are the same on every run
 * (compared per request by prompt and output token counts), and another seed samples others.
 */

const args = (seed: number, out: string): string[] => [
  'run',
  'llm.inference',
  '--engine',
  'sim',
  '--model',
  'llama-3.1-8b',
  '--dataset',
  'sharegpt-v3',
  '--dataset-revision',
  FIXTURE_COMMIT,
  '--tokenizer',
  TOKENIZER_REPO,
  '--concurrency',
  '4',
  '--rate',
  'inf',
  '--duration',
  '1',
  '--warmup-runs',
  '0',
  '--gate-timeout',
  '0',
  '--power-source',
  'none',
  '--seed',
  String(seed),
  '--output',
  out,
];

/**
 * `level/seq` -> `n_in/n_out` for every request of a stored run that was answered: what was sampled, in
 * order (`bench runs show --format json` carries every request record).
 */
async function sampled(home: string, doc: E2eDoc): Promise<Map<string, string>> {
  const shown = await runBench(['runs', 'show', doc.run_id, '--format', 'json'], home);
  assertExit(shown);
  const records = (JSON.parse(shown.stdout) as E2eDoc).requests ?? [];
  const out = new Map<string, string>();
  for (const r of records) {
    if (r.status !== 'ok') continue;
    out.set(`${r.level}/${r.seq}`, `${r.n_in}/${r.n_out}`);
  }
  return out;
}

describe('`bench run --dataset sharegpt-v3` against a local hub', () => {
  let home: { dir: string; cleanup: () => void };
  let hub: HubFixture;
  let env: Record<string, string>;
  beforeAll(async () => {
    home = e2eHome();
    hub = await startHubFixture(defaultHubFiles());
    env = { HF_ENDPOINT: hub.endpoint, HF_HUB_OFFLINE: '', HF_TOKEN: '' };
  });
  afterAll(async () => {
    await hub.stop();
    home.cleanup();
  });

  it('builds and caches the subset once; the same seed samples the same requests, another seed others', async () => {
    const first = await runBench(args(42, join(home.dir, 'a.json')), home.dir, { env });
    assertExit(first);
    const a = readDoc(join(home.dir, 'a.json'));
    const downloads = hub.requests.filter((q) => q.method === 'GET');
    // The file is resolved on the hub and fetched from its CDN (a redirect), as on the real hub.
    expect(hub.requests.some((q) => q.path.includes('ShareGPT_V3'))).toBe(true);
    expect(downloads.some((q) => q.path.startsWith('/cdn/'))).toBe(true);
    expect(downloads.some((q) => q.path.endsWith('/tokenizer.json'))).toBe(true);
    expect(a.environment.dataset?.id).toBe('sharegpt-v3');
    expect(a.environment.dataset?.meta.subsetFromCache).toBe(false);
    expect(a.environment.dataset?.meta.sourceCommit).toBe(FIXTURE_COMMIT);
    expect(existsSync(join(home.dir, 'datasets'))).toBe(true);
    expect(readdirSync(join(home.dir, 'datasets')).length).toBeGreaterThan(0);

    const seenByHub = hub.requests.length;
    const second = await runBench(args(42, join(home.dir, 'b.json')), home.dir, { env });
    assertExit(second);
    const b = readDoc(join(home.dir, 'b.json'));
    expect(hub.requests.slice(seenByHub)).toEqual([]);
    expect(b.environment.dataset?.meta.subsetFromCache).toBe(true);
    expect(b.environment.dataset?.checksum).toBe(a.environment.dataset?.checksum);

    // The same seed: every request both runs sent asked for the same prompt and output lengths.
    const sa = await sampled(home.dir, a);
    const sb = await sampled(home.dir, b);
    const common = [...sa.keys()].filter((k) => sb.has(k));
    expect(common.length).toBeGreaterThanOrEqual(4);
    for (const k of common) expect(sb.get(k), k).toBe(sa.get(k));

    const third = await runBench(args(7, join(home.dir, 'c.json')), home.dir, { env });
    assertExit(third);
    expect(hub.requests.slice(seenByHub)).toEqual([]);
    const sc = await sampled(home.dir, readDoc(join(home.dir, 'c.json')));
    const commonC = [...sa.keys()].filter((k) => sc.has(k));
    expect(commonC.length).toBeGreaterThanOrEqual(4);
    const same = commonC.filter((k) => sc.get(k) === sa.get(k)).length;
    // Distinct turns can share both lengths by chance; most must differ.
    expect(same).toBeLessThan(commonC.length / 2);
  });
});
