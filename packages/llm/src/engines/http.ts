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
  } = {},
): Promise<ProbeResponse> {
  try {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    return { status: res.status, body: await res.text(), error: null };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return { status: null, body: '', error: why };
  }
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
