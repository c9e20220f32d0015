/**
 * VASP POSCAR/CONTCAR (VASP 5 layout; VASP 4 files whose comment line names the species — as symbols or formulas,
 * 'Na Cl', 'NaCl', 'Na4Cl4', taken as ASE's read_vasp takes them — are accepted too). Species must be element symbols.
 *
 *   line 1  comment                                  → info.comment
 *   line 2  scaling factor s (or three factors sx sy sz); s < 0 means "target volume |s| Å³": the cell is scaled
 *           by (|s|/V₀)^(1/3), V₀ = |det A| of the unscaled cell
 *   3–5     lattice vectors (rows, Å before scaling)
 *   6       species symbols (VASP 6 may append '/hash' or '_suffix' from the POTCAR: stripped)
 *   7       counts per species
 *  [8]      'Selective dynamics' (first letter S/s) → per-atom L:3 array `selective_dynamics` (T = may move)
 *   next    'Direct' or 'Cartesian' (first letter C/c/K/k = Cartesian, anything else = Direct)
 *   then    N lines: x y z [flag flag flag]; Direct: r = f·A (rows), Cartesian: r = s·x
 * Lines after the positions (velocities, predictor-corrector data) are ignored, as ASE does.
 * The writer emits Cartesian coordinates in shortest round-trip form with scale 1 (like ASE's default), species in
 * runs of consecutive equal symbols, so atom order is kept exactly.
 */
import { FarfieldError, det3, validateStructure, type Structure } from '../core/index.js';
import { atomicNumber, capitalize, checkElement } from './elements.js';
import { LineCursor, clip, formatFinite, parseCount, parseError, parseReal, stripBom, tokens } from './text.js';

function speciesName(tok: string): string {
  return capitalize(tok.split('/')[0].split('_')[0]);
}

/**
 * The species of a VASP 4 POSCAR from its comment line, as ASE's read_vasp takes them: every word with '-', '_',
 * ',', '.', '=' and digits removed that is a formula (capitalised symbols: 'NaCl', 'Na4Cl4', 'Cu2O') contributes its
 * symbols in order; the first `count` must be elements. Failing that, the words themselves as symbols with POTCAR
 * suffixes ('Na_pv Cl'). Empty when neither names `count` elements (ASE would then look for a POTCAR or OUTCAR).
 */
function speciesFromComment(comment: string, count: number): string[] {
  const fromFormulas: string[] = [];
  for (const word of tokens(comment)) {
    const w = word.replace(/[-_,.=0-9()[\]]/g, '');
    if (/^([A-Z][a-z]*)+$/.test(w)) fromFormulas.push(...(w.match(/[A-Z][a-z]*/g) as string[]));
  }
  const ok = (syms: string[]) => syms.length >= count && syms.slice(0, count).every((x) => atomicNumber(x) !== undefined);
  if (ok(fromFormulas)) return fromFormulas;
  const words = tokens(comment).map(speciesName);
  return ok(words) ? words : [];
}

export function parsePoscar(text: string, file: string): Structure {
  text = stripBom(text);
  const cur = new LineCursor(text, file);
  const need = (field: string): string => {
    const l = cur.next();
    if (l === null) throw parseError(`file ends early: expected the ${field} line`, file, cur.lineNo + 1, field);
    return l;
  };
  const w = (field: string) => ({ file, line: cur.lineNo, field });
  const comment = need('comment').trim();

  const st = tokens(need('scale'));
  if (st.length === 0) throw parseError('expected a scaling factor', file, cur.lineNo, 'scale');
  const scaleToks = st.length >= 3 && st.slice(0, 3).every((t) => !Number.isNaN(Number(t))) ? st.slice(0, 3) : st.slice(0, 1);
  const scales = scaleToks.map((t) => parseReal(t, w('scale'), 'a scaling factor'));
  const scaleLine = cur.lineNo;

  const cell = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    const t = tokens(need(`lattice vector ${r + 1}`));
    if (t.length < 3) throw parseError(`expected 3 numbers, got ${t.length}`, file, cur.lineNo, `lattice vector ${r + 1}`);
    for (let c = 0; c < 3; c++) cell[3 * r + c] = parseReal(t[c], w(`lattice vector ${r + 1}`));
  }
  if (scales.length === 1) {
    let s = scales[0];
    if (s === 0) throw parseError('scaling factor is 0', file, scaleLine, 'scale');
    if (s < 0) {
      const v0 = Math.abs(det3(cell));
      if (!(v0 > 0)) throw parseError('the lattice vectors are singular (zero volume)', file, scaleLine + 3, 'lattice');
      s = Math.cbrt(-s / v0);
    }
    for (let k = 0; k < 9; k++) cell[k] *= s;
    scales[0] = s;
  } else {
    if (scales.some((x) => !(x > 0))) throw parseError('the three scaling factors must be positive', file, scaleLine, 'scale');
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) cell[3 * r + c] *= scales[c];
  }
  if (!(Math.abs(det3(cell)) > 0)) throw parseError('the lattice vectors are singular (zero volume)', file, scaleLine + 3, 'lattice');

  let t = tokens(need('species'));
  let symbolsLine: string[];
  let countToks: string[];
  if (t.length > 0 && /^\d+$/.test(t[0])) {
    // VASP 4: no species line; take the symbols from the comment, as ASE does
    countToks = t;
    const k = countToks.findIndex((x) => x.includes('!'));
    symbolsLine = speciesFromComment(comment, k >= 0 ? k : countToks.length);
    if (symbolsLine.length === 0)
      throw parseError(`VASP 4 POSCAR (no species line) whose comment line '${clip(comment)}' does not name ${countToks.length} species: add a line of element symbols before the counts (VASP 5), or put them (or a formula such as NaCl) in the comment`, file, cur.lineNo, 'species');
  } else {
    symbolsLine = t.map(speciesName);
    t.forEach((tok, k) => checkElement(symbolsLine[k], file, cur.lineNo, 'species', tok));
    countToks = tokens(need('counts'));
  }
  const cut = countToks.findIndex((x) => x.includes('!'));
  if (cut >= 0) countToks = countToks.slice(0, cut);
  if (countToks.length === 0) throw parseError('expected the number of atoms of each species', file, cur.lineNo, 'counts');
  if (countToks.length !== symbolsLine.length && !(symbolsLine.length > countToks.length && t.length > 0 && /^\d+$/.test(t[0])))
    throw parseError(`${symbolsLine.length} species names but ${countToks.length} counts`, file, cur.lineNo, 'counts');
  const counts = countToks.map((c) => parseCount(c, w('counts'), 'an atom count'));
  const n = counts.reduce((a, b) => a + b, 0);
  if (6 * n > text.length - cur.pos) throw parseError(`${n} atoms announced, but the rest of the file is too short to hold their positions`, file, cur.lineNo, 'counts');

  let mode = need('coordinate mode').trim();
  let selective = false;
  if (mode[0] === 'S' || mode[0] === 's') {
    selective = true;
    mode = need('coordinate mode').trim();
  }
  if (mode === '') throw parseError("expected 'Direct' or 'Cartesian'", file, cur.lineNo, 'coordinate mode');
  const cartesian = /^[cCkK]/.test(mode);

  const symbols: string[] = [];
  const index = new Map<string, number>();
  const species = new Int32Array(n);
  {
    let a = 0;
    counts.forEach((c, k) => {
      const sym = symbolsLine[k];
      let id = index.get(sym);
      if (id === undefined) { id = symbols.length; symbols.push(sym); index.set(sym, id); }
      for (let j = 0; j < c; j++) species[a++] = id;
    });
  }
  const positions = new Float64Array(3 * n);
  const flags = selective ? new Uint8Array(3 * n) : null;
  for (let a = 0; a < n; a++) {
    const l = cur.next();
    if (l === null) throw parseError(`file ends after ${a} of ${n} atom positions`, file, cur.lineNo + 1, 'positions');
    const pt = tokens(l);
    if (pt.length < (selective ? 6 : 3))
      throw parseError(`atom ${a + 1}: expected ${selective ? "x y z and three T/F flags" : 'x y z'}, got ${pt.length} columns`, file, cur.lineNo, 'positions');
    const x = parseReal(pt[0], w('positions')), y = parseReal(pt[1], w('positions')), z = parseReal(pt[2], w('positions'));
    if (cartesian) {
      if (scales.length === 1) {
        positions[3 * a] = x * scales[0]; positions[3 * a + 1] = y * scales[0]; positions[3 * a + 2] = z * scales[0];
      } else {
        positions[3 * a] = x * scales[0]; positions[3 * a + 1] = y * scales[1]; positions[3 * a + 2] = z * scales[2];
      }
    } else {
      for (let d = 0; d < 3; d++) positions[3 * a + d] = x * cell[d] + y * cell[3 + d] + z * cell[6 + d];
    }
    if (flags) {
      for (let d = 0; d < 3; d++) {
        const f = pt[3 + d];
        if (f !== 'T' && f !== 'F') throw parseError(`atom ${a + 1}: expected selective-dynamics flag T or F, got '${clip(f)}'`, file, cur.lineNo, 'selective dynamics');
        flags[3 * a + d] = f === 'T' ? 1 : 0;
      }
    }
  }
  const s: Structure = {
    cell, pbc: [true, true, true], positions, species, symbols,
    info: comment ? { comment } : {},
    arrays: flags ? { selective_dynamics: { type: 'L', width: 3, data: flags } } : {},
    labels: {},
  };
  try {
    validateStructure(s);
  } catch (e) {
    if (e instanceof FarfieldError) throw parseError(e.message, file, scaleLine + 1, 'lattice');
    throw e;
  }
  return s;
}

export function formatPoscar(s: Structure): string {
  validateStructure(s);
  const n = s.species.length;
  if (!(Math.abs(det3(s.cell)) > 0)) throw new FarfieldError('INVALID_INPUT', 'POSCAR needs a 3-D cell; this structure has none (or a singular one)');
  const runs: [string, number][] = [];
  for (let a = 0; a < n; a++) {
    const sym = s.symbols[s.species[a]];
    if (runs.length > 0 && runs[runs.length - 1][0] === sym) runs[runs.length - 1][1]++;
    else runs.push([sym, 1]);
  }
  const c = s.info.comment;
  const totals = new Map<string, number>();
  for (const [sym, k] of runs) totals.set(sym, (totals.get(sym) ?? 0) + k);
  const comment = typeof c === 'string' && !/[\r\n]/.test(c) ? c : [...totals].map(([sym, k]) => `${sym}${k}`).join(' ');
  const flags = selectiveFlags(s);
  const f = (x: number) => formatFinite(x, 'POSCAR coordinate');
  const lines: string[] = [comment, '1.0'];
  for (let r = 0; r < 3; r++) lines.push(`  ${f(s.cell[3 * r])} ${f(s.cell[3 * r + 1])} ${f(s.cell[3 * r + 2])}`);
  lines.push(runs.map((r) => r[0]).join(' '), runs.map((r) => String(r[1])).join(' '));
  if (flags) lines.push('Selective dynamics');
  lines.push('Cartesian');
  for (let a = 0; a < n; a++) {
    let l = `  ${f(s.positions[3 * a])} ${f(s.positions[3 * a + 1])} ${f(s.positions[3 * a + 2])}`;
    if (flags) l += ` ${flags[3 * a] ? 'T' : 'F'} ${flags[3 * a + 1] ? 'T' : 'F'} ${flags[3 * a + 2] ? 'T' : 'F'}`;
    lines.push(l);
  }
  return lines.join('\n') + '\n';
}

/** The text of a POSCAR file: exactly one structure (refused otherwise, naming what to write instead). */
export function formatPoscarFile(structures: readonly Structure[]): string {
  if (structures.length !== 1)
    throw new FarfieldError('INVALID_INPUT', `a POSCAR holds exactly one structure; got ${structures.length} (write extxyz or ML_AB for several)`);
  return formatPoscar(structures[0]);
}

/**
 * The Selective-dynamics flags to write: `selective_dynamics` (L:3, from a POSCAR) or else ASE's `move_mask` (L:3,
 * or L:1 expanded to the three coordinates), as ASE's POSCAR writer turns FixAtoms/FixCartesian into flags.
 */
function selectiveFlags(s: Structure): Uint8Array | null {
  const sd = s.arrays.selective_dynamics;
  if (sd && sd.type === 'L' && sd.width === 3) return sd.data as Uint8Array;
  const mm = s.arrays.move_mask;
  if (!mm || mm.type !== 'L' || (mm.width !== 3 && mm.width !== 1)) return null;
  const m = mm.data as Uint8Array;
  return mm.width === 3 ? m : Uint8Array.from({ length: 3 * m.length }, (_, i) => m[Math.floor(i / 3)]);
}
