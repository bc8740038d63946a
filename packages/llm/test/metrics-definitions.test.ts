import { createRng } from 'inferencebench';
import { describe, expect, it } from 'vitest';
import { levelDocument } from '../src/metrics/level-metrics.js';
import {
  buildRecord,
  chunkGapsMs,
  perTokenGapsMs,
  tokensInWindow,
  tokensPerChunk,
  tpotMs,
  wordCounter,
} from '../src/metrics/request-metrics.js';
import { resolveSlo } from '../src/slo/templates.js';
import type { ClientResult } from '../src/types.js';

function result(chunkTimes: number[], over: Partial<ClientResult> = {}): ClientResult {
  return {
    status: 'ok',
    sentAt: 5,
    chunkTimes,
    chunkTokens: chunkTimes.map(() => null),
    usageCompletionTokens: null,
    usagePromptTokens: null,
    text: '',
    httpStatus: 200,
    error: null,
    systemFingerprint: null,
    ...over,
  };
}

describe('per-request metric definitions (SPEC §5)', () => {
  it('ttft/e2e from the schedule, server_ttft and queue_wait from the send, tpot over n_out - 1', () => {
    const rec = buildRecord(
      { seq: 0, phase: 'measured', scheduledMs: 0, dispatchMs: 5, nInFallback: 3 },
      result([100, 110, 120, 130], { usageCompletionTokens: 4, usagePromptTokens: 9 }),
      wordCounter,
    );
    expect(rec.ttftMs).toBe(100);
    expect(rec.e2eMs).toBe(130);
    expect(rec.serverTtftMs).toBe(95);
    expect(rec.queueWaitMs).toBe(5);
    expect(rec.tpotMs).toBe(10);
    expect(rec.nIn).toBe(9);
    expect(rec.nOutSource).toBe('usage');
  });

  it('tpot is undefined below two tokens; without usage n_out is counted from the text (labelled)', () => {
    expect(tpotMs(1, 1, 1)).toBeNull();
    const rec = buildRecord(
      { seq: 0, phase: 'measured', scheduledMs: 0, dispatchMs: 0, nInFallback: 3 },
      result([10, 20], { text: 'two words and more' }),
      wordCounter,
    );
    expect(rec.nOut).toBe(4);
    expect(rec.nOutSource).toBe('words');
    expect(rec.tpotMs).toBeCloseTo(10 / 3);
  });

  it('itl: chunk gaps, and per-token gaps = gap / tokens in the later chunk', () => {
    const times = [0, 10, 30, 33];
    expect(Array.from(chunkGapsMs(times))).toEqual([10, 20, 3]);
    const tpc = tokensPerChunk([1, 2, 4, null], 4, 8);
    expect(Array.from(tpc)).toEqual([1, 2, 4, 1]);
    expect(Array.from(perTokenGapsMs(times, tpc))).toEqual([5, 5, 3]);
  });

  it('throughput apportions each chunk to its arrival time', () => {
    // Chunks at 50, 150, 250 with 2 tokens each; window [100, 300) holds the last two.
    expect(tokensInWindow([50, 150, 250], [2, 2, 2], 100, 300)).toBe(4);
    expect(tokensInWindow([50, 150, 250], [2, 2, 2], 0, 100)).toBe(2);
    expect(tokensInWindow([50, 150, 300], [2, 2, 2], 100, 300)).toBe(2);
  });

  it('level throughput counts window tokens (including unmeasured requests) over the window length', () => {
    const measured = [0, 1, 2].map((i) =>
      buildRecord(
        { seq: i, phase: 'measured', scheduledMs: 1000 + i, dispatchMs: 1000 + i, nInFallback: 1 },
        result([1100 + i, 1200 + i], { usageCompletionTokens: 2 }),
        wordCounter,
      ),
    );
    const doc = levelDocument(
      {
        levelIndex: 0,
        concurrency: 1,
        rateMode: 'fixed',
        rateReqS: 3,
        rateNote: null,
        warmup: { runs: 0, requests: 0, meanE2eMs: null },
        gate: {
          metric: 'tpot',
          window: 2,
          cov_threshold: 0.05,
          converged: true,
          cov: 0,
          duration_s: 0,
          completed: 0,
        },
        windowS: 2,
        measured,
        windowOutputTokens: 50,
        windowInputTokens: 10,
        windowScheduled: 3,
        windowDispatched: 3,
        meanInFlight: 1,
        lagMs: new Float64Array([0.1, 0.2]),
        unmeasured: { gate: 0, drain: 0 },
        drainTimedOut: false,
        aborted: false,
      },
      resolveSlo('llm.standard'),
      createRng(1),
      { resamples: 100 },
    );
    expect(doc.metrics.throughput_tok_s!.value).toBe(25);
    expect(doc.metrics.total_tok_s!.value).toBe(30);
    expect(doc.metrics.throughput_req_s!.value).toBe(1.5);
    expect(doc.metrics.ttft_p50_ms!.value).toBe(100);
    expect(doc.metrics.tpot_p50_ms!.value).toBe(100);
    expect(doc.flags.thin_tail).toBe(true);
    expect(doc.requests).toMatchObject({ measured: 3, ok: 3, errors: {} });
  });
});
