import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { checkUserFile } from '../src/datasets/user-file.js';
import { datasetContext, datasetOptions } from './fixtures/datasets/test-env.js';

const dir = mkdtempSync(join(tmpdir(), 'ib-userfile-kinds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const load = (path: string) =>
  loadDataset(
    datasetOptions({ dataset: `file:${path}`, model: 'm', tokenizer: 'words', inputLen: 8, outputLen: 16 }),
    datasetContext(1),
  );

/** The error `checkUserFile` gives: one printable line, exit 2. */
async function refusal(path: string): Promise<string> {
  const err = (await checkUserFile(path).then(
    () => null,
    (e: unknown) => e,
  )) as (Error & { code: string; exitCode: number }) | null;
  expect(err, `${path} was accepted`).not.toBeNull();
  expect(err!.code).toBe('BENCH_ERR_DATASET');
  expect(err!.exitCode).toBe(2);
  // Nothing raw from the file: no control characters, no replacement characters, one line.
  expect(err!.message).not.toMatch(/[\u0000-\u001f\u007f\ufffd]/);
  return err!.message;
}

// Issue 14, hostile inputs: every kind of path that is not a dataset file gets its own line, at once.
describe('what a file: dataset path is, each with its own message', () => {
  it('missing, a directory, empty, blank', async () => {
    expect(await refusal(join(dir, 'nope.jsonl'))).toMatch(/nope\.jsonl: no such file$/);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(await refusal(sub)).toMatch(/: is a directory, not a file$/);
    expect(await refusal(file('empty.jsonl', ''))).toMatch(/: is empty$/);
    expect(await refusal(file('blank.json', ' \n\t\n'))).toMatch(/: is empty \(only blank space\)$/);
  });

  it('/dev/zero and a FIFO: their own message, and no hang (neither is opened)', async () => {
    const started = performance.now();
    expect(await refusal('/dev/zero')).toMatch(/\/dev\/zero: is a device, not a regular file$/);
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(fifo)).toMatch(/: is a named pipe \(FIFO\), not a regular file$/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('binary content is named, never echoed', async () => {
    const bytes = Buffer.from([
      0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe,
    ]);
    expect(await refusal(file('model.bin', bytes))).toMatch(/: is binary, not UTF-8 text$/);
    // Invalid UTF-8 without a NUL is binary too.
    expect(await refusal(file('latin1.json', Buffer.from([0x5b, 0xe9, 0xe8, 0x5d])))).toMatch(/is binary/);
    expect(await refusal(file('data.json.gz', gzipSync('[]')))).toMatch(/: is gzip-compressed$/);
    expect(await refusal(file('utf16.json', Buffer.from('\ufeff[]', 'utf16le')))).toMatch(
      /: is UTF-16 text$/,
    );
  });

  it('text that is not JSON: the first characters, escaped', async () => {
    const msg = await refusal(file('notes', 'hello\u001b[2J world, these are prompts'));
    expect(msg).toMatch(/: is not JSON \(it starts with "hello\\x1b\[2J world, these a"\)$/);
  });

  it('a JSONL record with bytes that do not parse: escaped in the error line', async () => {
    const path = file('bad-record.jsonl', '{"prompt": "ok"}\n{"prompt": \u0001\u0002 "x"}\n');
    const err = (await load(path).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/line 2: not valid JSON/);
    expect(err.message).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('a UTF-8 byte order mark is accepted', () => {
  it('JSONL with a BOM', async () => {
    const ds = await load(
      file('bom.jsonl', '\ufeff{"prompt": "one two three", "output_len": 4}\n{"prompt": "four"}\n'),
    );
    expect(ds.items.map((i) => [i.prompt, i.outputTokens])).toEqual([
      ['one two three', 4],
      ['four', 16],
    ]);
  });

  it('a ShareGPT JSON array with a BOM (and no extension)', async () => {
    const conv = {
      id: 'a',
      conversations: [
        { from: 'human', value: 'hi there' },
        { from: 'gpt', value: 'hello you' },
      ],
    };
    const ds = await load(file('bom-sharegpt', `\ufeff${JSON.stringify([conv])}`));
    expect(ds.items).toHaveLength(1);
    expect(ds.items[0]!.prompt).toBe('hi there');
  });
});
