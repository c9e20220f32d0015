/**
 * Extended XYZ (ASE semantics, ase/io/extxyz.py of ASE 3.22) and plain XYZ: the parser (a whole text, or one frame
 * at a cursor, which host/files.ts uses to stream files). The formatter is extxyzFormat.ts; file access is in host/.
 *
 * A frame is: a line with the atom count N; a comment line of key=value pairs (see keyvalue.ts); N atom lines whose
 * columns are described by `Properties=name:T:w:…` (T ∈ S string, R real, I integer, L logical T/F/True/False; w ≥ 1
 * columns). Default Properties: `species:S:1:pos:R:3`.
 * Special keys, mapped as ASE does:
 * - `Lattice="a1x a1y a1z a2x a2y a2z a3x a3y a3z"` → cell rows (Å); `pbc="T T F"` (default: T T T with a Lattice,
 *   F F F without). Periodic directions without a Lattice are an error.
 * - `energy` (eV) → labels.energyEv.
 * - `stress`: 9 numbers = 3×3 in Fortran (column-major) order, as ASE reshapes them, or 6 in Voigt order
 *   xx yy zz yz xz xy; eV/Å³, ASE sign (positive = tensile) → labels.stressEvPerA3 (row-major 3×3).
 * - `virial` (eV, 9 or 6 as stress) → stress = −virial/V when there is no `stress` (kept in info otherwise).
 * - per-atom `forces:R:3` (eV/Å) → labels.forcesEvPerA; `charge`/`charges`/`initial_charges` `:R:1` (e) → labels.charges.
 * - `species` (capitalised like ASE: 'CL' → 'Cl'; must be an element symbol or 'X', ASE's dummy atom) or, without
 *   it, `Z` → the species table; `pos:R:3` → positions (Å). An empty frame may declare species:R:1 (as ASE writes it).
 * - `move_mask:L:3` or `:L:1` (ASE's FixCartesian / FixAtoms, T = may move) stays the per-atom array `move_mask`:
 *   its flags refer to Cartesian x, y, z, unlike a POSCAR's `selective_dynamics` flags, which refer to the fractional
 *   coordinates (md/constraints.ts honours both). A `selective_dynamics` array (from a POSCAR) is written as
 *   `move_mask` (L:1 when every atom is all-T or all-F), as ASE writes a POSCAR's constraints; in a skewed cell
 *   with partly fixed atoms that changes which directions are fixed.
 * - `pbc` may also be given as numbers (`pbc="1 1 0"`, non-zero = periodic), as ASE accepts.
 * Everything else stays in `info` / `arrays` under its own name and type.
 * As in ASE: a comment line without Properties keeps species and pos as the only columns (extra columns ignored);
 * frames followed by `VEC1 x y z` … lines (ASE's `vec_cell`, not counted in N) take their cell from them and keep
 * the comment as info.comment (fewer than three VEC lines — a partly periodic cell — are refused: farfield's
 * periodic structures need a 3-D cell). A byte-order mark is skipped (gzip is undone by the host before parsing).
 */
import {
  FarfieldError,
  cellVolume,
  validateStructure,
  type InfoValue,
  type PerAtomArray,
  type Structure,
  type StructureLabels,
} from '../core/index.js';
import { CHEMICAL_SYMBOLS, capitalize, checkElement } from './elements.js';
import { parseKeyValues, rememberNumberTexts, splitKeyValues } from './keyvalue.js';
import { LineCursor, NEED_MORE, clip, isSpace, parseCount, parseError, parseReal, stripBom, tokens, type Where } from './text.js';

export type PropertyType = 'R' | 'I' | 'L' | 'S';
export interface PropertySpec {
  name: string;
  type: PropertyType;
  width: number;
}

const DEFAULT_PROPERTIES = 'species:S:1:pos:R:3';
const CHARGE_NAMES = ['charges', 'charge', 'initial_charges'];

/** Parse a `Properties=` value. */
export function parseProperties(value: InfoValue, w: Where): PropertySpec[] {
  if (typeof value !== 'string') throw parseError(`expected name:type:width triples, got ${JSON.stringify(value)}`, w.file, w.line, 'Properties');
  const f = value.split(':');
  if (f.length % 3 !== 0) throw parseError(`expected name:type:width triples, got ${f.length} fields in '${clip(value)}'`, w.file, w.line, 'Properties');
  const out: PropertySpec[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < f.length; k += 3) {
    const [name, type, width] = [f[k], f[k + 1], f[k + 2]];
    if (name === '') throw parseError(`property ${k / 3 + 1} has an empty name`, w.file, w.line, 'Properties');
    if (seen.has(name)) throw parseError(`property '${name}' appears twice`, w.file, w.line, 'Properties');
    seen.add(name);
    if (type !== 'R' && type !== 'I' && type !== 'L' && type !== 'S')
      throw parseError(`property '${name}' has type '${type}', expected one of S, R, I, L`, w.file, w.line, 'Properties');
    if (!/^\d+$/.test(width) || Number(width) < 1 || Number(width) > 1e6)
      throw parseError(`property '${name}' has width '${width}', expected a positive integer`, w.file, w.line, 'Properties');
    out.push({ name, type, width: Number(width) });
  }
  return out;
}

export type ColumnData = Float64Array | Int32Array | Uint8Array | string[];

function allocate(spec: PropertySpec, n: number): ColumnData {
  const len = spec.width * n;
  switch (spec.type) {
    case 'R': return new Float64Array(len);
    case 'I': return new Int32Array(len);
    case 'L': return new Uint8Array(len);
    case 'S': return new Array<string>(len);
  }
}

function asNumbers(v: InfoValue | undefined): number[] | null {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return null;
}

/** A 3×3 given as 9 numbers in Fortran order (ASE's reshape(order='F')) or 6 in Voigt order → row-major 3×3. */
function tensorFromInfo(key: string, v: InfoValue, w: Where): Float64Array {
  const a = asNumbers(v);
  const where = (msg: string) => parseError(msg, w.file, w.line, key);
  if (a === null || (a.length !== 9 && a.length !== 6)) throw where(`expected 9 numbers (3×3) or 6 (Voigt xx yy zz yz xz xy), got ${JSON.stringify(v)}`);
  const t = new Float64Array(9);
  if (a.length === 9) {
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) t[3 * i + j] = a[i + 3 * j];
  } else {
    const [xx, yy, zz, yz, xz, xy] = a;
    t.set([xx, xy, xz, xy, yy, yz, xz, yz, zz]);
  }
  return t;
}

/**
 * Read the N atom lines of a frame into columns; errors name the line and the property.
 * `lenient`: extra columns beyond the Properties are ignored (ASE does so when the comment gives no Properties).
 */
function readAtomLines(cur: LineCursor, n: number, props: PropertySpec[], headerLine: number, lenient = false): ColumnData[] {
  let ncol = 0;
  for (const p of props) ncol += p.width;
  // every column takes at least one character (two with its separator): refuse atom counts and column widths the
  // text cannot hold before allocating anything
  if (n * ncol > cur.text.length - cur.pos) {
    if (cur.more) throw NEED_MORE;
    let lines = 0;
    let p = cur.text.indexOf('\n', cur.pos);
    for (; p >= 0 && lines < n; p = cur.text.indexOf('\n', p + 1)) lines++;
    if (lines < n && p < 0 && cur.text.length > (lines === 0 ? cur.pos : cur.text.lastIndexOf('\n') + 1)) lines++; // last line without '\n'
    if (lines < n)
      throw parseError(`file ends inside the frame that starts at line ${headerLine}: expected ${n} atom lines, found ${lines}`, cur.file, cur.lineNo + lines + 1, 'atoms');
    throw parseError(`Properties declares ${ncol} columns per atom, more than the ${n} atom lines can hold: check the widths (name:type:width)`, cur.file, cur.lineNo, 'Properties');
  }
  let data: ColumnData[];
  try {
    data = props.map((p) => allocate(p, n));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw parseError(`cannot allocate ${n} atoms × ${ncol} columns (${e.message}): check the atom count and the Properties widths`, cur.file, cur.lineNo, 'Properties');
  }
  // flat per-column plan
  const colProp = new Int32Array(ncol), colComp = new Int32Array(ncol), colType = new Uint8Array(ncol);
  {
    let c = 0;
    props.forEach((p, k) => {
      for (let j = 0; j < p.width; j++, c++) {
        colProp[c] = k;
        colComp[c] = j;
        colType[c] = p.type === 'R' ? 0 : p.type === 'I' ? 1 : p.type === 'L' ? 2 : 3;
      }
    });
  }
  const file = cur.file;
  for (let atom = 0; atom < n; atom++) {
    const line = cur.next();
    if (line === null)
      throw parseError(`file ends inside the frame that starts at line ${headerLine}: expected ${n} atom lines, found ${atom}`, file, cur.lineNo + 1, 'atoms');
    const len = line.length;
    let i = 0;
    for (let c = 0; c < ncol; c++) {
      while (i < len && isSpace(line.charCodeAt(i))) i++;
      if (i >= len) {
        throw parseError(
          `Properties says ${ncol} columns, line has ${c}` + (c === 0 ? ` (expected ${n} atom lines, this is atom ${atom + 1})` : ''),
          file, cur.lineNo, 'Properties');
      }
      const a = i;
      while (i < len && !isSpace(line.charCodeAt(i))) i++;
      const tok = line.substring(a, i);
      const k = colProp[c];
      const p = props[k];
      const idx = atom * p.width + colComp[c];
      switch (colType[c]) {
        case 0: {
          const v = Number(tok);
          // v - v is 0 only for finite v; refuse 0x/0b/0o prefixes that Number accepts and Python does not
          if (v - v !== 0 || (tok.length > 1 && tok.charCodeAt(0) === 48 && (tok.charCodeAt(1) | 32) > 96))
            throw parseError(`atom ${atom + 1}: expected a finite real, got '${clip(tok)}'`, file, cur.lineNo, p.name);
          (data[k] as Float64Array)[idx] = v;
          break;
        }
        case 1: {
          const v = Number(tok);
          if (!/^[+-]?\d+$/.test(tok) || v > 2147483647 || v < -2147483648)
            throw parseError(`atom ${atom + 1}: expected a 32-bit integer, got '${clip(tok)}'`, file, cur.lineNo, p.name);
          (data[k] as Int32Array)[idx] = v;
          break;
        }
        case 2: {
          let b: number;
          if (tok === 'T' || tok === 'True') b = 1;
          else if (tok === 'F' || tok === 'False') b = 0;
          else throw parseError(`atom ${atom + 1}: expected T or F, got '${clip(tok)}'`, file, cur.lineNo, p.name);
          (data[k] as Uint8Array)[idx] = b;
          break;
        }
        default:
          (data[k] as string[])[idx] = tok;
      }
    }
    while (i < len && isSpace(line.charCodeAt(i))) i++;
    if (i < len && !lenient) {
      const extra = tokens(line.substring(i)).length;
      throw parseError(`Properties says ${ncol} columns, line has ${ncol + extra}`, file, cur.lineNo, 'Properties');
    }
  }
  return data;
}

/** Skip blank lines; return the count line's value or null at end of text. */
function readCount(cur: LineCursor): number | null {
  for (;;) {
    const line = cur.next();
    if (line === null) return null;
    const t = tokens(line);
    if (t.length === 0) continue;
    const w = { file: cur.file, line: cur.lineNo, field: 'atom count' };
    if (t.length !== 1) throw parseError(`expected the number of atoms alone on the line, got '${clip(line.trim())}'`, w.file, w.line, w.field);
    return parseCount(t[0], w, 'the number of atoms');
  }
}

/**
 * Parse one frame starting at the cursor (blank lines before it are skipped). Returns null at the end of the text.
 * `plain`: plain XYZ (comment kept as info.comment, columns symbol x y z [ignored extras]); a plain frame whose
 * comment holds key=value pairs (`energy=-3.5`) is read as ASE reads every `.xyz`, with the extended-XYZ rules.
 * Frames followed by `VEC1 x y z` … lines (ASE's `vec_cell`) take their lattice vectors from those lines, and their
 * comment stays a comment, as in ASE.
 */
export function parseFrame(cur: LineCursor, plain = false): Structure | null {
  const n = readCount(cur);
  if (n === null) return null;
  const headerLine = cur.lineNo;
  const comment = cur.next();
  if (comment === null) throw parseError('file ends after the atom count: expected a comment line', cur.file, headerLine + 1, 'comment');
  const cw: Where = { file: cur.file, line: cur.lineNo };
  const nvec = countVecLines(cur, n);
  if (nvec > 0) return vecFrame(cur, n, comment, headerLine, nvec);
  if (plain && !isKeyValueComment(comment, cw)) return plainFrame(cur, n, comment, headerLine);
  return extFrame(cur, n, comment, cw, headerLine);
}

/** True if the comment line parses as key=value pairs with at least one '=' (ASE would read it as such). */
function isKeyValueComment(comment: string, w: Where): boolean {
  if (!comment.includes('=')) return false;
  try {
    return splitKeyValues(comment, w).some(([, v]) => v !== null);
  } catch (e) {
    if (e instanceof FarfieldError) return false;
    throw e;
  }
}

const VEC_LINE = /^\s*VEC/;

/**
 * Number of `VECk` lines after the n atom lines that follow the cursor (ASE's vec_cell writes the lattice vectors
 * of the periodic directions as pseudo-atoms there, not counted in N). The cursor does not move.
 */
function countVecLines(cur: LineCursor, n: number): number {
  const t = cur.text;
  let p = cur.pos;
  for (let a = 0; a < n; a++) {
    const e = t.indexOf('\n', p);
    if (e < 0) {
      if (cur.more) throw NEED_MORE;
      return 0;
    }
    p = e + 1;
  }
  let nvec = 0;
  for (;;) {
    const e = t.indexOf('\n', p);
    if (e < 0 && cur.more) throw NEED_MORE;
    const line = t.substring(p, e < 0 ? t.length : e);
    if (!VEC_LINE.test(line)) return nvec;
    if (++nvec > 3) throw parseError('more than 3 VEC lines after the atoms (ASE vec_cell writes at most VEC1 VEC2 VEC3)', cur.file, cur.lineNo + n + nvec, 'VEC');
    if (e < 0) return nvec;
    p = e + 1;
  }
}

/** A frame in ASE's vec_cell layout: plain atom lines, then VEC1..VECk; pbc is true along the given vectors. */
function vecFrame(cur: LineCursor, n: number, comment: string, headerLine: number, nvec: number): Structure {
  const s = plainFrame(cur, n, comment, headerLine);
  const first = cur.lineNo + 1;
  for (let k = 0; k < nvec; k++) {
    const line = cur.next() as string; // present: counted by countVecLines
    const t = tokens(line);
    const w: Where = { file: cur.file, line: cur.lineNo, field: 'VEC' };
    if (t[0] !== `VEC${k + 1}`) throw parseError(`expected VEC${k + 1} (a lattice vector in ASE's vec_cell layout), got '${clip(t[0])}'`, w.file, w.line, w.field);
    if (t.length !== 4) throw parseError(`expected 'VEC${k + 1} x y z', got ${t.length - 1} numbers`, w.file, w.line, w.field);
    for (let d = 0; d < 3; d++) s.cell[3 * k + d] = parseReal(t[1 + d], w);
    s.pbc[k] = true;
  }
  if (nvec < 3)
    throw new FarfieldError('UNSUPPORTED',
      `${nvec} VEC line${nvec > 1 ? 's' : ''} (ASE vec_cell with pbc along ${nvec === 1 ? 'one direction' : 'two directions'}): farfield needs all three lattice vectors for a periodic structure; write the file with a Lattice="…" and pbc="…" instead`,
      { file: cur.file, line: first, field: 'VEC' });
  try {
    validateStructure(s, `frame at line ${headerLine}`);
  } catch (e) {
    if (e instanceof FarfieldError) throw parseError(e.message, cur.file, first, 'VEC');
    throw e;
  }
  return s;
}

function plainFrame(cur: LineCursor, n: number, comment: string, headerLine: number): Structure {
  if (2 * n > cur.text.length - cur.pos) {
    if (cur.more) throw NEED_MORE;
    throw parseError(`file ends inside the frame that starts at line ${headerLine}: ${n} atoms announced, the rest of the file is too short`, cur.file, headerLine, 'atoms');
  }
  const positions = new Float64Array(3 * n);
  const species = new Int32Array(n);
  const symbols: string[] = [];
  const index = new Map<string, number>();
  for (let a = 0; a < n; a++) {
    const line = cur.next();
    if (line === null) throw parseError(`file ends inside the frame that starts at line ${headerLine}: expected ${n} atom lines, found ${a}`, cur.file, cur.lineNo + 1, 'atoms');
    const t = tokens(line);
    if (t.length < 4) throw parseError(`expected 'symbol x y z', line has ${t.length} columns`, cur.file, cur.lineNo, 'atoms');
    let k = index.get(t[0]);
    if (k === undefined) {
      const sym = checkElement(capitalize(t[0]), cur.file, cur.lineNo, 'species', t[0]);
      k = symbols.indexOf(sym);
      if (k < 0) { k = symbols.length; symbols.push(sym); }
      index.set(t[0], k);
    }
    species[a] = k;
    for (let d = 0; d < 3; d++) {
      const v = Number(t[1 + d]);
      if (!Number.isFinite(v) || /^0[xXbBoO]/.test(t[1 + d]))
        throw parseError(`atom ${a + 1}: expected a finite real, got '${clip(t[1 + d])}'`, cur.file, cur.lineNo, 'pos');
      positions[3 * a + d] = v;
    }
  }
  const info: Record<string, InfoValue> = {};
  if (comment.trim() !== '') info.comment = comment.trim();
  return { cell: new Float64Array(9), pbc: [false, false, false], positions, species, symbols, info, arrays: {}, labels: {} };
}

function extFrame(cur: LineCursor, n: number, comment: string, cw: Where, headerLine: number): Structure {
  const texts = new Map<string, string>();
  const kv = parseKeyValues(comment, cw, texts);
  const given = kv.get('Properties');
  const props = parseProperties(given ?? DEFAULT_PROPERTIES, cw);
  kv.delete('Properties');
  // without Properties, columns beyond species and pos are ignored, as ASE does
  const columns = readAtomLines(cur, n, props, headerLine, given === undefined);
  const labels: StructureLabels = {};

  // cell and pbc
  const cell = new Float64Array(9);
  const lattice = kv.get('Lattice');
  if (lattice !== undefined) {
    const a = asNumbers(lattice);
    if (a === null || a.length !== 9) throw parseError(`expected 9 numbers (three lattice vectors), got ${JSON.stringify(lattice)}`, cw.file, cw.line, 'Lattice');
    cell.set(a);
    kv.delete('Lattice');
  }
  let pbc: [boolean, boolean, boolean] = lattice !== undefined ? [true, true, true] : [false, false, false];
  const pv = kv.get('pbc');
  if (pv !== undefined) {
    // T/F as ASE writes it; numbers as ASE accepts them (pbc="1 1 0": non-zero = periodic, numpy's bool())
    if (typeof pv === 'boolean') pbc = [pv, pv, pv];
    else if (typeof pv === 'number') pbc = [pv !== 0, pv !== 0, pv !== 0];
    else if (Array.isArray(pv) && pv.length === 3 && pv.every((x) => typeof x === 'boolean')) pbc = [...(pv as boolean[])] as [boolean, boolean, boolean];
    else if (Array.isArray(pv) && pv.length === 3 && pv.every((x) => typeof x === 'number')) pbc = (pv as number[]).map((x) => x !== 0) as [boolean, boolean, boolean];
    else throw parseError(`expected three of T/F (or 1/0), got ${JSON.stringify(pv)}`, cw.file, cw.line, 'pbc');
    kv.delete('pbc');
  }
  if (lattice === undefined && (pbc[0] || pbc[1] || pbc[2]))
    throw parseError(`pbc="${pbc.map((b) => (b ? 'T' : 'F')).join(' ')}" asks for periodic directions but there is no Lattice`, cw.file, cw.line, 'pbc');

  // per-frame labels
  const energy = kv.get('energy');
  if (energy !== undefined) {
    if (typeof energy !== 'number') throw parseError(`expected a finite number (eV), got ${JSON.stringify(energy)}`, cw.file, cw.line, 'energy');
    labels.energyEv = energy;
    kv.delete('energy');
  }
  const stress = kv.get('stress');
  if (stress !== undefined) {
    labels.stressEvPerA3 = tensorFromInfo('stress', stress, cw);
    kv.delete('stress');
  }
  const virial = kv.get('virial');
  if (virial !== undefined && labels.stressEvPerA3 === undefined) {
    const W = tensorFromInfo('virial', virial, cw);
    const vol = cellVolume(cell);
    if (!(vol > 0)) throw parseError('virial needs a 3-D cell to become a stress (Lattice missing or singular)', cw.file, cw.line, 'virial');
    for (let k = 0; k < 9; k++) W[k] = W[k] === 0 ? 0 : -W[k] / vol;
    labels.stressEvPerA3 = W;
    kv.delete('virial');
  }

  // per-atom columns
  let symbols: string[] | null = null;
  let species: Int32Array | null = null;
  let positions: Float64Array | null = null;
  const arrays: Record<string, PerAtomArray> = {};
  const speciesK = props.findIndex((p) => p.name === 'species');
  props.forEach((p, k) => {
    const d = columns[k];
    if (k === speciesK) {
      // ASE writes an empty frame's species column as species:R:1 (numpy's dtype of an empty array)
      if ((p.type !== 'S' || p.width !== 1) && n > 0) throw parseError(`species must be S:1, got ${p.type}:${p.width}`, cw.file, cw.line, 'Properties');
      const raw = d as string[];
      const table = new Map<string, number>();
      const syms: string[] = [];
      const byToken = new Map<string, number>();
      species = new Int32Array(n);
      for (let a = 0; a < n; a++) {
        let s = byToken.get(raw[a]);
        if (s === undefined) {
          const sym = checkElement(capitalize(raw[a]), cw.file, cw.line + 1 + a, 'species', raw[a]);
          s = table.get(sym);
          if (s === undefined) { s = syms.length; syms.push(sym); table.set(sym, s); }
          byToken.set(raw[a], s);
        }
        species[a] = s;
      }
      symbols = syms;
    } else if (p.name === 'pos' && positions === null) {
      if (p.type !== 'R' || p.width !== 3) throw parseError(`pos must be R:3, got ${p.type}:${p.width}`, cw.file, cw.line, 'Properties');
      positions = d as Float64Array;
    } else if (p.name === 'forces' && p.type === 'R' && p.width === 3) {
      labels.forcesEvPerA = d as Float64Array;
    } else if (CHARGE_NAMES.includes(p.name) && p.type === 'R' && p.width === 1 && labels.charges === undefined) {
      labels.charges = d as Float64Array;
    } else {
      arrays[p.name] = { type: p.type, width: p.width, data: d } as PerAtomArray;
    }
  });
  if (positions === null) throw parseError('Properties has no pos:R:3 column', cw.file, cw.line, 'Properties');
  if (symbols === null || species === null) {
    const z = arrays.Z;
    if (!z || z.type !== 'I' || z.width !== 1) throw parseError('Properties has neither species:S:1 nor Z:I:1', cw.file, cw.line, 'Properties');
    const table = new Map<number, number>();
    const syms: string[] = [];
    const sp = new Int32Array(n);
    for (let a = 0; a < n; a++) {
      const zz = z.data[a];
      let s = table.get(zz);
      if (s === undefined) {
        const sym = CHEMICAL_SYMBOLS[zz];
        if (sym === undefined) throw parseError(`atom ${a + 1}: Z = ${zz} is not an element`, cw.file, cw.line, 'Z');
        s = syms.length; syms.push(sym); table.set(zz, s);
      }
      sp[a] = s;
    }
    delete arrays.Z;
    symbols = syms;
    species = sp;
  }
  const info: Record<string, InfoValue> = {};
  for (const [k, v] of kv) info[k] = v;
  rememberNumberTexts(info, texts);
  const s: Structure = { cell, pbc, positions, species: species as Int32Array, symbols: symbols as string[], info, arrays, labels };
  try {
    validateStructure(s, `frame at line ${headerLine}`);
  } catch (e) {
    if (e instanceof FarfieldError) throw parseError(e.message, cw.file, cw.line, 'Lattice');
    throw e;
  }
  return s;
}

// ---------------------------------------------------------------- whole texts

/** All frames of an (extended) XYZ text (a leading byte-order mark is skipped). */
export function parseXyzText(text: string, file: string, plain = false): Structure[] {
  const cur = new LineCursor(stripBom(text), file);
  const out: Structure[] = [];
  for (;;) {
    const s = parseFrame(cur, plain);
    if (s === null) return out;
    out.push(s);
  }
}
