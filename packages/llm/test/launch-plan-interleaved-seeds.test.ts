import { describe, expect, it } from 'vitest';
import { planLaunches } from '../src/compare/launch-plan.js';
import { testPlan } from './fixtures/engines/helpers.js';

const order = (set: ReturnType<typeof planLaunches>) =>
  set!.launches.map((l) => `${l.side}#${l.launch}@${l.seed}`);

describe('planLaunches: the launch set of a plan (SPEC §10)', () => {
  it('interleaves the engines A B A B A B, 3 launches each by default, seed + launch - 1', () => {
    const set = planLaunches(testPlan({ engine: 'vllm,sglang' }), 42);
    expect(set!.sides).toEqual(['vllm', 'sglang']);
    expect(order(set)).toEqual([
      'vllm#1@42',
      'sglang#1@42',
      'vllm#2@43',
      'sglang#2@43',
      'vllm#3@44',
      'sglang#3@44',
    ]);
    expect(set!.launches.map((l) => l.plan.engine)).toEqual([
      'vllm',
      'sglang',
      'vllm',
      'sglang',
      'vllm',
      'sglang',
    ]);
  });

  it('is no launch set for one engine and one launch, repeated launches for --launches N', () => {
    expect(planLaunches(testPlan({ engine: 'vllm' }), 42)).toBeNull();
    expect(planLaunches(testPlan({ engine: 'vllm', launches: 1 }), 42)).toBeNull();
    expect(order(planLaunches(testPlan({ engine: 'vllm', launches: 4 }), 7))).toEqual([
      'vllm#1@7',
      'vllm#2@8',
      'vllm#3@9',
      'vllm#4@10',
    ]);
  });

  it('refuses 2 launches per side of a comparison and says why, but takes an explicit --launches 1', () => {
    expect(() => planLaunches(testPlan({ engine: 'vllm,sglang', launches: 2 }), 42)).toThrow(
      /--launches 2 is too few to compare vllm vs sglang: a comparison needs >= 3 independent launches per side/,
    );
    expect(order(planLaunches(testPlan({ engine: 'vllm,sglang', launches: 1 }), 42))).toEqual([
      'vllm#1@42',
      'sglang#1@42',
    ]);
  });

  it('--vary quant=fp8,bf16 makes one side per config, each value parsed by its option', () => {
    const set = planLaunches(testPlan({ engine: 'vllm', vary: 'quant=fp8,bf16' }), 42);
    expect(set!.sides).toEqual(['quant=fp8', 'quant=bf16']);
    expect(set!.launches.map((l) => l.plan.quant)).toEqual(['fp8', 'bf16', 'fp8', 'bf16', 'fp8', 'bf16']);
    expect(set!.launches[0]!.plan).not.toHaveProperty('vary');
    const yaml = planLaunches(
      testPlan({
        engine: 'vllm',
        launches: 3,
        vary: [{ tp: 1 }, { tp: '2', 'engine-arg': '--enforce-eager' }],
      }),
      42,
    );
    expect(yaml!.sides).toEqual(['tp=1', 'tp=2+engine-arg=--enforce-eager']);
    expect(yaml!.launches[1]!.plan).toMatchObject({ tp: 2, engineArg: ['--enforce-eager'] });
    // Engines times configs.
    expect(planLaunches(testPlan({ engine: 'vllm,sglang', vary: 'quant=fp8,bf16' }), 1)!.sides).toEqual([
      'vllm/quant=fp8',
      'vllm/quant=bf16',
      'sglang/quant=fp8',
      'sglang/quant=bf16',
    ]);
  });

  it('rejects unknown engines, repeated names, bad --vary keys and values, and --endpoint', () => {
    expect(() => planLaunches(testPlan({ engine: 'vllm,sglng' }), 42)).toThrow(/unknown engine "sglng"/);
    expect(() => planLaunches(testPlan({ engine: 'vllm,vllm' }), 42)).toThrow(/names vllm twice/);
    expect(() => planLaunches(testPlan({ engine: 'vllm', vary: 'quant' }), 42)).toThrow(
      /invalid value 'quant' for --vary/,
    );
    expect(() => planLaunches(testPlan({ engine: 'vllm', vary: 'colour=red,blue' }), 42)).toThrow(
      /--vary cannot vary 'colour'/,
    );
    expect(() => planLaunches(testPlan({ engine: 'vllm', vary: 'engine=vllm,sglang' }), 42)).toThrow(
      /--vary cannot vary 'engine'/,
    );
    expect(() => planLaunches(testPlan({ engine: 'vllm', vary: 'tp=1,zero' }), 42)).toThrow(
      /invalid value 'zero' for tp in --vary/,
    );
    expect(() => planLaunches(testPlan({ engine: 'vllm', vary: 'quant=fp8' }), 42)).toThrow(
      /at least two configs/,
    );
    expect(() =>
      planLaunches(testPlan({ engine: 'openai,vllm', endpoint: 'http://127.0.0.1:1/v1' }), 42),
    ).toThrow(/--endpoint attaches to one running server/);
  });
});
