/**
 * Structure files on disk: the io formats (texts in, texts out) bound to the file system. Reading picks the format
 * from an explicit name, else the file name, else the content; large VASP outputs are read block by block and XYZ
 * streamed frame by frame (read.ts). Every write is atomic (atomic.ts: temporary file + rename, nothing half-written),
 * except the live trajectory writer, which appends whole frames to the file itself as MD codes write their dumps.
 */
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { FarfieldError, type Structure } from '../core/index.js';
import {
  formatExtxyzFrame, formatMlab, formatPlainXyzFrame, parseMlab, parseXyzText, readFormatFor, writeFormatFor,
  type FileFormat, type FormatMeta, type MlabHeader,
} from '../io/index.js';
import { AtomicFile, ShortWriteError, writeAtomically, writeFully } from './atomic.js';
import { readFileText, readHead, readLinesSync, streamLines, streamXyzFrames } from './read.js';

export interface FrameWriter {
  write(s: Structure): void;
  /** Finish and rename into place. */
  close(): void;
  /** Delete the partial output. */
  abort(): void;
}

/** A file format bound to the file system (what `detectFormat` and `formatForWriting` return). */
export interface FormatFiles {
  name: string;
  description: string;
  /** The io format (texts in, texts out). */
  format: FileFormat;
  read(path: string): { structures: Structure[]; meta?: FormatMeta };
  /** Write atomically (temporary file + rename). */
  write(path: string, structures: readonly Structure[], meta?: FormatMeta): void;
  /** Frame-by-frame reading without holding the file in memory. */
  stream?(path: string): AsyncGenerator<Structure>;
  /** Frame-by-frame writing (atomic: renamed into place on close). */
  openWriter?(path: string): FrameWriter;
}

/** Read, write and stream files of the io format `f`. */
export function formatFiles(f: FileFormat): FormatFiles {
  const fr = f.frames;
  const frame = f.formatFrame;
  return {
    name: f.name,
    description: f.description,
    format: f,
    read: (path) => (fr?.kind === 'lines' ? { structures: readLinesSync(path, fr.parser(path)) } : f.parse(readFileText(path), path)),
    write: frame
      ? (path, structures) => writeAtomically(path, (out) => {
          for (const s of structures) out.write(frame(s));
        })
      : (path, structures, meta) => {
          const text = f.format(structures, meta, path);
          writeAtomically(path, (out) => out.write(text));
        },
    stream: fr === undefined ? undefined : fr.kind === 'lines' ? (path) => streamLines(path, fr.parser(path)) : (path) => streamXyzFrames(path, fr.plain),
    openWriter: frame ? (path) => openFrameWriter(path, frame) : undefined,
  };
}

/** Format for reading `path`: explicit name, else file name, else content (the file's first kB). */
export function detectFormat(path: string, explicit?: string): FormatFiles {
  return formatFiles(readFormatFor(path, () => readHead(path), explicit));
}

/** Format for writing `path`: explicit name, else file name (.xyz → extxyz, as ASE does). */
export function formatForWriting(path: string, explicit?: string): FormatFiles {
  return formatFiles(writeFormatFor(path, explicit));
}

export interface ReadOptions {
  format?: string;
}

/** Read every structure of a file (whole file in memory; use `readFrames` for large files). */
export function readStructures(path: string, options: ReadOptions = {}): Structure[] {
  return detectFormat(path, options.format).read(path).structures;
}

/** Read structures plus format side information (the ML_AB header). */
export function readStructuresWithMeta(path: string, options: ReadOptions = {}): { structures: Structure[]; meta: FormatMeta; format: string } {
  const f = detectFormat(path, options.format);
  const r = f.read(path);
  return { structures: r.structures, meta: r.meta ?? {}, format: f.name };
}

/** Stream the structures of a file one by one (formats without a streaming reader are read whole). */
export async function* readFrames(path: string, options: ReadOptions = {}): AsyncGenerator<Structure> {
  const f = detectFormat(path, options.format);
  if (f.stream) {
    yield* f.stream(path);
    return;
  }
  for (const s of f.read(path).structures) yield s;
}

export interface WriteOptions {
  format?: string;
  meta?: FormatMeta;
}

/** Write structures atomically (temporary file + rename). */
export function writeStructures(path: string, structures: readonly Structure[], options: WriteOptions = {}): void {
  formatForWriting(path, options.format).write(path, structures, options.meta);
}

// ---------------------------------------------------------------- (extended) XYZ and ML_AB by name

export function readXyz(path: string, plain = false): Structure[] {
  return parseXyzText(readFileText(path), path, plain);
}

/**
 * Stream the frames of an (extended) XYZ file: reads 1 MB chunks and keeps only the current frame's text in memory
 * (plus one chunk), so files far larger than memory can be processed.
 */
export function streamXyz(path: string, plain = false, options: { chunkBytes?: number } = {}): AsyncGenerator<Structure> {
  return streamXyzFrames(path, plain, options);
}

export function writeXyz(path: string, structures: Iterable<Structure>, plain = false): void {
  writeAtomically(path, (out) => {
    for (const s of structures) out.write(plain ? formatPlainXyzFrame(s) : formatExtxyzFrame(s));
  });
}

/** Incremental writer (for streaming conversion): frames are appended to a temporary file renamed on close. */
export function openXyzWriter(path: string, plain = false): FrameWriter {
  return openFrameWriter(path, plain ? formatPlainXyzFrame : formatExtxyzFrame);
}

function openFrameWriter(path: string, formatFrame: (s: Structure) => string): FrameWriter {
  const f = new AtomicFile(path);
  return {
    write(s) {
      try {
        f.write(formatFrame(s));
      } catch (e) {
        f.abort();
        throw e;
      }
    },
    close: () => f.commit(),
    abort: () => f.abort(),
  };
}

export function readMlab(path: string): { header: MlabHeader; structures: Structure[] } {
  return parseMlab(readFileText(path), path);
}

export function writeMlab(path: string, structures: readonly Structure[], header?: MlabHeader): void {
  const text = formatMlab(structures, header);
  writeAtomically(path, (o) => o.write(text));
}

/**
 * A live trajectory: every frame is appended to `path` itself as soon as it is given (readable with `tail -f` or
 * `readFrames` while the run goes on), as MD codes write their dumps. The file is truncated when opened. Frames are
 * whole or absent: a frame is written with a loop over short writes, and if the OS refuses part-way (disk full,
 * file-size limit) the file is truncated back to the end of the last complete frame before the error is thrown, so it
 * stays readable. `abort` keeps the frames written so far (each is complete and valid).
 */
export function openXyzLiveWriter(path: string, plain = false): { write(s: Structure): void; close(): void; abort(): void; readonly frames: number } {
  let fd: number | null;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new FarfieldError('IO', `cannot write: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  let size = 0, frames = 0;
  const close = (): void => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  return {
    get frames() {
      return frames;
    },
    write(s) {
      if (fd === null) throw new FarfieldError('IO', `write to ${path} after it was closed`);
      const data = Buffer.from(plain ? formatPlainXyzFrame(s) : formatExtxyzFrame(s), 'utf8');
      try {
        writeFully(fd, data);
      } catch (e) {
        const partial = e instanceof ShortWriteError ? e.written : 0;
        let kept = `truncated back to its ${frames} complete frame${frames === 1 ? '' : 's'} (${size} bytes)`;
        try {
          ftruncateSync(fd, size);
        } catch (t) {
          kept = `could not be truncated back to its ${frames} complete frames (${(t as Error).message}); the last frame is partial`;
        }
        close();
        const why = e instanceof ShortWriteError ? e.message : (e as Error).message;
        throw new FarfieldError('IO', `cannot write frame ${frames + 1} (${why}) after ${partial} of its ${data.length} bytes; the trajectory was ${kept}`,
          { file: path }, { cause: e instanceof ShortWriteError ? e.reason : e });
      }
      size += data.length;
      frames++;
    },
    close,
    abort: close,
  };
}
