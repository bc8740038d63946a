import { BenchError } from 'inferencebench';

/**
 * `work`, or a BENCH_ERR_ABORTED rejection the moment `signal` fires, whichever comes first. For waits
 * that do not take a signal themselves (readiness probes, warm-up GETs, idle power): Ctrl-C must end
 * them within the 2 s SPEC §14 allows, not after their own timeout. The abandoned work settles on its own.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(abortedError(what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(what));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Resolves after `ms`, or rejects (BENCH_ERR_ABORTED) as soon as `signal` fires. */
export function abortableSleep(ms: number, signal: AbortSignal, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const sleep = new Promise<void>((r) => {
    timer = setTimeout(r, ms);
  });
  return abortable(sleep, signal, what).finally(() => clearTimeout(timer));
}

function abortedError(what: string): BenchError {
  return new BenchError('BENCH_ERR_ABORTED', `interrupted while ${what}`);
}
