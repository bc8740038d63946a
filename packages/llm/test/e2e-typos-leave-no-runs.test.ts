import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runArgs } from './e2e-helpers.js';
import { e2eHome, runBench } from './e2e-cli.js';

const home = e2eHome();
afterAll(home.cleanup);
const store = join(home.dir, 'store.sqlite');
const sub = join(home.dir, 'a-directory');
mkdirSync(sub);
const notJson = join(home.dir, 'notes.txt');
writeFileSync(notJson, 'these are my prompts\n');
const hugeLen = join(home.dir, 'huge.jsonl');
writeFileSync(hugeLen, '{"prompt": "hello", "output_len": 1e300}\n');

/**
 * Each is a typo or an absurd value that used to be found only after the engine was up (or not at all),
 * leaving a `failed` run behind: now one line, exit 2, nothing started, nothing stored (SPEC §14).
 */
const TYPOS: [string, string[], RegExp][] = [
  ['unknown power source', ['--power-source', 'foo'], /unknown --power-source "foo"/],
  ['dcgm without a URL', ['--power-source', 'dcgm:localhost'], /dcgm: needs an http\(s\) URL/],
  ['unknown engine', ['--engine', 'vlm'], /unknown engine "vlm"/],
  ['unknown dataset', ['--dataset', 'sharegpt'], /unknown dataset "sharegpt"/],
  [
    'missing dataset file',
    ['--dataset', `file:${join(home.dir, 'nope.jsonl')}`],
    /nope\.jsonl: no such file/,
  ],
  ['dataset file is a directory', ['--dataset', `file:${sub}`], /is a directory, not a file/],
  [
    'dataset file is not JSON',
    ['--dataset', `file:${notJson}`],
    /is not JSON \(it starts with "these are my prom/,
  ],
  [
    'output_len 1e300 in the file',
    ['--dataset', `file:${hugeLen}`],
    /line 1: "output_len" must be a positive integer/,
  ],
  ['unknown provider', ['--provider', 'opnai'], /unknown --provider "opnai"/],
  ['a tokenizer name that cannot resolve', ['--tokenizer', 'llama3'], /"llama3" is not a hub id/],
  ['a window of 1e-9 s', ['--duration', '1e-9'], /--duration 1e-9 is out of range/],
  ['a rate of 1e9 req/s', ['--rate', '1e9'], /--rate 1000000000 is out of range/],
  ['a concurrency of a billion', ['--concurrency', '1000000000'], /--concurrency 1000000000 is out of range/],
  ['an output length of 1e300', ['--output-len', '1e300'], /invalid value '1e300' for --output-len/],
  ['a negative duration', ['--duration', '-5'], /invalid value '-5' for --duration/],
  ['NaN as a rate', ['--rate', 'NaN'], /invalid value 'NaN' for --rate/],
  [
    'a timeout setTimeout cannot hold',
    ['--request-timeout', '1e12'],
    /--request-timeout 1000000000000 is out of range/,
  ],
  [
    'an unset --api-key-env variable',
    ['--api-key-env', 'NO_SUCH_VAR_XYZ'],
    /NO_SUCH_VAR_XYZ \(--api-key-env\) is not set/,
  ],
  ['an unknown SLO template', ['--slo-template', 'llm.standrd'], /unknown SLO template/],
];

describe('typos and absurd values: exit 2, one line, no engine, no run record', () => {
  for (const [what, extra, message] of TYPOS) {
    it(what, async () => {
      const started = performance.now();
      const r = await runBench([...runArgs('sim', extra), '--store', store], home.dir, { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: [^\n]+\nhint: [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
      // Nothing was launched: the simulator alone takes over a second to become ready.
      expect(r.stderr).not.toContain('run: ');
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }

  it('a missing dataset file is named before any tokenizer download (the hub is unreachable here)', async () => {
    const args = runArgs('sim', ['--tokenizer', 'org/some-tokenizer', '--dataset', 'file:./missing.json']);
    const r = await runBench([...args, '--store', store], home.dir, {
      env: { HF_ENDPOINT: 'http://127.0.0.1:9' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: file:\.\/missing\.json: no such file\n/);
    expect(r.stderr).not.toMatch(/tokenizer|ECONNREFUSED/);
  });

  it('the store holds zero runs after all of them: it was not even created', () => {
    expect(existsSync(store)).toBe(false);
  });

  it('a good run in the same store is still recorded (the checks do not refuse everything)', async () => {
    const r = await runBench(
      [...runArgs('sim', ['--power-source', 'none']), '--store', store, '--quiet'],
      home.dir,
    );
    expect(r.code, r.stderr).toBe(0);
    const list = await runBench(['runs', 'list', '--format', 'json', '--store', store], home.dir);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  }, 60_000);
});
