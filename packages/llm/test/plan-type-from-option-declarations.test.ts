import { describe, expect, it } from 'vitest';
import { LLM_OPTIONS, llmOptions } from '../src/options.js';

describe('the plan comes from the option declarations', () => {
  it('every option is declared once, its default is a value of its own type, and time keys carry units', () => {
    const keys = llmOptions.map((o) => o.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(Object.keys(LLM_OPTIONS));
    for (const o of llmOptions) {
      if (o.default === undefined) continue;
      // The schema accepts its own default unchanged (the declaration's type guarantees it at compile time).
      expect(o.schema.safeParse(o.default).data, o.key).toEqual(o.default);
    }
    for (const k of ['durationS', 'gateTimeoutS', 'drainTimeoutS', 'requestTimeoutS'])
      expect(keys).toContain(k);
    expect(keys).not.toContain('duration');
    // The flags stay as users type them.
    expect(llmOptions.find((o) => o.key === 'durationS')!.flag).toBe('--duration <s>');
  });
});
