import type { LiveStatus, Progress } from '../plugin/types.js';

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

/** The live figures in one line: `level 2/4 c=16: ok 812 failed 0 | ttft p50 142.0 ms ... | run ETA 3:12`. */
export function liveStatusLine(s: LiveStatus): string {
  const ms = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(1)} ms`);
  return (
    `${s.level}: ok ${s.completed} failed ${s.failed} | ttft p50 ${ms(s.ttftP50Ms)} tpot p50 ${ms(s.tpotP50Ms)} | ` +
    `${s.tokS === null ? 'n/a' : s.tokS.toFixed(0)} tok/s | run ETA ${s.runEtaS === null ? 'unknown' : formatDuration(s.runEtaS)}`
  );
}

/**
 * Progress on stderr: on a TTY a redrawn status block (the phase bar with its ETA, and under it the live
 * figures: level, completed/failed, TTFT/TPOT p50, tok/s, ETA of the whole run), at most 10 redraws/s;
 * otherwise a plain line at most every 5 s, so logs of CI jobs stay readable; with `quiet` only warnings.
 * The phase ETA assumes the rate since the phase started continues.
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
  let live: LiveStatus | null = null;
  // Lines of the status block on screen (the bar, plus the live line when there is one).
  let blockLines = 0;

  const status = (): string => {
    const elapsedS = (now() - startedMs) / 1000;
    if (total === undefined || total <= 0) return `${label} ${fmtCount(done)} (${formatDuration(elapsedS)})`;
    const frac = Math.min(1, done / total);
    const etaS = done > 0 ? (elapsedS * (total - done)) / done : Number.NaN;
    return `${label} ${fmtCount(done)}/${fmtCount(total)} ${(frac * 100).toFixed(0)}% ETA ${formatDuration(etaS)}`;
  };
  const clearBar = (): void => {
    if (barShown) stream.write(`\r\x1b[2K${'\x1b[1A\r\x1b[2K'.repeat(Math.max(0, blockLines - 1))}`);
    barShown = false;
    blockLines = 0;
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
      clearBar();
      stream.write(`${bar}${status()}${live ? `\n  ${liveStatusLine(live)}` : ''}`);
      barShown = true;
      blockLines = live ? 2 : 1;
    } else {
      if (!force && t - lastDrawMs < plainInterval) return;
      lastDrawMs = t;
      stream.write(`progress: ${status()}${live ? ` | ${liveStatusLine(live)}` : ''}\n`);
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
      live = null;
    },
    status(next) {
      live = next;
      draw(false);
    },
  };
}

/** Progress counts may be fractional (seconds of a window): show at most one decimal. */
function fmtCount(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
