import { describe, expect, it } from 'vitest';
import { reportError } from '../src/cli/main.js';
import { BenchError } from '../src/errors.js';
import { registerSecret } from '../src/secrets.js';

function printed(err: unknown): string {
  let text = '';
  reportError(err, false, { stdout: () => {}, stderr: (t) => (text += t) });
  return text;
}

describe('the error line printed by the top-level handler', () => {
  it('shows control characters from a hostile file or server as \\xNN, keeping the line breaks', () => {
    const text = printed(new BenchError('BENCH_ERR_DATASET', 'bad \u001b[2J\u0000 bytes', { hint: 'a\nb' }));
    expect(text).toBe('error: bad \\x1b[2J\\x00 bytes\nhint: a\nb\n');
  });

  it('redacts URL credentials and masks registered secrets, in the message, the hint and internal errors', () => {
    registerSecret('tok-0123456789');
    const text = printed(
      new BenchError('BENCH_ERR_ENDPOINT', 'cannot reach http://u:pw@h/v1?key=k (said tok-0123456789)', {
        hint: 'retry with http://h/v1?token=t',
      }),
    );
    expect(text).toBe(
      'error: cannot reach http://<redacted>@h/v1?key=<redacted> (said ***)\nhint: retry with http://h/v1?token=<redacted>\n',
    );
    expect(printed(new Error('boom tok-0123456789'))).toContain('internal error: boom ***');
  });
});
