import { expect, test } from 'vitest';
import { jsonArrayElements } from '../src/datasets/json-array-stream.js';

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(text: string, size: number) {
  const out = [];
  for await (const el of jsonArrayElements(chunked(text, size))) out.push(el);
  return out;
}

const values = [
  { id: 'a', conversations: [{ from: 'human', value: 'brackets ] } [ { and "quotes" \\ and ✓ ünï' }] },
  'a string, with a comma ] and \\"',
  42,
  null,
  [1, [2, { x: '}' }]],
  { nested: { deep: [true, false] } },
];

test('each element comes out whole, whatever the chunk boundaries, with its byte range', async () => {
  const text = ` \n[\n  ${values.map((v) => JSON.stringify(v, null, 1)).join(' ,\n  ')}\n]\n`;
  for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
    const els = await collect(text, size);
    expect(els.map((e) => JSON.parse(e.bytes.toString('utf8')))).toEqual(values);
    expect(els.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const bytes = Buffer.from(text);
    for (const e of els) expect(bytes.subarray(e.start, e.end).equals(e.bytes)).toBe(true);
  }
});

test('an empty array has no elements; non-arrays and truncated files are refused', async () => {
  expect(await collect('[ ]', 1)).toEqual([]);
  await expect(collect('{"a": 1}', 4)).rejects.toThrow(/not a JSON array/);
  await expect(collect('[{"a": [1, 2]}, {"b": "x', 3)).rejects.toThrow(/not closed/);
  await expect(collect('[{} {}]', 3)).rejects.toThrow(/missing ,/);
  await expect(collect('[1], 2', 3)).rejects.toThrow(/after the closing/);
});
