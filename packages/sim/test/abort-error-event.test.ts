import { describe, expect, it } from 'vitest';
import { startSimServer } from '../src/index.js';
import { fastProfile, stream } from './helpers.js';

describe('engine-side abort', () => {
  it('ends a stream with a data: {"error": ...} event when the KV cache can no longer hold the request (preempted, then aborted)', async () => {
    // The request needs 64 + 200 tokens of KV but the cache holds 128: it is preempted until it gives up.
    const sim = await startSimServer({ profile: fastProfile(50, { kvCacheTokens: 128, maxPreemptions: 2 }) });
    try {
      const r = await stream(`${sim.url}/v1/completions`, {
        prompt: Array.from({ length: 64 }, () => 5),
        max_tokens: 200,
        ignore_eos: true,
        stream: true,
      });
      expect(r.status).toBe(200);
      const err = r.events.find((e) => e.data.startsWith('data: {"error"'));
      expect(err).toBeDefined();
      const body = JSON.parse(err!.data.slice(6)) as { error: { message: string; code: number } };
      expect(body.error.message).toContain('aborted by the engine');
      expect(r.raw).not.toContain('"finish_reason":"length"');
    } finally {
      await sim.close();
    }
  });
});
