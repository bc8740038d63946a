import { describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS } from '../src/client/chunk-interpreter.js';
import { buildRecord, wordCounter } from '../src/metrics/request-metrics.js';
import { chatRequest, clientFor, TRANSPORTS, useStreamOpeningWithToken } from './client-test-server.js';

// Issue 14 "streaming requests keep all their text (1.6 GB for 6 requests)": the text kept per request is
// capped; the pieces past the cap are still counted (each at least one token), and every chunk time is kept.
const PIECES = 600;
const PIECE = 'w '.repeat(2048); // 4 KB, 2048 words
const server = useStreamOpeningWithToken((res) => {
  let n = 0;
  const next = (): void => {
    for (let k = 0; k < 50 && n < PIECES; k++, n++)
      res.write(`data: {"choices":[{"index":0,"delta":{"content":"${PIECE}"}}]}\n\n`);
    if (n < PIECES) setImmediate(next);
    else res.end('data: [DONE]\n\n');
  };
  next();
});

describe.each(TRANSPORTS)('text kept per streaming request (%s)', (transport) => {
  it(`keeps at most about ${MAX_TEXT_CHARS} characters and counts the rest`, async () => {
    const client = clientFor(server, { transport });
    const r = await client.send(chatRequest(), { timeoutMs: 20_000 });
    await client.close();
    expect(r.status).toBe('ok');
    expect(r.chunkTimes.length).toBe(PIECES + 1);
    // At most one piece past the cap (a piece is never cut: its escapes must stay whole).
    expect(r.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS + PIECE.length);
    expect(r.text.length).toBeGreaterThanOrEqual(MAX_TEXT_CHARS);
    const kept = Math.ceil((r.text.length - 1) / PIECE.length);
    expect(r.droppedTextPieces).toBe(PIECES - kept);
    const rec = buildRecord(
      { seq: 0, phase: 'measured', scheduledMs: 0, dispatchMs: 0, nInFallback: 1 },
      r,
      wordCounter,
    );
    // Without usage, n_out = words in the kept text + one per dropped piece: a lower bound, never 0.
    expect(rec.nOut).toBe(wordCounter.count(r.text) + r.droppedTextPieces!);
  });
});
