/**
 * File-format registry: each format has a name, aliases, file-name patterns, a content sniffer, a reader, a writer
 * and optionally a streaming reader/writer. `readStructures` / `writeStructures` pick the format from the option,
 * else from the file name, else (reading) from the content.
 */
import { basename } from 'node:path';
import { openSync, readSync, closeSync } from 'node:fs';
import { FarfieldError, Registry, type Structure } from '../core/index.js';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { isGzip, openXyzWriter, readXyz, streamXyz, writeXyz } from './extxyz.js';
import { readMlab, writeMlab, type MlabHeader } from './mlab.js';
import { readPoscar, writePoscar } from './poscar.js';
import { readOutcar, streamOutcar } from './outcar.js';
import { readVasprun, streamVasprun } from './vasprun.js';
import { readXdatcar, streamXdatcar } from './xdatcar.js';
import { CONTENT_RULES, NAME_RULES, SNIFF_BYTES, detectFormatName } from './detect.js';
import { readError, stripBom } from './text.js';

/** Side information some formats carry besides the structures (ML_AB's header). */
export interface FormatMeta {
  mlab?: MlabHeader;
}

export interface FrameWriter {
  write(s: Structure): void;
  /** Finish and rename into place. */
  close(): void;
  /** Delete the partial output. */
  abort(): void;
}

export interface FileFormat {
  name: string;
  description: string;
  /** File-name tests (lower-cased base name). */
  matchesName(base: string): boolean;
  /** Content test on the first few kB of the file. */
  sniff(head: string): boolean;
  read(path: string): { structures: Structure[]; meta?: FormatMeta };
  write(path: string, structures: readonly Structure[], meta?: FormatMeta): void;
  /** Frame-by-frame reading without holding the file in memory. */
  stream?(path: string): AsyncGenerator<Structure>;
  /** Frame-by-frame writing. */
  openWriter?(path: string): FrameWriter;
}

export const FORMATS = new Registry<FileFormat>('file format');
const ALIASES = new Map<string, string>([
  ['vasp', 'poscar'], ['contcar', 'poscar'], ['mlab', 'ml_ab'], ['ml_abn', 'ml_ab'],
  // ASE's format names
  ['vasp-out', 'outcar'], ['vasp-xml', 'vasprun'], ['vasp-xdatcar', 'xdatcar'],
]);

FORMATS.register('extxyz', {
  name: 'extxyz',
  description: "extended XYZ (ASE's key=value comment line and Properties columns)",
  matchesName: NAME_RULES.extxyz,
  sniff: CONTENT_RULES.extxyz,
  read: (p) => ({ structures: readXyz(p) }),
  write: (p, s) => writeXyz(p, s),
  stream: (p) => streamXyz(p),
  openWriter: (p) => openXyzWriter(p),
});

FORMATS.register('xyz', {
  name: 'xyz',
  description: 'plain XYZ (count, comment, symbol x y z)',
  matchesName: NAME_RULES.xyz,
  sniff: CONTENT_RULES.xyz,
  read: (p) => ({ structures: readXyz(p, true) }),
  write: (p, s) => writeXyz(p, s, true),
  stream: (p) => streamXyz(p, true),
  openWriter: (p) => openXyzWriter(p, true),
});

FORMATS.register('poscar', {
  name: 'poscar',
  description: 'VASP POSCAR/CONTCAR (VASP 5), one structure',
  matchesName: NAME_RULES.poscar,
  sniff: CONTENT_RULES.poscar,
  read: (p) => ({ structures: readPoscar(p) }),
  write: (p, s) => writePoscar(p, s),
});

FORMATS.register('ml_ab', {
  name: 'ml_ab',
  description: 'VASP machine-learning training data ML_AB / ML_ABN',
  matchesName: NAME_RULES.ml_ab,
  sniff: CONTENT_RULES.ml_ab,
  read: (p) => {
    const r = readMlab(p);
    return { structures: r.structures, meta: { mlab: r.header } };
  },
  write: (p, s, m) => writeMlab(p, s, m?.mlab),
});

/** `write` of a read-only format: refuses, naming what to write instead. */
function readOnly(name: string): (path: string) => never {
  return (path) => {
    throw new FarfieldError('UNSUPPORTED', `writing ${name} files is not supported (farfield reads them); write extxyz (.xyz), POSCAR or ML_AB instead`, { file: path });
  };
}

FORMATS.register('outcar', {
  name: 'outcar',
  description: 'VASP OUTCAR, every complete ionic step (energy = free energy TOTEN, forces, stress); read only',
  matchesName: NAME_RULES.outcar,
  sniff: CONTENT_RULES.outcar,
  read: (p) => ({ structures: readOutcar(p) }),
  write: readOnly('OUTCAR'),
  stream: (p) => streamOutcar(p),
});

FORMATS.register('vasprun', {
  name: 'vasprun',
  description: 'VASP vasprun.xml, every <calculation> (energy = free energy e_fr_energy, forces, stress); read only',
  matchesName: NAME_RULES.vasprun,
  sniff: CONTENT_RULES.vasprun,
  read: (p) => ({ structures: readVasprun(p) }),
  write: readOnly('vasprun.xml'),
  stream: (p) => streamVasprun(p),
});

FORMATS.register('xdatcar', {
  name: 'xdatcar',
  description: 'VASP XDATCAR trajectory (VASP 5), every frame; read only',
  matchesName: NAME_RULES.xdatcar,
  sniff: CONTENT_RULES.xdatcar,
  read: (p) => ({ structures: readXdatcar(p) }),
  write: readOnly('XDATCAR'),
  stream: (p) => streamXdatcar(p),
});

export function formatNames(): string[] {
  return [...FORMATS.names(), ...ALIASES.keys()];
}

/** The format registered under `name` (or an alias such as 'vasp'). */
export function getFormat(name: string): FileFormat {
  const key = name.toLowerCase();
  const canonical = ALIASES.get(key) ?? key;
  if (!FORMATS.has(canonical))
    throw new FarfieldError('FORMAT', `unknown file format '${name}' (known: ${formatNames().join(', ')})`);
  return FORMATS.get(canonical);
}

function readHead(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw readError(path, e);
  }
  try {
    const b = Buffer.alloc(SNIFF_BYTES);
    let n: number;
    try {
      n = readSync(fd, b, 0, b.length, 0); // EISDIR for a directory (open succeeds on Linux)
    } catch (e) {
      throw readError(path, e);
    }
    let head = b.subarray(0, n);
    if (isGzip(head)) {
      try {
        head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }); // the start of the text, from a prefix
      } catch (e) {
        throw readError(path, e);
      }
    }
    return stripBom(head.subarray(0, SNIFF_BYTES).toString('utf8')).replace(/\r/g, '');
  } finally {
    closeSync(fd);
  }
}

/** Format for reading `path`: explicit name, else file name, else content (rules in detect.ts; formats registered
 * later by a user are tried with their own name and content tests after the built-in ones). */
export function detectFormat(path: string, explicit?: string): FileFormat {
  if (explicit) return getFormat(explicit);
  let head: string | undefined;
  const readOnce = (): string => (head ??= readHead(path));
  try {
    return FORMATS.get(detectFormatName(path, readOnce));
  } catch (e) {
    if (!(e instanceof FarfieldError && e.code === 'FORMAT')) throw e;
  }
  const base = basename(path).toLowerCase();
  for (const [, f] of FORMATS.entries()) if (f.matchesName(base) || f.sniff(readOnce().replace(/\r/g, ''))) return f;
  throw new FarfieldError('FORMAT', `cannot tell the format of ${path} from its name or content; pass one of: ${formatNames().join(', ')}`, { file: path });
}

/** Format for writing `path`: explicit name, else file name (.xyz → extxyz, as ASE does). */
export function formatForWriting(path: string, explicit?: string): FileFormat {
  if (explicit) return getFormat(explicit);
  const base = basename(path).toLowerCase();
  if (base.endsWith('.gz'))
    throw new FarfieldError('FORMAT', `writing gzip-compressed files is not supported: write ${basename(path).slice(0, -3)} and compress it with gzip (farfield reads .gz files directly)`, { file: path });
  if (base.endsWith('.xyz')) return FORMATS.get('extxyz');
  for (const [, f] of FORMATS.entries()) if (f.matchesName(base)) return f;
  throw new FarfieldError('FORMAT', `cannot tell the output format from the name ${path}; pass one of: ${formatNames().join(', ')}`, { file: path });
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
