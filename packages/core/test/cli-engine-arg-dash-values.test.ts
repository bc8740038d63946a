import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseArgv } from '../src/cli/argv.js';
import { coreRunOptions } from '../src/cli/core-options.js';

const decls = [
  { key: 'engineArg', flag: '--engine-arg <arg...>', description: 'x', schema: z.unknown() },
  { key: 'model', flag: '--model <id>', description: 'x', schema: z.unknown() },
  { key: 'quiet', flag: '--quiet', description: 'x', schema: z.unknown() },
];

// Issue 10 §4: almost every llama-server flag starts with `-`, so --engine-arg must take such values.
describe('--engine-arg takes values that start with a dash', () => {
  it('-t then 8 as two repetitions, and a long flag with its value', () => {
    const p = parseArgv(
      ['--engine-arg', '-t', '--engine-arg', '8', '--engine-arg', '--ctx-size', '--engine-arg', '4096'],
      decls,
    );
    expect(p.values.get('engineArg')).toEqual(['-t', '8', '--ctx-size', '4096']);
  });

  it('a flag and its value after one --engine-arg, then the next option', () => {
    const p = parseArgv(['--engine-arg', '-ngl', '99', '--model', 'm', '--quiet'], decls);
    expect(p.values.get('engineArg')).toEqual(['-ngl', '99']);
    expect(p.values.get('model')).toBe('m');
    expect(p.values.get('quiet')).toBe(true);
  });

  it('the inline form --engine-arg=-t', () => {
    const p = parseArgv(['--engine-arg=-t', '--engine-arg=4', '--model', 'm'], decls);
    expect(p.values.get('engineArg')).toEqual(['-t', '4']);
  });

  it('the first pass of `bench run` (core options only) keeps such values with the unknown flag', () => {
    const p = parseArgv(['--engine-arg', '-t', '--engine-arg', '1', '--seed', '7'], coreRunOptions, {
      allowUnknown: true,
    });
    expect(p.unknown).toEqual(['--engine-arg', '-t', '--engine-arg', '1']);
    expect(p.values.get('seed')).toBe('7');
  });

  it('still says a value is missing at the end of the line', () => {
    expect(() => parseArgv(['--model', 'm', '--engine-arg'], decls)).toThrow(/--engine-arg needs a value/);
  });
});
