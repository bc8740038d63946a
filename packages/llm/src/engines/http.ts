/** What a small HTTP probe got back; `status: null` when the server could not be reached. */
export interface ProbeResponse {
  status: number | null;
  body: string;
  /** Network error text when status is null (ECONNREFUSED, timeout...). */
  error: string | null;
}

/**
 * One HTTP request for readiness, version and metrics probes (not the measured hot path, which has its
 * own client). Never throws: engines that are still loading refuse connections, and that is an answer.
 */
export async function probe(
  url: string,
  opts: {
    method?: 'GET' | 'POST';
    body?: unknown;
    headers?: Record<string, string>;
    timeoutMs?: number;
    /** Ends the probe at once (Ctrl-C). */
    signal?: AbortSignal;
  } = {},
): Promise<ProbeResponse> {
  try {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal
        ? AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 5000), opts.signal])
        : AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    return { status: res.status, body: await boundedText(res), error: null };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return { status: null, body: '', error: why };
  }
}

/** Bytes of a probe's body kept: health, models, version and /metrics answers are far smaller; an endless one is not. */
export const MAX_PROBE_BODY_BYTES = 4 << 20;

/** The body as text, at most MAX_PROBE_BODY_BYTES of it: the rest is not read (the stream is cancelled). */
async function boundedText(res: Response): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let kept = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const take = Math.min(value.length, MAX_PROBE_BODY_BYTES - kept);
    parts.push(take === value.length ? value : value.subarray(0, take));
    kept += take;
    if (kept >= MAX_PROBE_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(parts).toString('utf8');
}

/** JSON body of a 2xx response, or null. */
export function jsonOf(res: ProbeResponse): Record<string, unknown> | null {
  if (res.status === null || res.status < 200 || res.status >= 300) return null;
  try {
    const v: unknown = JSON.parse(res.body);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
