/**
 * Atomic file output: everything is written to a temporary file next to the target (`.NAME.tmp-PID-RANDOM`) and
 * renamed over it only when complete, so a failure (bad value, full disk, file-size limit, exception in the caller,
 * SIGINT/SIGTERM) never leaves half a file behind and never touches a previous file of the same name.
 *
 * - Short writes: `writeFully` loops until every byte is written (write(2) may write fewer bytes than asked, e.g. at
 *   a file-size limit or on a nearly full disk; the next call then fails with EFBIG/ENOSPC); errors name the file,
 *   the bytes written and the errno.
 * - Durability: the temporary file is fsync'ed before the rename, the directory after it (best effort).
 * - Signals: while a temporary file exists, SIGINT/SIGTERM/SIGHUP delete it and then re-raise the signal (so the exit
 *   status is the usual 128 + signal); an `exit` hook deletes it on `process.exit`.
 * - Stale files: opening an AtomicFile deletes `.NAME.tmp-PID-*` files next to the target whose PID is not alive
 *   (left by a process killed with SIGKILL or a power cut).
 * - Early checks: `checkOutputFile` / `checkOutputDir` tell before any work whether an output can be created.
 */
import {
  accessSync, closeSync, constants, existsSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FarfieldError } from '../core/index.js';

// ---------------------------------------------------------------- full writes

/** The OS error code of a failed call ('EFBIG', 'ENOSPC', …) and its text. */
function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : 'EIO';
  const msg = err instanceof Error ? err.message.replace(/^[A-Z]+: /, '') : String(e);
  return `${code}: ${msg}`;
}

/** An error of a write that stopped part-way (carries how many bytes made it to the file). */
export class ShortWriteError extends Error {
  constructor(readonly written: number, readonly reason: unknown) {
    super(errnoText(reason));
  }
}

/**
 * Write every byte of `data` at the current position of `fd`, looping over short writes. Returns the bytes written
 * (= data.length); throws ShortWriteError(bytes written by this call, cause) when the OS refuses (or writes nothing).
 */
export function writeFully(fd: number, data: Uint8Array): number {
  let off = 0;
  while (off < data.length) {
    let n: number;
    try {
      n = writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN' || (e as NodeJS.ErrnoException).code === 'EINTR') continue;
      throw new ShortWriteError(off, e);
    }
    if (n <= 0) throw new ShortWriteError(off, Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' }));
    off += n;
  }
  return off;
}

// ---------------------------------------------------------------- temp-file registry (signals, exit)

const liveTemps = new Set<string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let hooked = false;

function removeLiveTemps(): void {
  for (const p of liveTemps) {
    try { unlinkSync(p); } catch { /* gone */ }
  }
  liveTemps.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeLiveTemps();
  unhook();
  // default disposition again: the process ends as if we had not caught the signal (exit status 128 + n)
  process.kill(process.pid, signal);
}

function onExit(): void {
  removeLiveTemps();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', onExit);
}

function track(tmp: string): void {
  liveTemps.add(tmp);
  hook();
}

function untrack(tmp: string): void {
  liveTemps.delete(tmp);
  if (liveTemps.size === 0) unhook();
}

/** Number of temporary files this process holds open (for tests). */
export function liveTempFileCount(): number {
  return liveTemps.size;
}

// ---------------------------------------------------------------- stale temporary files

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temporary-file prefix of a target: `.NAME.tmp-`. */
function tempPrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

/** Delete temporary files of `path` left by processes that no longer run; returns the names removed. */
export function removeStaleTempFiles(path: string): string[] {
  const dir = dirname(resolve(path));
  const prefix = tempPrefix(path);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)(?:-|$)/.exec(name.slice(prefix.length));
    if (!m || pidAlive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch { /* raced with another process */ }
  }
  return removed;
}

// ---------------------------------------------------------------- early output checks

const HINT_DIR = 'create the directory first or choose another output path';

/**
 * Throw a FarfieldError now (before any work) if `path` cannot be written: its directory must exist, be a
 * directory and be writable; the path itself must not be a directory.
 */
export function checkOutputFile(path: string, what = 'output'): void {
  const dir = dirname(resolve(path));
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new FarfieldError('IO', `cannot write ${what}: directory ${dir} does not exist (${HINT_DIR})`, { file: path });
  }
  if (!st.isDirectory()) throw new FarfieldError('IO', `cannot write ${what}: ${dir} is not a directory`, { file: path });
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new FarfieldError('IO', `cannot write ${what}: directory ${dir} is not writable (${errnoText(e)})`, { file: path });
  }
  if (existsSync(path) && statSync(path).isDirectory())
    throw new FarfieldError('IO', `cannot write ${what}: ${path} is a directory (give a file name)`, { file: path });
}

/** Like checkOutputFile for an output directory (created later if missing): the nearest existing ancestor must be
 * a writable directory, and an existing `dir` must be a writable directory. */
export function checkOutputDir(dir: string, what = 'output directory'): void {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(d)) break;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  let st;
  try {
    st = statSync(d);
  } catch (e) {
    throw new FarfieldError('IO', `cannot create ${what}: ${errnoText(e)}`, { file: dir });
  }
  if (!st.isDirectory()) throw new FarfieldError('IO', `cannot create ${what}: ${d} is not a directory`, { file: dir });
  try {
    accessSync(d, constants.W_OK);
  } catch (e) {
    throw new FarfieldError('IO', `cannot create ${what}: ${d} is not writable (${errnoText(e)})`, { file: dir });
  }
}

// ---------------------------------------------------------------- the atomic file

export class AtomicFile {
  private fd: number | null;
  private readonly tmp: string;
  private readonly existed: boolean;
  private pending: string[] = [];
  private pendingLength = 0;
  /** Bytes written to the temporary file so far. */
  bytesWritten = 0;

  constructor(readonly path: string) {
    removeStaleTempFiles(path);
    this.existed = existsSync(path);
    this.tmp = join(dirname(path), `${tempPrefix(path)}${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
    track(this.tmp); // before the file exists, so a signal at any moment finds it registered
    try {
      this.fd = openSync(this.tmp, 'wx');
    } catch (e) {
      untrack(this.tmp);
      throw new FarfieldError('IO', `cannot write: ${errnoText(e)}`, { file: path }, { cause: e });
    }
  }

  /** Name of the temporary file (for tests). */
  get tempPath(): string {
    return this.tmp;
  }

  /** Append text (buffered; flushed in blocks of a few MB). */
  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength > 1 << 22) this.flush();
  }

  /** Append raw bytes (after any buffered text). */
  writeBytes(data: Uint8Array): void {
    this.flush();
    this.put(data);
  }

  private fail(e: unknown): never {
    this.abort();
    const written = this.bytesWritten + (e instanceof ShortWriteError ? e.written : 0);
    const why = e instanceof ShortWriteError ? e.message : errnoText(e);
    const cause = e instanceof ShortWriteError ? e.reason : e;
    throw new FarfieldError('IO',
      `cannot write (${why}) after ${written} bytes; ${this.existed ? 'the previous file is unchanged' : 'no file was created'}` +
      ' (disk full or file-size limit? free space or choose another output)', { file: this.path }, { cause });
  }

  private put(data: Uint8Array): void {
    if (this.fd === null) throw new FarfieldError('IO', `write to ${this.path} after it was closed`);
    try {
      this.bytesWritten += writeFully(this.fd, data);
    } catch (e) {
      this.fail(e);
    }
  }

  private flush(): void {
    if (this.fd === null) throw new FarfieldError('IO', `write to ${this.path} after it was closed`);
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.put(Buffer.from(text, 'utf8'));
  }

  /** Finish: flush, fsync, close and rename over the target. */
  commit(): void {
    this.flush();
    const fd = this.fd!;
    try {
      fsyncSync(fd);
      this.fd = null;
      closeSync(fd);
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.fail(e);
    }
    untrack(this.tmp);
    syncDirectory(dirname(resolve(this.path)));
  }

  /** Give up: close and delete the temporary file; the target is untouched. Safe to call twice. */
  abort(): void {
    if (this.fd !== null) {
      try { closeSync(this.fd); } catch { /* ignore */ }
      this.fd = null;
    }
    try { unlinkSync(this.tmp); } catch { /* ignore */ }
    untrack(this.tmp);
  }
}

/** fsync a directory so a rename in it survives a crash (best effort: not every platform allows it). */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch { /* not supported here */ } finally {
    if (fd !== null) try { closeSync(fd); } catch { /* ignore */ }
  }
}

/** Write a whole file atomically from a producer that appends text; on any exception the target is untouched. */
export function writeAtomically(path: string, produce: (out: AtomicFile) => void): void {
  const f = new AtomicFile(path);
  try {
    produce(f);
  } catch (e) {
    f.abort();
    throw e;
  }
  f.commit();
}

/** Write a string or bytes to `path` atomically (see the module header). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeAtomically(path, (f) => (typeof data === 'string' ? f.write(data) : f.writeBytes(data)));
}
