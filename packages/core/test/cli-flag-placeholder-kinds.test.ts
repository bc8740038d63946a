import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flagSpec } from '../src/cli/argv.js';

const decl = (flag: string) => ({ key: 'x', flag, description: 'x', schema: z.unknown() });

describe('flag placeholders', () => {
  it('treats <arg...> as variadic but <k=v,...> as one value (a documented list, e.g. --slo)', () => {
    expect(flagSpec(decl('--engine-arg <arg...>')).kind).toBe('variadic');
    expect(flagSpec(decl('--slo <k=v,...>')).kind).toBe('value');
    expect(flagSpec(decl('--concurrency <list>')).kind).toBe('value');
    expect(flagSpec(decl('--quiet')).kind).toBe('boolean');
  });
});
