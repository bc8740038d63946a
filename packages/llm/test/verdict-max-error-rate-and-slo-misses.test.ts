import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { e2eHome, runBench } from './e2e-cli.js';
import { attachArgs, startFailingServer } from './failing-server.js';

interface Level {
  valid: boolean;
  flags: { error_rate_exceeded: boolean };
  metrics: Record<string, { value: number | null }>;
  slo: { holds: boolean; ttft_p99_ms: number | 'inf' | null };
  notes: string[];
}
interface Doc {
  status: string;
  levels: Level[];
  summary: { goodput_at_slo: { req_s: number }; gate_failures: string[] };
}

const lenient = ['--slo', 'ttft_p99_ms=60000,tpot_p99_ms=60000'];
// A gate that passes at once on this steady server (CoV of 4 TPOTs below 0.9), so only the checks under test fail.
const short = [
  '--concurrency',
  '2',
  '--rate',
  'inf',
  '--duration',
  '2',
  '--warmup-runs',
  '0',
  '--gate-window',
  '4',
  '--gate-cov',
  '0.9',
  '--gate-timeout',
  '10',
];

describe('--max-error-rate and failures as misses (SPEC §6, §14)', () => {
  const home = e2eHome();
  afterAll(() => home.cleanup());

  it('a level with 1 error in 4 is invalid, flagged, cannot hold even a lenient SLO; the warning names the checks', async () => {
    // The probe (0) succeeds; then every fourth request answers 500: a 25% error rate.
    const server = await startFailingServer({ ok: (n) => n === 0 || n % 4 !== 0, status: 500 });
    const out = join(home.dir, 'errors.json');
    const r = await runBench(
      attachArgs(server.baseUrl, join(home.dir, 'errors.sqlite'), [...short, ...lenient, '--output', out]),
      home.dir,
    );
    await server.close();
    // Complete (requests succeeded), exit 0 without --strict; the warning says which checks failed.
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /SLO custom missed: no level holds it; error rate above --max-error-rate: level 1 \(c=2\)/,
    );
    expect(r.stderr).not.toMatch(/a gate failed/);
    const doc = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8')) as Doc;
    expect(doc.status).toBe('complete');
    const l = doc.levels[0]!;
    expect(l.metrics.error_rate!.value!).toBeGreaterThan(0.2);
    expect(l.valid).toBe(false);
    expect(l.flags.error_rate_exceeded).toBe(true);
    expect(l.slo.holds).toBe(false);
    // Failures are misses: with 25% errors the p99 that judges the SLO is infinite.
    expect(l.slo.ttft_p99_ms).toBe('inf');
    expect(l.notes.join('\n')).toMatch(/invalid: error rate \d+\.\d% > --max-error-rate 5\.0%/);
    expect(doc.summary.goodput_at_slo.req_s).toBe(0);
    expect(r.stdout).toMatch(/INVALID,error-rate/);
    // --strict: exit 1 with the same words.
    const server2 = await startFailingServer({ ok: (n) => n === 0 || n % 4 !== 0, status: 500 });
    const strict = await runBench(
      attachArgs(server2.baseUrl, join(home.dir, 'strict.sqlite'), [...short, ...lenient, '--strict']),
      home.dir,
    );
    await server2.close();
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /error: run \w+ completed but SLO custom missed: no level holds it; error rate above/,
    );
  });

  it('with --max-error-rate 0.5 the same level is valid, yet its failures still keep the p99 SLO from holding', async () => {
    const server = await startFailingServer({ ok: (n) => n === 0 || n % 4 !== 0, status: 500 });
    const out = join(home.dir, 'lenient.json');
    const r = await runBench(
      attachArgs(server.baseUrl, join(home.dir, 'lenient.sqlite'), [
        ...short,
        ...lenient,
        '--max-error-rate',
        '0.5',
        '--output',
        out,
      ]),
      home.dir,
    );
    await server.close();
    expect(r.code).toBe(0);
    const l = (JSON.parse((await import('node:fs')).readFileSync(out, 'utf8')) as Doc).levels[0]!;
    expect(l.valid).toBe(true);
    expect(l.slo.ttft_p99_ms).toBe('inf');
    expect(l.slo.holds).toBe(false);
    // The successful requests alone are fast: their own p99 would have held.
    expect(l.metrics.ttft_p99_ms!.value!).toBeLessThan(60000);
  });

  it('a clean level that misses only the SLO says "SLO missed", not "a gate failed"', async () => {
    const server = await startFailingServer({ ok: () => true });
    const r = await runBench(
      attachArgs(server.baseUrl, join(home.dir, 'tight.sqlite'), [...short, '--slo', 'ttft_p99_ms=0.001']),
      home.dir,
    );
    await server.close();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /SLO custom missed: no level holds it \(see the flagged levels\); --strict makes this exit 1/,
    );
    expect(r.stderr).not.toMatch(/not converged/);
  });
});
