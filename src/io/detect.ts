/**
 * Format detection rules shared by the file-system registry (registry.ts) and hosts without a file system (the web
 * page parses dropped files from text): file-name patterns first, then a content sniff of the first 8 kB.
 * Pure functions, no `node:*` imports.
 */
import { FarfieldError } from '../core/index.js';
import { splitKeyValues } from './keyvalue.js';

/** Formats the detector can name. */
export type DetectedFormat = 'extxyz' | 'xyz' | 'poscar' | 'ml_ab' | 'xdatcar' | 'outcar' | 'vasprun';

/** Bytes of the file's beginning the content rules look at. */
export const SNIFF_BYTES = 8192;

/** A key=value pair as ASE writes one (`energy=-3.5`, `Lattice="…"`, `key = value`, `"a key"=…`). */
const KEY_VALUE = /(^|\s)("[^"]*"|'[^']*'|[^\s=]+)\s*=/;

/** The line parses under ASE's key=value grammar (an unterminated quote does not: such a comment is plain text). */
function splitsAsKeyValues(line: string): boolean {
  try {
    splitKeyValues(line, { file: '', line: 0 });
    return true;
  } catch (e) {
    if (e instanceof FarfieldError) return false;
    throw e;
  }
}

/** The comment line of an XYZ frame at the top of `head`, or null when the text does not start like XYZ. */
function firstComment(head: string): string | null {
  const lines = head.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (i + 1 >= lines.length || !/^\s*\d+\s*$/.test(lines[i])) return null;
  return lines[i + 1];
}

/** A VASP file name ('OUTCAR', 'OUTCAR.12', 'OUTCAR_relax', 'run1.outcar') not claimed by an XYZ extension. */
function vaspName(b: string, stem: string): boolean {
  if (b.endsWith('.xyz') || b.endsWith('.extxyz')) return false;
  if (b === stem) return true;
  if (b.startsWith(stem) && /^[._-]/.test(b.slice(stem.length))) return true; // OUTCAR.12, OUTCAR_relax
  return b.endsWith(stem) && /[._-]$/.test(b.slice(0, -stem.length)); // run1.OUTCAR, relax_OUTCAR
}

/** File-name rules per format (lower-cased base name). Plain XYZ has none: `.xyz` is decided by content. */
export const NAME_RULES: Record<DetectedFormat, (base: string) => boolean> = {
  extxyz: (b) => b.endsWith('.extxyz'),
  xyz: () => false,
  poscar: (b) => b.startsWith('poscar') || b.startsWith('contcar') || b.endsWith('.vasp') || b.endsWith('.poscar'),
  ml_ab: (b) => b.startsWith('ml_ab'),
  xdatcar: (b) => vaspName(b, 'xdatcar'),
  outcar: (b) => vaspName(b, 'outcar'),
  // ASE's pattern '*vasp*.xml' (vasprun.xml, vasprun_3.xml, relax.vasprun.xml)
  vasprun: (b) => b.endsWith('.xml') && b.includes('vasp'),
};

/** Line 2 is one scaling factor and lines 3–5 hold three numbers each (POSCAR and XDATCAR headers). */
function poscarLikeHead(l: string[]): boolean {
  return l.length > 7 && /^\s*[-+]?[\d.]+([eE][-+]?\d+)?\s*$/.test(l[1]) && l.slice(2, 5).every((x) => x.trim().split(/\s+/).length >= 3);
}

/** The 8th line of an XDATCAR: 'Direct configuration=     1' (a POSCAR has 'Direct' or 'Selective dynamics'). */
function isXdatcarHead(l: string[]): boolean {
  return l.length > 8 && /^\s*(direct|cartesian)\s+configuration\s*=/i.test(l[7]);
}

/** Content rules per format, applied to the first SNIFF_BYTES of the file (CR removed). */
export const CONTENT_RULES: Record<DetectedFormat, (head: string) => boolean> = {
  // any key=value pair on the first comment line: ASE reads every .xyz comment as key=value pairs
  extxyz: (h) => {
    const c = firstComment(h);
    return c !== null && KEY_VALUE.test(c) && splitsAsKeyValues(c);
  },
  xyz: (h) => {
    const c = firstComment(h);
    return c !== null && !(KEY_VALUE.test(c) && splitsAsKeyValues(c));
  },
  poscar: (h) => {
    const l = h.split('\n');
    return poscarLikeHead(l) && !isXdatcarHead(l);
  },
  ml_ab: (h) => /^\s*1\.0\s+Version/.test(h) && h.includes('The number of configurations'),
  xdatcar: (h) => {
    const l = h.split('\n');
    return poscarLikeHead(l) && isXdatcarHead(l);
  },
  // first line ' vasp.6.1.0 28Jan20 (build …)', then the POTCAR lines
  outcar: (h) => /^\s*vasp\.\d/.test(h) && h.includes('POTCAR:'),
  vasprun: (h) => /^\s*(<\?xml[^>]*>\s*)?<modeling>/.test(h),
};

const ORDER: readonly DetectedFormat[] = ['extxyz', 'xyz', 'xdatcar', 'poscar', 'ml_ab', 'outcar', 'vasprun'];

/**
 * The format of a file from its name, else its content. `head` is called only when the name decides nothing (so
 * a file-system caller reads the file lazily). A `.xyz` name is extended XYZ when its first comment line has a
 * key=value pair (`Lattice=`, `Properties=`, `energy=` …: ASE reads such comments as key=value pairs), plain XYZ
 * otherwise (the comment is kept as info.comment).
 */
export function detectFormatName(fileName: string, head: () => string): DetectedFormat {
  const base = fileName.toLowerCase().replace(/^.*[\\/]/, '').replace(/\.gz$/, ''); // gzip is undone by the readers
  for (const f of ORDER) if (NAME_RULES[f](base)) return f;
  const h = head().slice(0, SNIFF_BYTES).replace(/^\ufeff/, '').replace(/\r/g, '');
  if (base.endsWith('.xyz')) return CONTENT_RULES.extxyz(h) ? 'extxyz' : 'xyz';
  for (const f of ORDER) if (CONTENT_RULES[f](h)) return f;
  throw new FarfieldError('FORMAT', `cannot tell the format of ${fileName} from its name or content (known: ${ORDER.join(', ')})`, { file: fileName });
}
