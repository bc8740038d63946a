import { createRng } from 'inferencebench';
import { describe, expect, it } from 'vitest';
import { computeLevelDocument, type LevelInputs } from '../src/metrics/level-metrics.js';
import {
  buildRecord,
  chunkGapsMs,
  perTokenGapsMs,
  tokensInWindow,
  tokensPerChunk,
  tpotMs,
  wordCounter,
} from '../src/metrics/request-metrics.js';
import { asStored, toStoreRecord } from '../src/metrics/stored-request.js';
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
    // Three measured requests, chunks at +100 and +200 ms of 2 tokens each (usage 2), in a 2 s window from
    // t = 1000; one gate request whose second chunk (t = 1050) lands in the window; all as stored.
    const rec = (seq: number, phase: 'gate' | 'measured', sched: number, first: number) =>
      asStored(
        toStoreRecord(
          0,
          buildRecord(
            { seq, phase, scheduledMs: sched, dispatchMs: sched, nInFallback: 5 },
            result([first, first + 100], { usageCompletionTokens: 2, sentAt: sched }),
            wordCounter,
          ),
          0.1,
          0,
        ),
      );
    const records = [
      rec(0, 'gate', 800, 950),
      ...[0, 1, 2].map((i) => rec(1 + i, 'measured', 1000 + i, 1100 + i)),
    ];
    const inputs: LevelInputs = {
      version: 1,
      index: 0,
      concurrency: 1,
      rate_mode: 'fixed',
      rate_req_s: 3,
      rate_note: null,
      warmup: { runs: 0, mean_e2e_ms: null },
      gate: {
        metric: 'tpot',
        window: 2,
        cov_threshold: 0.05,
        converged: true,
        cov: 0,
        duration_s: 0,
        completed: 0,
      },
      window: { start_ms: 1000, end_ms: 3000, s: 2, epoch_ms: [0, 2000] },
      in_flight: { mean: 1, max: 1, cap: 1, at_cap_share: 0 },
      auto_rate: null,
      drain_timed_out: false,
      aborted: false,
      failed_fast: null,
      power: null,
      search_probe: null,
    };
    const doc = computeLevelDocument(inputs, records, createRng(1), {
      slo: resolveSlo('llm.standard'),
      maxErrorRate: 0.05,
      resamples: 100,
      cost: null,
      engineName: 'test',
      outputLengthEnforced: true,
    });
    // 3 x 2 measured tokens + the gate request's second chunk (1 token at 1050) = 7 tokens over 2 s.
    expect(doc.metrics.throughput_tok_s!.value).toBe(3.5);
    // Prompt tokens count for requests whose first token arrived in the window: the three measured ones.
    expect(doc.metrics.total_tok_s!.value).toBe((7 + 15) / 2);
    expect(doc.metrics.throughput_req_s!.value).toBe(1.5);
    expect(doc.metrics.ttft_p50_ms!.value).toBe(100);
    expect(doc.metrics.tpot_p50_ms!.value).toBe(100);
    expect(doc.metrics.itl_p50_ms!.value).toBe(100);
    expect(doc.flags.thin_tail).toBe(true);
    expect(doc.requests).toMatchObject({ measured: 3, ok: 3, errors: {}, unmeasured: { gate: 1, drain: 0 } });
    expect(doc.driver.lag_p50_ms).toBe(0.1);
    // The same records in another order give the same document.
    const again = computeLevelDocument(inputs, [...records].reverse(), createRng(1), {
      slo: resolveSlo('llm.standard'),
      maxErrorRate: 0.05,
      resamples: 100,
      cost: null,
      engineName: 'test',
      outputLengthEnforced: true,
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(doc));
  });
});
