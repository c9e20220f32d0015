/**
 * Extended XYZ and plain XYZ writer (text of one frame), as ASE's writer emits it (ase/io/extxyz.py of ASE 3.22):
 * `Lattice` (if the cell is non-zero), `Properties=species:S:1:pos:R:3…`, info pairs, `energy`, `stress` as 9
 * numbers (Fortran order), `pbc`; columns species, pos, other arrays, charges, forces. Reals are written in shortest
 * round-trip form, so reading our output gives back the same doubles (ASE too); Lattice, energy and stress always as
 * reals ('-1.0', never '-1', which ASE would read as an int); info values as keyvalue.ts writes them (types kept for
 * ASE). The reader is extxyzParse.ts; writing files (atomic, live) is in host/.
 */
import { FarfieldError, validateStructure, type InfoValue, type Structure } from '../core/index.js';
import type { ColumnData, PropertyType } from './extxyzParse.js';
import { formatKeyValues } from './keyvalue.js';
import { formatFinite } from './text.js';

// ---------------------------------------------------------------- writing

const RESERVED_INFO = new Set(['Lattice', 'Properties', 'pbc']);

/** A finite real in shortest round-trip form that Python reads as a float: '-1' → '-1.0' (exponents are kept). */
function realText(x: number, what: string): string {
  const t = formatFinite(x, what);
  return /^-?\d+$/.test(t) ? t + '.0' : t;
}

function columnName(name: string): string {
  if (name === '' || /[\s:"'=]/.test(name)) throw new FarfieldError('INVALID_INPUT', `per-atom array name '${name}' cannot be written to extended XYZ (no spaces, ':', quotes or '=')`);
  return name;
}

/** Text of one extended-XYZ frame (ends with '\n'). */
export function formatExtxyzFrame(s: Structure): string {
  validateStructure(s);
  const n = s.species.length;
  const L = s.labels;
  // columns: species, pos, arrays…, charges, forces
  type Col = { name: string; type: PropertyType; width: number; data: ColumnData };
  const cols: Col[] = [];
  const reserved = new Set(['species', 'pos', 'Z']);
  if (L.charges) reserved.add('charges');
  if (L.forcesEvPerA) reserved.add('forces');
  for (const [name, a] of Object.entries(s.arrays)) {
    if (reserved.has(name)) continue;
    if (name === 'selective_dynamics' && a.type === 'L' && a.width === 3 && !('move_mask' in s.arrays)) {
      cols.push(moveMask(a.data, n));
      continue;
    }
    cols.push({ name: columnName(name), type: a.type, width: a.width, data: a.data });
  }
  if (L.charges) cols.push({ name: 'charges', type: 'R', width: 1, data: L.charges });
  if (L.forcesEvPerA) cols.push({ name: 'forces', type: 'R', width: 3, data: L.forcesEvPerA });
  let props = 'species:S:1:pos:R:3';
  for (const c of cols) props += `:${c.name}:${c.type}:${c.width}`;

  let head = '';
  if (s.cell.some((x) => x !== 0)) head += `Lattice="${Array.from(s.cell, (x) => realText(x, 'Lattice')).join(' ')}" `;
  head += `Properties=${props}`;
  const entries: [string, InfoValue][] = [];
  for (const [k, v] of Object.entries(s.info)) {
    if (RESERVED_INFO.has(k)) continue;
    if (k === 'energy' && L.energyEv !== undefined) continue;
    if (k === 'stress' && L.stressEvPerA3 !== undefined) continue;
    entries.push([k, v]);
  }
  // labels are reals in ASE (a SinglePointCalculator's float results): always written with a '.' or an exponent,
  // so that energy=-1.0 does not come back as the integer -1
  const tail: string[] = [];
  if (L.energyEv !== undefined) tail.push(`energy=${realText(L.energyEv, 'energy')}`);
  if (L.stressEvPerA3) {
    const t = L.stressEvPerA3;
    // Fortran order, as ASE writes (and reads) it: v[i + 3j] = t[i][j]
    const v: string[] = [];
    for (let j = 0; j < 3; j++) for (let i = 0; i < 3; i++) v[i + 3 * j] = realText(t[3 * i + j], 'stress');
    tail.push(`stress="${v.join(' ')}"`);
  }
  tail.push(`pbc="${s.pbc.map((b) => (b ? 'T' : 'F')).join(' ')}"`); // ASE always writes pbc
  head += ' ' + formatKeyValues(entries, s.info, tail);

  const parts: string[] = [String(n), '\n', head, '\n'];
  const pos = s.positions;
  for (let a = 0; a < n; a++) {
    let line = s.symbols[s.species[a]] + ' ' + fmt(pos[3 * a], 'positions') + ' ' + fmt(pos[3 * a + 1], 'positions') + ' ' + fmt(pos[3 * a + 2], 'positions');
    for (const c of cols) {
      for (let j = 0; j < c.width; j++) {
        const v = c.data[a * c.width + j];
        switch (c.type) {
          case 'R': line += ' ' + fmt(v as number, c.name); break;
          case 'I': line += ' ' + String(v); break;
          case 'L': line += v ? ' T' : ' F'; break;
          case 'S': {
            const str = v as string;
            if (str === '' || /\s/.test(str)) throw new FarfieldError('INVALID_INPUT', `per-atom string '${str}' in '${c.name}' cannot be written to extended XYZ (empty or contains whitespace)`);
            line += ' ' + str;
          }
        }
      }
    }
    parts.push(line, '\n');
  }
  return parts.join('');
}

/**
 * POSCAR-style selective dynamics (L:3, T = may move) as ASE's constraint column `move_mask`: width 1 (ASE's
 * FixAtoms) when every atom is all-T or all-F, else width 3 (one FixCartesian per atom).
 */
function moveMask(flags: Uint8Array, n: number): { name: string; type: PropertyType; width: number; data: ColumnData } {
  let uniform = true;
  for (let a = 0; a < n && uniform; a++) uniform = flags[3 * a] === flags[3 * a + 1] && flags[3 * a] === flags[3 * a + 2];
  if (!uniform) return { name: 'move_mask', type: 'L', width: 3, data: flags };
  return { name: 'move_mask', type: 'L', width: 1, data: Uint8Array.from({ length: n }, (_, a) => flags[3 * a]) };
}

function fmt(x: number, what: string): string {
  if (x - x !== 0) throw new FarfieldError('INVALID_INPUT', `cannot write ${what}: value ${x} is not finite`);
  return x === 0 ? (Object.is(x, -0) ? '-0.0' : '0') : String(x);
}

/** Text of one plain XYZ frame: count, comment (info.comment), `symbol x y z`. */
export function formatPlainXyzFrame(s: Structure): string {
  validateStructure(s);
  const n = s.species.length;
  const c = s.info.comment;
  const comment = typeof c === 'string' ? c : '';
  if (/[\r\n]/.test(comment)) throw new FarfieldError('INVALID_INPUT', 'cannot write an XYZ comment that contains a line break');
  const parts: string[] = [String(n), '\n', comment, '\n'];
  const pos = s.positions;
  for (let a = 0; a < n; a++)
    parts.push(s.symbols[s.species[a]], ' ', fmt(pos[3 * a], 'positions'), ' ', fmt(pos[3 * a + 1], 'positions'), ' ', fmt(pos[3 * a + 2], 'positions'), '\n');
  return parts.join('');
}
