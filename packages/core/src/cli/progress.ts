import type { Progress } from '../plugin/types.js';

export interface ProgressOptions {
  /** Where progress goes (stderr). */
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  quiet: boolean;
  /** Force TTY mode on or off (default: the stream's isTTY). */
  tty?: boolean;
  /** Clock in ms (tests inject one). */
  nowMs?: () => number;
  /** Minimum time between plain (non-TTY) progress lines. Default 5000 ms. */
  plainIntervalMs?: number;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * Progress on stderr: on a TTY a redrawn bar with ETA (at most 10 redraws/s); otherwise a plain line at
 * most every 5 s, so logs of CI jobs stay readable; with `quiet` only warnings.
 * ETA assumes the rate since the phase started continues.
 */
export function createProgress(options: ProgressOptions): Progress {
  const { stream, quiet } = options;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const now = options.nowMs ?? (() => performance.now());
  const plainInterval = options.plainIntervalMs ?? 5000;
  let label = '';
  let total: number | undefined;
  let done = 0;
  let startedMs = now();
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  let barShown = false;

  const status = (): string => {
    const elapsedS = (now() - startedMs) / 1000;
    if (total === undefined || total <= 0) return `${label} ${fmtCount(done)} (${formatDuration(elapsedS)})`;
    const frac = Math.min(1, done / total);
    const etaS = done > 0 ? (elapsedS * (total - done)) / done : Number.NaN;
    return `${label} ${fmtCount(done)}/${fmtCount(total)} ${(frac * 100).toFixed(0)}% ETA ${formatDuration(etaS)}`;
  };
  const clearBar = (): void => {
    if (barShown) stream.write('\r\x1b[2K');
    barShown = false;
  };
  const draw = (force: boolean): void => {
    if (quiet || label === '') return;
    const t = now();
    if (tty) {
      if (!force && t - lastDrawMs < 100) return;
      lastDrawMs = t;
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60));
      const frac = total ? Math.min(1, done / total) : 0;
      const filled = Math.round(frac * width);
      const bar = total ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
      stream.write(`\r\x1b[2K${bar}${status()}`);
      barShown = true;
    } else {
      if (!force && t - lastDrawMs < plainInterval) return;
      lastDrawMs = t;
      stream.write(`progress: ${status()}\n`);
    }
  };
  const line = (text: string): void => {
    clearBar();
    stream.write(`${text}\n`);
    draw(true);
  };
  return {
    phase(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      done = 0;
      startedMs = now();
      draw(true);
    },
    tick(n = 1) {
      done += n;
      draw(false);
    },
    update(newDone, newTotal) {
      done = newDone;
      if (newTotal !== undefined) total = newTotal;
      draw(false);
    },
    note(message) {
      if (!quiet) line(message);
    },
    warn(message) {
      line(`warning: ${message}`);
    },
    done() {
      clearBar();
      label = '';
    },
  };
}

/** Progress counts may be fractional (seconds of a window): show at most one decimal. */
function fmtCount(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
