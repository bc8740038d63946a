import { afterAll, expect, it } from 'vitest';
import { benchEnv, runArgs, runBench, sandbox } from './e2e-helpers.js';

const box = sandbox();
afterAll(() => box.cleanup());

it('a sharded run without its index, group or a fixed rate is refused in one line before anything starts', async () => {
  const cases: [string[], RegExp][] = [
    [['--shards', '4', '--rate', '5', '--shard-group', 'g'], /--shards 4 needs a shard index 0\.\.3/],
    [['--shards', '4', '--rate', '5', '--shard-index', '1'], /--shards needs --shard-group/],
    [['--shards', '4', '--shard-index', '1', '--shard-group', 'g'], /--shards needs a fixed --rate/],
    [
      ['--shards', '4', '--rate', '5', '--shard-index', '4', '--shard-group', 'g'],
      /--shards 4 needs a shard index/,
    ],
    [['--shards', '4', '--rate', '5', '--concurrency', '2'], /--concurrency 2 is smaller than --shards 4/],
    [
      ['--shards', '4', '--rate', '5', '--shard-index', '1', '--shard-group', 'g'],
      /--shards needs --endpoint/,
    ],
  ];
  for (const [extra, message] of cases) {
    // Every case but the last one names an endpoint, so that the check it is about is the one that fails.
    const endpoint = message.source.includes('endpoint') ? [] : ['--endpoint', 'http://127.0.0.1:9/v1'];
    const r = await runBench(
      runArgs('sim', ['--concurrency', '8', ...endpoint, ...extra]),
      benchEnv(box, { JOB_COMPLETION_INDEX: '' }),
      20_000,
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${message.source}`, 'm'));
    expect(r.stderr).not.toMatch(/^run: /m); // no run was recorded
  }
});
