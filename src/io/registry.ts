/**
 * File-format registry (pure: texts in, texts out; file access is host/files.ts): each format has a name, aliases,
 * file-name patterns, a content sniffer, a parser of a whole text, a formatter (absent for read-only formats) and
 * optionally a frame-by-frame reader (a line-fed parser, or the XYZ frame parser) and a frame formatter for appending
 * frames. `readFormatFor` / `writeFormatFor` pick the format from an explicit name, else from the file name, else
 * (reading) from the content.
 */
import { FarfieldError, Registry, type Structure } from '../core/index.js';
import { parseXyzText } from './extxyzParse.js';
import { formatExtxyzFrame, formatPlainXyzFrame } from './extxyzFormat.js';
import { formatMlab, parseMlab, type MlabHeader } from './mlab.js';
import { formatPoscarFile, parsePoscar } from './poscar.js';
import { OutcarParser } from './outcar.js';
import { VasprunParser } from './vasprun.js';
import { XdatcarParser } from './xdatcar.js';
import { parseLines, type LineParser } from './lines.js';
import { CONTENT_RULES, NAME_RULES, detectFormatName } from './detect.js';

/** Side information some formats carry besides the structures (ML_AB's header). */
export interface FormatMeta {
  mlab?: MlabHeader;
}

/** How a format is read frame by frame: a line-fed parser (VASP outputs) or the (extended) XYZ frame parser. */
export type FrameReading = { kind: 'lines'; parser(file: string): LineParser } | { kind: 'xyz'; plain: boolean };

export interface FileFormat {
  name: string;
  description: string;
  /** File-name tests (lower-cased base name). */
  matchesName(base: string): boolean;
  /** Content test on the first few kB of the file. */
  sniff(head: string): boolean;
  /** Every structure of a text held in memory (`file` names it in errors). */
  parse(text: string, file: string): { structures: Structure[]; meta?: FormatMeta };
  /** The text of a whole file; read-only formats throw, naming what to write instead. */
  format(structures: readonly Structure[], meta: FormatMeta | undefined, file: string): string;
  /** Frame-by-frame reading without holding the file in memory. */
  frames?: FrameReading;
  /** The text of one frame, for formats whose files are frames appended one after the other. */
  formatFrame?(s: Structure): string;
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
  parse: (text, file) => ({ structures: parseXyzText(text, file) }),
  format: (s) => s.map(formatExtxyzFrame).join(''),
  frames: { kind: 'xyz', plain: false },
  formatFrame: formatExtxyzFrame,
});

FORMATS.register('xyz', {
  name: 'xyz',
  description: 'plain XYZ (count, comment, symbol x y z)',
  matchesName: NAME_RULES.xyz,
  sniff: CONTENT_RULES.xyz,
  parse: (text, file) => ({ structures: parseXyzText(text, file, true) }),
  format: (s) => s.map(formatPlainXyzFrame).join(''),
  frames: { kind: 'xyz', plain: true },
  formatFrame: formatPlainXyzFrame,
});

FORMATS.register('poscar', {
  name: 'poscar',
  description: 'VASP POSCAR/CONTCAR (VASP 5), one structure',
  matchesName: NAME_RULES.poscar,
  sniff: CONTENT_RULES.poscar,
  parse: (text, file) => ({ structures: [parsePoscar(text, file)] }),
  format: (s) => formatPoscarFile(s),
});

FORMATS.register('ml_ab', {
  name: 'ml_ab',
  description: 'VASP machine-learning training data ML_AB / ML_ABN',
  matchesName: NAME_RULES.ml_ab,
  sniff: CONTENT_RULES.ml_ab,
  parse: (text, file) => {
    const r = parseMlab(text, file);
    return { structures: r.structures, meta: { mlab: r.header } };
  },
  format: (s, m) => formatMlab(s, m?.mlab),
});

/** `format` of a read-only format: refuses, naming what to write instead. */
function readOnly(name: string): (s: readonly Structure[], m: FormatMeta | undefined, file: string) => never {
  return (_s, _m, file) => {
    throw new FarfieldError('UNSUPPORTED', `writing ${name} files is not supported (farfield reads them); write extxyz (.xyz), POSCAR or ML_AB instead`, { file });
  };
}

/** A format read by a line-fed parser: whole texts and frame-by-frame reading share the parser. */
function lineFed(parser: (file: string) => LineParser): Pick<FileFormat, 'parse' | 'frames'> {
  return { parse: (text, file) => ({ structures: parseLines(text, parser(file)) }), frames: { kind: 'lines', parser } };
}

FORMATS.register('outcar', {
  name: 'outcar',
  description: 'VASP OUTCAR, every complete ionic step (energy = free energy TOTEN, forces, stress); read only',
  matchesName: NAME_RULES.outcar,
  sniff: CONTENT_RULES.outcar,
  ...lineFed((file) => new OutcarParser(file)),
  format: readOnly('OUTCAR'),
});

FORMATS.register('vasprun', {
  name: 'vasprun',
  description: 'VASP vasprun.xml, every <calculation> (energy = free energy e_fr_energy, forces, stress); read only',
  matchesName: NAME_RULES.vasprun,
  sniff: CONTENT_RULES.vasprun,
  ...lineFed((file) => new VasprunParser(file)),
  format: readOnly('vasprun.xml'),
});

FORMATS.register('xdatcar', {
  name: 'xdatcar',
  description: 'VASP XDATCAR trajectory (VASP 5), every frame; read only',
  matchesName: NAME_RULES.xdatcar,
  sniff: CONTENT_RULES.xdatcar,
  ...lineFed((file) => new XdatcarParser(file)),
  format: readOnly('XDATCAR'),
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

/** The last '/'-separated component of a path, as POSIX basename gives it (trailing slashes dropped). */
export function baseName(path: string): string {
  const p = path.replace(/\/+$/, '');
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Format for reading `path`: explicit name, else file name, else content (`head()`: the first few kB of the text,
 * asked for only when the name does not tell; rules in detect.ts; formats registered later by a user are tried
 * with their own name and content tests after the built-in ones).
 */
export function readFormatFor(path: string, head: () => string, explicit?: string): FileFormat {
  if (explicit) return getFormat(explicit);
  let text: string | undefined;
  const readOnce = (): string => (text ??= head());
  try {
    return FORMATS.get(detectFormatName(path, readOnce));
  } catch (e) {
    if (!(e instanceof FarfieldError && e.code === 'FORMAT')) throw e;
  }
  const base = baseName(path).toLowerCase();
  for (const [, f] of FORMATS.entries()) if (f.matchesName(base) || f.sniff(readOnce().replace(/\r/g, ''))) return f;
  throw new FarfieldError('FORMAT', `cannot tell the format of ${path} from its name or content; pass one of: ${formatNames().join(', ')}`, { file: path });
}

/** Format for writing `path`: explicit name, else file name (.xyz → extxyz, as ASE does). */
export function writeFormatFor(path: string, explicit?: string): FileFormat {
  if (explicit) return getFormat(explicit);
  const base = baseName(path).toLowerCase();
  if (base.endsWith('.gz'))
    throw new FarfieldError('FORMAT', `writing gzip-compressed files is not supported: write ${baseName(path).slice(0, -3)} and compress it with gzip (farfield reads .gz files directly)`, { file: path });
  if (base.endsWith('.xyz')) return FORMATS.get('extxyz');
  for (const [, f] of FORMATS.entries()) if (f.matchesName(base)) return f;
  throw new FarfieldError('FORMAT', `cannot tell the output format from the name ${path}; pass one of: ${formatNames().join(', ')}`, { file: path });
}
