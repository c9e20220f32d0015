/**
 * Atomic file output: everything is written to a temporary file next to the target and renamed over it only when
 * complete, so a failure (bad value, full disk, exception in the caller) never leaves half a file behind.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FarfieldError } from '../core/index.js';

export class AtomicFile {
  private fd: number | null;
  private readonly tmp: string;
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw new FarfieldError('IO', `cannot write: ${(e as Error).message}`, { file: path }, { cause: e });
    }
  }

  /** Append text (buffered; flushed in blocks of a few MB). */
  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength > 1 << 22) this.flush();
  }

  private flush(): void {
    if (this.fd === null) throw new FarfieldError('IO', `write to ${this.path} after it was closed`);
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    try {
      writeSync(this.fd, text);
    } catch (e) {
      this.abort();
      throw new FarfieldError('IO', `cannot write: ${(e as Error).message}`, { file: this.path }, { cause: e });
    }
  }

  /** Finish: flush, sync, close and rename over the target. */
  commit(): void {
    this.flush();
    const fd = this.fd!;
    this.fd = null;
    try {
      fsyncSync(fd);
      closeSync(fd);
      renameSync(this.tmp, this.path);
    } catch (e) {
      try { unlinkSync(this.tmp); } catch { /* already gone */ }
      throw new FarfieldError('IO', `cannot write: ${(e as Error).message}`, { file: this.path }, { cause: e });
    }
  }

  /** Give up: close and delete the temporary file; the target is untouched. Safe to call twice. */
  abort(): void {
    if (this.fd !== null) {
      try { closeSync(this.fd); } catch { /* ignore */ }
      this.fd = null;
    }
    try { unlinkSync(this.tmp); } catch { /* ignore */ }
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
