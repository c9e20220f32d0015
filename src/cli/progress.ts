/**
 * Progress bars on stderr, driven by core's ProgressCallback (dependency-free).
 *
 * On a TTY one line is redrawn in place: `phase [#########-------]  45/100  3.2 s  ETA 4 s  message` (with an unknown
 * total, `total: 0`, only the count so far: `phase  45  3.2 s`).
 * Otherwise (pipes, CI logs) plain lines are printed: when a phase starts, at most every `intervalS` seconds, and
 * when it completes. `log(line)` prints a line without tearing the bar (used for periodic MD logs).
 * Set FARFIELD_PROGRESS=0 to silence the bars (logs still go through).
 *
 * Two layouts. 'status' (default, above) for long runs. 'table' (fit): `phase             ██████········ 3/10 msg`,
 * a fixed phase column and a 30-character bar without timings; each phase's last state stays as one line once the
 * next phase starts or `done()` is called (so a phase that ends early, such as converged solver iterations, keeps its
 * line); on plain streams only those final lines are printed.
 */
import type { ProgressCallback, ProgressEvent } from '../core/index.js';

export interface ProgressOptions {
  /** Output stream (default process.stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force TTY or plain mode (default: the stream's isTTY). */
  tty?: boolean;
  /** Plain mode: seconds between lines of the same phase (default 10). */
  intervalS?: number;
  /** Text before the phase name, e.g. 'sr+lr N=50'. */
  prefix?: string;
  enabled?: boolean;
  /** Where `log` lines go (default process.stdout). */
  logStream?: NodeJS.WritableStream;
  /** 'status' (default) or 'table' (see the file comment). */
  layout?: 'status' | 'table';
}

export interface ProgressRenderer {
  /** Pass this to api functions. */
  callback: ProgressCallback;
  /** Print a line (to `logStream`) above the bar. */
  log(line: string): void;
  /** Change the prefix shown before phases. */
  setPrefix(prefix: string): void;
  /** Clear the bar (TTY; the 'table' layout keeps the last phase's line) and stop. */
  done(): void;
}

function fmtS(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function createProgress(options: ProgressOptions = {}): ProgressRenderer {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean((stream as { isTTY?: boolean }).isTTY);
  const enabled = options.enabled ?? process.env.FARFIELD_PROGRESS !== '0';
  const interval = (options.intervalS ?? 10) * 1000;
  const table = options.layout === 'table';
  let prefix = options.prefix ?? '';
  let phase = '';
  let phaseStart = 0;
  let lastDraw = 0;
  let lastPlain = 0;
  let barShown = false;
  let current: ProgressEvent | null = null;

  const width = () => Math.max(40, Math.min(160, ((stream as { columns?: number }).columns ?? 100) - 1));

  const tableLine = (e: ProgressEvent): string => {
    const barW = 30;
    const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 1;
    const bar = '█'.repeat(Math.round(frac * barW)).padEnd(barW, '·');
    return `${e.phase.padEnd(17)} ${bar} ${e.done}/${e.total}${e.message ? ` ${e.message}` : ''}`;
  };

  const line = (e: ProgressEvent, now: number): string => {
    if (table) return tableLine(e);
    const el = (now - phaseStart) / 1000;
    const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
    const eta = frac > 0 && frac < 1 ? `  ETA ${fmtS((el * (1 - frac)) / frac)}` : '';
    const head = `${prefix ? prefix + ' ' : ''}${e.phase}`;
    if (!(e.total > 0)) {
      // an unknown total (a streamed input): the count so far, no fraction, bar or ETA
      const msg = e.message ? (tty ? '  ' : ', ') + e.message : '';
      return tty ? `${head}  ${e.done}  ${fmtS(el)}${msg}`.slice(0, width()) : `${head}: ${e.done}, ${fmtS(el)}${msg}`;
    }
    const counts = `${String(e.done).padStart(String(e.total).length)}/${e.total}`;
    const tail = `  ${counts}  ${fmtS(el)}${eta}${e.message ? '  ' + e.message : ''}`;
    if (!tty) return `${head}: ${counts} (${(100 * frac).toFixed(0)} %), ${fmtS(el)}${eta}${e.message ? ', ' + e.message : ''}`;
    const barW = Math.max(10, Math.min(30, width() - head.length - tail.length - 3));
    const filled = Math.round(frac * barW);
    return `${head} [${'#'.repeat(filled)}${'-'.repeat(barW - filled)}]${tail}`.slice(0, width());
  };

  const clear = () => {
    if (tty && barShown) {
      stream.write('\r\x1b[2K');
      barShown = false;
    }
  };

  /** 'table': the phase's last state as a kept line. */
  const finish = (e: ProgressEvent): void => {
    stream.write(tty ? `\r${tableLine(e)}\x1b[K\n` : tableLine(e) + '\n');
    barShown = false;
  };

  const tableCallback = (e: ProgressEvent, now: number, newPhase: boolean): void => {
    if (newPhase && current) finish(current);
    current = e;
    if (tty && (now - lastDraw > 100 || e.done === e.total)) {
      lastDraw = now;
      stream.write(`\r${tableLine(e)}\x1b[K`);
      barShown = true;
    }
  };

  const callback: ProgressCallback = (e) => {
    if (!enabled) return;
    const now = Date.now();
    const newPhase = e.phase !== phase;
    if (table) {
      tableCallback(e, now, newPhase);
      phase = e.phase;
      return;
    }
    if (newPhase) {
      phase = e.phase;
      phaseStart = now;
      lastPlain = 0;
    }
    current = e;
    const complete = e.total > 0 && e.done >= e.total;
    if (tty) {
      if (!newPhase && !complete && now - lastDraw < 100) return;
      lastDraw = now;
      stream.write('\r\x1b[2K' + line(e, now));
      barShown = true;
      if (complete) {
        stream.write('\n');
        barShown = false;
      }
    } else if (newPhase || complete || now - lastPlain >= interval) {
      if (newPhase && e.done === 0 && !complete) {
        stream.write(`${prefix ? prefix + ' ' : ''}${e.phase}: started (${e.total})\n`);
      } else stream.write(line(e, now) + '\n');
      lastPlain = now;
    }
  };

  return {
    callback,
    log(text: string) {
      clear();
      (options.logStream ?? process.stdout).write(text + '\n');
      if (tty && enabled && current && !(current.total > 0 && current.done >= current.total)) {
        stream.write(line(current, Date.now()));
        barShown = true;
      }
    },
    setPrefix(p: string) {
      prefix = p;
    },
    done() {
      if (table && current) finish(current);
      clear();
      current = null;
      phase = '';
    },
  };
}
