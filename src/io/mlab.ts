/**
 * VASP machine-learning training file ML_AB / ML_ABN ("1.0 Version"), read and write (format: science.md §1.12).
 *
 * The file is a sequence of blocks separated by lines of 50 '*', '=' or '-'; we split it into segments at those lines
 * and read it by the block titles, not by line numbers. Lists (types, reference energies, masses, basis-set counts)
 * are 3 per line and may span lines. Each configuration: system name, type counts, optional CTIFOR (→ info.ctifor),
 * lattice (rows, Å), Cartesian positions grouped by type, total energy (eV), forces (eV/Å), stress in kbar in the
 * order XX YY ZZ / XY YZ ZX with VASP's pressure-like sign (positive = compressed). On read
 *   σ_ASE[eV/Å³] = −σ_VASP[kbar] / 1602.1766208,  written back as σ_VASP = −1602.1766208·σ_ASE.
 * The header's reference energies, masses and basis sets (per type: (configuration, atom) pairs, 1-based, atoms
 * counted in file order) and the system names (info.system_name) are returned as `MlabHeader` and written back.
 */
import { EV_PER_A3_IN_KBAR, FarfieldError, ATOMIC_MASSES_AMU, validateStructure, type InfoValue, type Structure } from '../core/index.js';
import { LineCursor, formatFinite, parseCount, parseError, parseReal, tokens } from './text.js';

export interface MlabHeader {
  /** Element symbols in the header order. */
  types: string[];
  /** Reference atomic energy per type, eV. */
  referenceEnergiesEv: number[];
  /** Atomic mass per type, amu. */
  massesAmu: number[];
  /** Basis set (local reference configurations) per type: flat [config, atom, config, atom, …], 1-based. */
  basisSets: Int32Array[];
}

interface Segment {
  lines: string[];
  firstLine: number;
}

function isSeparator(line: string): boolean {
  const t = line.trim();
  if (t.length < 10) return false;
  const c = t[0];
  if (c !== '*' && c !== '=' && c !== '-') return false;
  for (let i = 1; i < t.length; i++) if (t[i] !== c) return false;
  return true;
}

function segmentize(text: string, file: string): Segment[] {
  const cur = new LineCursor(text, file);
  const segs: Segment[] = [];
  let seg: Segment = { lines: [], firstLine: 1 };
  for (let l = cur.next(); l !== null; l = cur.next()) {
    if (isSeparator(l)) {
      segs.push(seg);
      seg = { lines: [], firstLine: cur.lineNo + 1 };
    } else if (l.trim() !== '') {
      if (seg.lines.length === 0) seg.firstLine = cur.lineNo;
      seg.lines.push(l);
    }
  }
  segs.push(seg);
  return segs;
}

class SegmentReader {
  k = 0;
  constructor(readonly segs: Segment[], readonly file: string) {}

  peekTitle(): string | null {
    const s = this.segs[this.k];
    return s && s.lines.length > 0 ? s.lines[0].trim() : null;
  }

  /** Expect a title segment starting with `title`; return the value segment after it. */
  block(title: string, field = title): Segment {
    const s = this.segs[this.k];
    if (s === undefined) throw parseError(`file ends early: expected the block '${title}'`, this.file, this.lastLine(), field);
    const got = s.lines[0]?.trim() ?? '';
    if (!got.toLowerCase().startsWith(title.toLowerCase()))
      throw parseError(`expected the block '${title}', found '${got.slice(0, 50)}'`, this.file, s.firstLine, field);
    const v = this.segs[this.k + 1];
    if (v === undefined) throw parseError(`file ends after the title '${title}'`, this.file, this.lastLine(), field);
    this.k += 2;
    return v;
  }

  lastLine(): number {
    const s = this.segs[this.segs.length - 1];
    return s.firstLine + s.lines.length;
  }
}

/** All whitespace tokens of a segment with their line numbers. */
function segTokens(seg: Segment): { toks: string[]; lines: number[] } {
  const toks: string[] = [];
  const lines: number[] = [];
  seg.lines.forEach((l, i) => {
    for (const t of tokens(l)) {
      toks.push(t);
      lines.push(seg.firstLine + i);
    }
  });
  return { toks, lines };
}

function reals(seg: Segment, count: number, file: string, field: string): Float64Array {
  const { toks, lines } = segTokens(seg);
  if (toks.length !== count)
    throw parseError(`expected ${count} numbers, found ${toks.length}`, file, seg.lines.length ? seg.firstLine : seg.firstLine - 1, field);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = parseReal(toks[i], { file, line: lines[i], field });
  return out;
}

function ints(seg: Segment, count: number, file: string, field: string): number[] {
  const { toks, lines } = segTokens(seg);
  if (toks.length !== count) throw parseError(`expected ${count} integers, found ${toks.length}`, file, seg.firstLine, field);
  return toks.map((t, i) => parseCount(t, { file, line: lines[i], field }));
}

function words(seg: Segment, count: number, file: string, field: string): string[] {
  const { toks } = segTokens(seg);
  if (toks.length !== count) throw parseError(`expected ${count} entries, found ${toks.length}`, file, seg.firstLine, field);
  return toks;
}

export function parseMlab(text: string, file: string): { header: MlabHeader; structures: Structure[] } {
  const segs = segmentize(text, file);
  const r = new SegmentReader(segs, file);
  const first = segs[0];
  if (!first || first.lines.length === 0 || !/version/i.test(first.lines[0]))
    throw parseError("expected ' 1.0 Version' on the first line (not an ML_AB file?)", file, 1, 'version');
  r.k = 1;
  const nConf = ints(r.block('The number of configurations'), 1, file, 'number of configurations')[0];
  const nTypes = ints(r.block('The maximum number of atom type'), 1, file, 'number of atom types')[0];
  const types = words(r.block('The atom types in the data file'), nTypes, file, 'atom types');
  const seen = new Set<string>();
  for (const t of types) {
    if (seen.has(t)) throw parseError(`species '${t}' appears twice in the header's atom types`, file, segs[r.k - 1].firstLine, 'atom types');
    seen.add(t);
  }
  ints(r.block('The maximum number of atoms per system'), 1, file, 'max atoms per system');
  ints(r.block('The maximum number of atoms per atom type'), 1, file, 'max atoms per type');
  const ref = Array.from(reals(r.block('Reference atomic energy'), nTypes, file, 'reference atomic energy'));
  const masses = Array.from(reals(r.block('Atomic mass'), nTypes, file, 'atomic mass'));
  const nBasis = ints(r.block('The numbers of basis sets per atom type'), nTypes, file, 'basis-set counts');
  const basisSets: Int32Array[] = [];
  for (let t = 0; t < nTypes; t++) {
    const seg = r.block(`Basis set for ${types[t]}`, `basis set for ${types[t]}`);
    basisSets.push(Int32Array.from(ints(seg, 2 * nBasis[t], file, `basis set for ${types[t]}`)));
  }

  const structures: Structure[] = [];
  for (let c = 0; c < nConf; c++) {
    const title = r.peekTitle();
    const at = segs[r.k]?.firstLine ?? r.lastLine();
    if (title === null || !/^Configuration num\./i.test(title))
      throw parseError(`expected 'Configuration num. ${c + 1}' (the header says ${nConf} configurations), found ${title === null ? 'the end of the file' : `'${title.slice(0, 40)}'`}`, file, at, 'configuration');
    const num = tokens(title).pop() ?? '';
    if (num !== String(c + 1)) throw parseError(`expected configuration number ${c + 1}, found '${num}'`, file, at, 'configuration');
    r.k += 1;
    const field = (f: string) => `configuration ${c + 1}: ${f}`;
    const nameSeg = r.block('System name', field('system name'));
    const systemName = nameSeg.lines.map((l) => l.trim()).join(' ');
    const nt = ints(r.block('The number of atom types', field('number of atom types')), 1, file, field('number of atom types'))[0];
    const n = ints(r.block('The number of atoms', field('number of atoms')), 1, file, field('number of atoms'))[0];
    if (6 * n > text.length) throw parseError(`${n} atoms announced, more than the file could hold`, file, segs[r.k - 1].firstLine, field('number of atoms'));
    const tc = r.block('Atom types and atom numbers', field('atom types'));
    const { toks: tct, lines: tcl } = segTokens(tc);
    if (tct.length !== 2 * nt) throw parseError(`expected ${nt} lines 'symbol count', found ${tct.length / 2}`, file, tc.firstLine, field('atom types'));
    const symbols: string[] = [];
    const species = new Int32Array(n);
    let a = 0;
    for (let k = 0; k < nt; k++) {
      const sym = tct[2 * k];
      if (symbols.includes(sym)) throw parseError(`species '${sym}' listed twice`, file, tcl[2 * k], field('atom types'));
      if (!seen.has(sym)) throw parseError(`species '${sym}' is not in the header's atom types (${types.join(' ')})`, file, tcl[2 * k], field('atom types'));
      const cnt = parseCount(tct[2 * k + 1], { file, line: tcl[2 * k + 1], field: field('atom types') });
      if (a + cnt > n) throw parseError(`type counts add up to more than the ${n} atoms`, file, tcl[2 * k + 1], field('atom types'));
      for (let j = 0; j < cnt; j++) species[a++] = symbols.length;
      symbols.push(sym);
    }
    if (a !== n) throw parseError(`type counts add up to ${a}, the configuration has ${n} atoms`, file, tc.firstLine, field('atom types'));
    const info: Record<string, InfoValue> = { system_name: systemName };
    if (/^CTIFOR/i.test(r.peekTitle() ?? '')) info.ctifor = reals(r.block('CTIFOR', field('CTIFOR')), 1, file, field('CTIFOR'))[0];
    const cell = reals(r.block('Primitive lattice vectors', field('lattice')), 9, file, field('lattice'));
    const positions = reals(r.block('Atomic positions', field('positions')), 3 * n, file, field('positions'));
    const energyEv = reals(r.block('Total energy', field('energy')), 1, file, field('energy'))[0];
    const forces = reals(r.block('Forces', field('forces')), 3 * n, file, field('forces'));
    const stressTitle = r.block('Stress', field('stress'));
    // the segment after "Stress (kbar)" is the "XX YY ZZ" title
    if (!/XX\s+YY\s+ZZ/i.test(stressTitle.lines[0] ?? '')) throw parseError("expected 'XX YY ZZ'", file, stressTitle.firstLine, field('stress'));
    r.k -= 1;
    const d = reals(r.block('XX YY ZZ', field('stress')), 3, file, field('stress XX YY ZZ'));
    const o = reals(r.block('XY YZ ZX', field('stress')), 3, file, field('stress XY YZ ZX'));
    const [xx, yy, zz] = d, [xy, yz, zx] = o;
    const stress = Float64Array.from([xx, xy, zx, xy, yy, yz, zx, yz, zz], (v) => (v === 0 ? 0 : -v / EV_PER_A3_IN_KBAR));
    const s: Structure = { cell, pbc: [true, true, true], positions, species, symbols, info, arrays: {}, labels: { energyEv, forcesEvPerA: forces, stressEvPerA3: stress } };
    try {
      validateStructure(s, `configuration ${c + 1}`);
    } catch (e) {
      if (e instanceof FarfieldError) throw parseError(e.message, file, at, field('lattice'));
      throw e;
    }
    structures.push(s);
  }
  return { header: { types, referenceEnergiesEv: ref, massesAmu: masses, basisSets }, structures };
}

// ---------------------------------------------------------------- writing

const STAR = '*'.repeat(50), EQ = '='.repeat(50), DASH = '-'.repeat(50);

function threePerLine(items: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; i += 3) out.push('     ' + items.slice(i, i + 3).join('  '));
  return out.length ? out : [''];
}

/** Header for `structures` (types in order of first appearance; reference energies 0; standard masses). */
export function defaultMlabHeader(structures: readonly Structure[]): MlabHeader {
  const types: string[] = [];
  for (const s of structures) for (const sym of s.symbols) if (!types.includes(sym)) types.push(sym);
  return {
    types,
    referenceEnergiesEv: types.map(() => 0),
    massesAmu: types.map((t) => {
      const m = ATOMIC_MASSES_AMU[t];
      if (m === undefined) throw new FarfieldError('INVALID_INPUT', `no standard mass for species '${t}': pass an ML_AB header with masses`);
      return m;
    }),
    basisSets: types.map(() => new Int32Array(0)),
  };
}

export function formatMlab(structures: readonly Structure[], header?: MlabHeader): string {
  const h = header ?? defaultMlabHeader(structures);
  const nT = h.types.length;
  if (new Set(h.types).size !== nT) throw new FarfieldError('INVALID_INPUT', `ML_AB header lists a species twice: ${h.types.join(' ')}`);
  if (h.referenceEnergiesEv.length !== nT || h.massesAmu.length !== nT || h.basisSets.length !== nT)
    throw new FarfieldError('INVALID_INPUT', `ML_AB header: ${nT} types but ${h.referenceEnergiesEv.length} reference energies, ${h.massesAmu.length} masses, ${h.basisSets.length} basis sets`);
  const f = (x: number, what: string) => formatFinite(x, what);
  let maxAtoms = 0, maxPerType = 0;
  structures.forEach((s, i) => {
    validateStructure(s, `configuration ${i + 1}`);
    for (const sym of s.symbols) if (!h.types.includes(sym)) throw new FarfieldError('INVALID_INPUT', `configuration ${i + 1}: species '${sym}' is not in the ML_AB header (${h.types.join(' ')})`);
    const L = s.labels;
    const missing = [L.energyEv === undefined && 'energy', !L.forcesEvPerA && 'forces', !L.stressEvPerA3 && 'stress'].filter(Boolean);
    if (missing.length) throw new FarfieldError('INVALID_INPUT', `configuration ${i + 1}: ML_AB needs energy, forces and stress; missing ${missing.join(', ')}`);
    if (!(Math.abs(s.cell[0] * (s.cell[4] * s.cell[8] - s.cell[5] * s.cell[7]) - s.cell[1] * (s.cell[3] * s.cell[8] - s.cell[5] * s.cell[6]) + s.cell[2] * (s.cell[3] * s.cell[7] - s.cell[4] * s.cell[6])) > 0))
      throw new FarfieldError('INVALID_INPUT', `configuration ${i + 1}: ML_AB needs a 3-D cell`);
    maxAtoms = Math.max(maxAtoms, s.species.length);
    const cnt = new Map<number, number>();
    for (const sp of s.species) cnt.set(sp, (cnt.get(sp) ?? 0) + 1);
    for (const v of cnt.values()) maxPerType = Math.max(maxPerType, v);
  });
  const out: string[] = [' 1.0 Version'];
  const block = (title: string, values: string[], sep = STAR) => out.push(sep, `     ${title}`, DASH, ...values);
  block('The number of configurations', [`     ${structures.length}`]);
  block('The maximum number of atom type', [`     ${nT}`]);
  block('The atom types in the data file', threePerLine(h.types));
  block('The maximum number of atoms per system', [`     ${maxAtoms}`]);
  block('The maximum number of atoms per atom type', [`     ${maxPerType}`]);
  block('Reference atomic energy (eV)', threePerLine(h.referenceEnergiesEv.map((x) => f(x, 'reference energy'))));
  block('Atomic mass', threePerLine(h.massesAmu.map((x) => f(x, 'mass'))));
  block('The numbers of basis sets per atom type', threePerLine(h.basisSets.map((b) => String(b.length / 2))));
  h.types.forEach((t, k) => {
    const b = h.basisSets[k];
    const lines: string[] = [];
    for (let i = 0; i < b.length; i += 2) lines.push(`     ${b[i]} ${b[i + 1]}`);
    block(`Basis set for ${t}`, lines);
  });
  const kb = -EV_PER_A3_IN_KBAR;
  structures.forEach((s, ci) => {
    // atoms grouped by type, types in the structure's own order (order of first appearance)
    const n = s.species.length;
    const order: number[] = [];
    const counts: number[] = [];
    s.symbols.forEach((_, t) => {
      let c = 0;
      for (let a = 0; a < n; a++) if (s.species[a] === t) { order.push(a); c++; }
      counts.push(c);
    });
    const present = s.symbols.map((sym, t) => [sym, counts[t]] as const).filter(([, c]) => c > 0);
    const name = typeof s.info.system_name === 'string' && s.info.system_name.trim() !== '' ? s.info.system_name : present.map(([sym, c]) => `${sym}${c}`).join('');
    out.push(STAR, `     Configuration num.      ${ci + 1}`);
    block('System name', [`     ${name.replace(/[\r\n]+/g, ' ')}`], EQ);
    block('The number of atom types', [`     ${present.length}`], EQ);
    block('The number of atoms', [`     ${n}`], EQ);
    block('Atom types and atom numbers', present.map(([sym, c]) => `     ${sym} ${c}`), STAR);
    if (typeof s.info.ctifor === 'number') block('CTIFOR', [`  ${f(s.info.ctifor, 'CTIFOR')}`], EQ);
    const row = (v: ArrayLike<number>, i: number, what: string) => `  ${f(v[i], what)} ${f(v[i + 1], what)} ${f(v[i + 2], what)}`;
    block('Primitive lattice vectors (ang.)', [0, 3, 6].map((i) => row(s.cell, i, 'lattice')), EQ);
    block('Atomic positions (ang.)', order.map((a) => row(s.positions, 3 * a, 'positions')), EQ);
    block('Total energy (eV)', [`  ${f(s.labels.energyEv!, 'energy')}`], EQ);
    block('Forces (eV ang.^-1)', order.map((a) => row(s.labels.forcesEvPerA!, 3 * a, 'forces')), EQ);
    const t = s.labels.stressEvPerA3!;
    const kbar = (i: number) => f(t[i] === 0 ? 0 : t[i] * kb, 'stress');
    out.push(EQ, '     Stress (kbar)', DASH, '     XX YY ZZ', DASH, `  ${kbar(0)} ${kbar(4)} ${kbar(8)}`, DASH, '     XY YZ ZX', DASH, `  ${kbar(1)} ${kbar(5)} ${kbar(2)}`);
  });
  return out.join('\n') + '\n';
}
