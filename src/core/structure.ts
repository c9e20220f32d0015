/**
 * Structure: one atomic configuration as plain typed arrays (ASE's Atoms, flattened).
 *
 * - `cell`: Float64Array(9), rows = lattice vectors a1, a2, a3 in Å (all zeros when there is no cell).
 * - `pbc`: periodicity per lattice direction.
 * - `positions`: Float64Array(3N), Cartesian Å.
 * - `species`: Int32Array(N), indices into `symbols` (the structure's species table, in order of first appearance).
 * - `info`, `arrays`: everything else an extended XYZ frame carries (key=value pairs, extra per-atom columns).
 * - `labels`: reference (or computed) energy, forces, stress, charges — ASE's calculator results.
 *
 * Functions here never mutate a caller's structure; `cloneStructure` makes deep copies.
 */
import { FarfieldError } from './errors.js';
import { cellVolume, det3 } from './mat3.js';

export type InfoValue = string | number | boolean | number[] | string[] | boolean[];

/** A per-atom column as in extended XYZ `Properties=name:T:width`. */
export type PerAtomArray =
  | { type: 'R'; width: number; data: Float64Array }
  | { type: 'I'; width: number; data: Int32Array }
  | { type: 'L'; width: number; data: Uint8Array }
  | { type: 'S'; width: number; data: string[] };

export interface StructureLabels {
  /** Total energy, eV. */
  energyEv?: number;
  /** Forces, eV/Å, Float64Array(3N). */
  forcesEvPerA?: Float64Array;
  /** Stress, eV/Å³, full 3×3 row-major (Float64Array(9)), ASE sign: positive = tensile. */
  stressEvPerA3?: Float64Array;
  /** Atomic charges, e, Float64Array(N). */
  charges?: Float64Array;
}

export interface Structure {
  cell: Float64Array;
  pbc: [boolean, boolean, boolean];
  positions: Float64Array;
  species: Int32Array;
  symbols: string[];
  info: Record<string, InfoValue>;
  arrays: Record<string, PerAtomArray>;
  labels: StructureLabels;
}

export interface StructureInit {
  /** One element symbol per atom. */
  symbols: readonly string[];
  /** Cartesian positions, Å: flat (3N) or N×3. */
  positions: ArrayLike<number> | readonly (readonly number[])[];
  /** Cell rows (Å): flat 9 or 3×3; omitted = no cell. */
  cell?: ArrayLike<number> | readonly (readonly number[])[];
  /** Periodicity; default: true in all directions if a cell is given, else false. */
  pbc?: boolean | [boolean, boolean, boolean];
  info?: Record<string, InfoValue>;
  arrays?: Record<string, PerAtomArray>;
  labels?: StructureLabels;
}

function flatten(v: ArrayLike<number> | readonly (readonly number[])[], what: string): Float64Array {
  const a = v as ArrayLike<unknown>;
  if (a.length > 0 && Array.isArray(a[0])) {
    const rows = v as readonly (readonly number[])[];
    const out = new Float64Array(rows.length * 3);
    rows.forEach((r, i) => {
      if (r.length !== 3) throw new FarfieldError('INVALID_INPUT', `${what}: row ${i} has ${r.length} entries, expected 3`);
      out[3 * i] = r[0];
      out[3 * i + 1] = r[1];
      out[3 * i + 2] = r[2];
    });
    return out;
  }
  return Float64Array.from(v as ArrayLike<number>);
}

/** Build a Structure from convenient inputs (symbols per atom), validating it. */
export function makeStructure(init: StructureInit): Structure {
  const positions = flatten(init.positions, 'positions');
  const n = init.symbols.length;
  if (positions.length !== 3 * n)
    throw new FarfieldError('INVALID_STRUCTURE', `positions have ${positions.length / 3} atoms, symbols ${n}`);
  const cell = init.cell ? flatten(init.cell, 'cell') : new Float64Array(9);
  if (cell.length !== 9) throw new FarfieldError('INVALID_STRUCTURE', `cell must have 9 entries, got ${cell.length}`);
  const hasCell = cell.some((x) => x !== 0);
  const pbc: [boolean, boolean, boolean] =
    init.pbc === undefined ? [hasCell, hasCell, hasCell] : typeof init.pbc === 'boolean' ? [init.pbc, init.pbc, init.pbc] : [...init.pbc];
  const symbols: string[] = [];
  const index = new Map<string, number>();
  const species = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = init.symbols[i];
    let k = index.get(s);
    if (k === undefined) {
      k = symbols.length;
      symbols.push(s);
      index.set(s, k);
    }
    species[i] = k;
  }
  const s: Structure = {
    cell,
    pbc,
    positions,
    species,
    symbols,
    info: { ...(init.info ?? {}) },
    arrays: { ...(init.arrays ?? {}) },
    labels: { ...(init.labels ?? {}) },
  };
  validateStructure(s);
  return s;
}

export function atomCount(s: Structure): number {
  return s.species.length;
}

/** Element symbol of every atom. */
export function atomSymbols(s: Structure): string[] {
  const out = new Array<string>(s.species.length);
  for (let i = 0; i < s.species.length; i++) out[i] = s.symbols[s.species[i]];
  return out;
}

/** Number of atoms of each species in the structure's table, keyed by symbol. */
export function speciesCounts(s: Structure): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < s.species.length; i++) {
    const sym = s.symbols[s.species[i]];
    m.set(sym, (m.get(sym) ?? 0) + 1);
  }
  return m;
}

export function isPeriodic(s: Structure): boolean {
  return s.pbc[0] || s.pbc[1] || s.pbc[2];
}

export function isFullyPeriodic(s: Structure): boolean {
  return s.pbc[0] && s.pbc[1] && s.pbc[2];
}

export function hasCell(s: Structure): boolean {
  return s.cell.some((x) => x !== 0);
}

/** Volume in Å³ (throws if there is no 3-D cell). */
export function volumeA3(s: Structure): number {
  const v = cellVolume(s.cell);
  if (!(v > 0)) throw new FarfieldError('INVALID_STRUCTURE', 'structure has no 3-D cell (volume is zero)');
  return v;
}

/** Check internal consistency; throws FarfieldError('INVALID_STRUCTURE') with a precise message. */
export function validateStructure(s: Structure, where = 'structure'): void {
  const n = s.species.length;
  if (s.positions.length !== 3 * n)
    throw new FarfieldError('INVALID_STRUCTURE', `${where}: ${s.positions.length} position entries for ${n} atoms`);
  for (let k = 0; k < s.positions.length; k++)
    if (!Number.isFinite(s.positions[k]))
      throw new FarfieldError('INVALID_STRUCTURE', `${where}: position of atom ${Math.floor(k / 3)} is not finite`);
  for (let i = 0; i < n; i++)
    if (s.species[i] < 0 || s.species[i] >= s.symbols.length)
      throw new FarfieldError('INVALID_STRUCTURE', `${where}: atom ${i} has species index ${s.species[i]} outside the table`);
  for (let k = 0; k < 9; k++)
    if (!Number.isFinite(s.cell[k])) throw new FarfieldError('INVALID_STRUCTURE', `${where}: cell entry ${k} is not finite`);
  if (isPeriodic(s)) {
    // Every periodic direction needs a non-zero lattice vector, and a 3-D periodic cell must be non-singular.
    for (let d = 0; d < 3; d++) {
      if (!s.pbc[d]) continue;
      const len = Math.hypot(s.cell[3 * d], s.cell[3 * d + 1], s.cell[3 * d + 2]);
      if (!(len > 0)) throw new FarfieldError('INVALID_STRUCTURE', `${where}: pbc is true along a${d + 1} but the lattice vector is zero`);
    }
    const d = det3(s.cell);
    let scale = 0;
    for (let k = 0; k < 9; k++) scale = Math.max(scale, Math.abs(s.cell[k]));
    if (!(Math.abs(d) > 1e-10 * scale ** 3))
      throw new FarfieldError('INVALID_STRUCTURE', `${where}: the cell is singular (volume ${d.toExponential(3)} Å³)`);
  }
  const L = s.labels;
  if (L.forcesEvPerA && L.forcesEvPerA.length !== 3 * n)
    throw new FarfieldError('INVALID_STRUCTURE', `${where}: forces have ${L.forcesEvPerA.length} entries, expected ${3 * n}`);
  if (L.stressEvPerA3 && L.stressEvPerA3.length !== 9)
    throw new FarfieldError('INVALID_STRUCTURE', `${where}: stress must be a full 3×3 tensor (9 entries)`);
  if (L.charges && L.charges.length !== n)
    throw new FarfieldError('INVALID_STRUCTURE', `${where}: charges have ${L.charges.length} entries, expected ${n}`);
  for (const [name, arr] of Object.entries(s.arrays))
    if (arr.data.length !== arr.width * n)
      throw new FarfieldError('INVALID_STRUCTURE', `${where}: per-atom array '${name}' has ${arr.data.length} entries, expected ${arr.width * n}`);
}

function clonePerAtom(a: PerAtomArray): PerAtomArray {
  switch (a.type) {
    case 'R': return { type: 'R', width: a.width, data: a.data.slice() };
    case 'I': return { type: 'I', width: a.width, data: a.data.slice() };
    case 'L': return { type: 'L', width: a.width, data: a.data.slice() };
    case 'S': return { type: 'S', width: a.width, data: a.data.slice() };
  }
}

/** Deep copy. */
export function cloneStructure(s: Structure): Structure {
  const info: Record<string, InfoValue> = {};
  for (const [k, v] of Object.entries(s.info)) info[k] = Array.isArray(v) ? (v.slice() as InfoValue) : v;
  const arrays: Record<string, PerAtomArray> = {};
  for (const [k, v] of Object.entries(s.arrays)) arrays[k] = clonePerAtom(v);
  const labels: StructureLabels = {};
  if (s.labels.energyEv !== undefined) labels.energyEv = s.labels.energyEv;
  if (s.labels.forcesEvPerA) labels.forcesEvPerA = s.labels.forcesEvPerA.slice();
  if (s.labels.stressEvPerA3) labels.stressEvPerA3 = s.labels.stressEvPerA3.slice();
  if (s.labels.charges) labels.charges = s.labels.charges.slice();
  return {
    cell: s.cell.slice(),
    pbc: [...s.pbc],
    positions: s.positions.slice(),
    species: s.species.slice(),
    symbols: s.symbols.slice(),
    info,
    arrays,
    labels,
  };
}

/** Same structure with new positions (and optionally a new cell); labels dropped (they no longer apply). */
export function withPositions(s: Structure, positions: Float64Array, cell?: Float64Array): Structure {
  if (positions.length !== s.positions.length)
    throw new FarfieldError('INVALID_INPUT', `withPositions: ${positions.length} entries, expected ${s.positions.length}`);
  return { ...s, positions, cell: cell ?? s.cell, labels: {}, info: s.info, arrays: s.arrays, pbc: s.pbc };
}

/**
 * Apply a homogeneous strain: r → (1+ε) r, cell rows a → (1+ε) a. `eps` is a 3×3 row-major tensor.
 * This is the deformation used for every strain derivative (stress = (1/V) ∂E/∂ε).
 */
export function strained(s: Structure, eps: ArrayLike<number>): Structure {
  const f = [1 + eps[0], eps[1], eps[2], eps[3], 1 + eps[4], eps[5], eps[6], eps[7], 1 + eps[8]];
  const map = (src: Float64Array): Float64Array => {
    const out = new Float64Array(src.length);
    for (let k = 0; k < src.length; k += 3) {
      const x = src[k], y = src[k + 1], z = src[k + 2];
      out[k] = f[0] * x + f[1] * y + f[2] * z;
      out[k + 1] = f[3] * x + f[4] * y + f[5] * z;
      out[k + 2] = f[6] * x + f[7] * y + f[8] * z;
    }
    return out;
  };
  return withPositions(s, map(s.positions), map(s.cell));
}
