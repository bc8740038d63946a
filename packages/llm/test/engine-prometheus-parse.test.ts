import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../src/engines/index.js';

describe('parsePrometheusText', () => {
  it('reads names, labels (with escapes and commas) and values, skipping comments and junk', () => {
    const text = [
      '# HELP a_total Things.',
      'a_total 12',
      'b{x="1",y="a,b \\"q\\""} 3.5e+02 1700000000000',
      'c{le="+Inf"} +Inf',
      'garbage-line-without-value',
      'd{} NaN',
      '',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      { name: 'a_total', labels: {}, value: 12 },
      { name: 'b', labels: { x: '1', y: 'a,b "q"' }, value: 350 },
      { name: 'c', labels: { le: '+Inf' }, value: Number.POSITIVE_INFINITY },
    ]);
  });
});
