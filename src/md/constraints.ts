/**
 * Fixed coordinates in MD: VASP selective dynamics (POSCAR `T`/`F` flags → per-atom `selective_dynamics`) and ASE's
 * `move_mask` (FixAtoms / FixCartesian in extended XYZ). Flag 1 (T) = the coordinate may move, 0 (F) = it is fixed.
 *
 * What a flag refers to (the `basis`):
 *  - 'cartesian'  flag d fixes the Cartesian coordinate x_d (ASE's FixCartesian / FixAtoms, written as `move_mask`).
 *  - 'fractional' flag d fixes the fractional coordinate s_d = r·w_d along lattice vector a_d, w_d the dual
 *                 (reciprocal, no 2π) vector with a_k·w_d = δ_kd. This is what VASP does with selective dynamics
 *                 whether the POSCAR is in Direct or Cartesian mode (VASP keeps positions in direct coordinates; ASE
 *                 reads the flags as FixScaled for the same reason). In an orthorhombic cell aligned with the axes it
 *                 is the same as 'cartesian'; in a skewed cell a single F leaves the atom free to move in the plane
 *                 spanned by the two other lattice vectors.
 * With u_d = e_d (cartesian) or a_d (fractional) and w_d its dual, atom i may move in S_i = span{u_d : d free}.
 * Each fixed flag is one linear holonomic constraint r_i·w_d = const; for an atom with one mass on all three
 * components the constraint force is along the w_d and the constrained dynamics applies the Euclidean orthogonal
 * projector P_i onto S_i to forces and velocities:
 *     0 fixed: P = I;   1 fixed (d): P = I − w_d w_dᵀ/|w_d|²;   2 fixed (free f): P = u_f u_fᵀ/|u_f|²;   3 fixed: P = 0.
 * The constraint forces then do no work (they are ⟂ S_i), so velocity Verlet stays symplectic on the reduced
 * coordinates and K + U is conserved as without constraints. (ASE's FixScaled.adjust_forces maps forces with the
 * cell matrix instead, an oblique projection that differs from this one in a skewed cell and does work there.)
 *
 * Degrees of freedom: N_f = 3N − (number of fixed flags) − dim C for integrators that conserve total momentum, where
 * C = ∩_i S_i = span{u_d : no atom has flag d fixed} is the set of directions along which every atom may move (the
 * total momentum is conserved along C only: fixed atoms exert external forces). A fully fixed atom anywhere gives
 * C = {0}, so a slab with frozen bottom layers has N_f = 3 × (free atoms).
 * The barostat (cell scaling) with fixed coordinates is refused: how fixed atoms should follow a changing cell is
 * not defined by either convention.
 */
import { AMU_EV_FS2_PER_A2, BOLTZMANN_EV_PER_K, FarfieldError, inv3, type Rng, type Structure } from '../core/index.js';
import { kineticEnergyEv, rawMaxwellBoltzmann } from './state.js';

export type ConstraintBasis = 'cartesian' | 'fractional';

export interface CoordinateConstraints {
  /** 3N flags, 1 = the coordinate may move, 0 = fixed (POSCAR's T/F, ASE's move_mask). */
  moveMask: ArrayLike<number>;
  /** What flag d refers to; see the module header. */
  basis: ConstraintBasis;
}

/** Constraints ready for the integrators (built once from the cell at init; the cell must not change). */
export interface PreparedConstraints {
  readonly basis: ConstraintBasis;
  /** 3N flags, 1 = may move. */
  readonly moveMask: Uint8Array;
  /** Atoms with at least one fixed coordinate. */
  readonly atoms: Int32Array;
  /** Their 3×3 orthogonal projectors onto the allowed displacements, row-major, 9 per entry of `atoms`. */
  readonly projectors: Float64Array;
  /** Number of fixed flags (constrained degrees of freedom). */
  readonly fixedCount: number;
  /** Orthogonal projector onto C, the directions every atom may move along (row-major 3×3). */
  readonly commonProjector: Float64Array;
  /** dim C (0–3): the number of conserved total-momentum components. */
  readonly commonDimension: number;
}

/** u_d (rows) and w_d (rows): the axes and their duals for the basis. */
function bases(basis: ConstraintBasis, cell: ArrayLike<number>): { u: Float64Array; w: Float64Array } {
  if (basis === 'cartesian') {
    const id = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
    return { u: id, w: id };
  }
  let inv: Float64Array;
  try {
    inv = inv3(cell);
  } catch {
    throw new FarfieldError('INVALID_INPUT', 'md: fixed fractional coordinates (selective dynamics) need a 3-D cell; this structure has a singular one');
  }
  // w_d = column d of A⁻¹ (A rows = a_k, so a_k·w_d = (A A⁻¹)_kd = δ_kd)
  const w = Float64Array.of(inv[0], inv[3], inv[6], inv[1], inv[4], inv[7], inv[2], inv[5], inv[8]);
  return { u: Float64Array.from(cell), w };
}

/** Orthogonal projector onto span{u_d : free[d]}, written into out (9). */
function projector(free: ArrayLike<number>, u: Float64Array, w: Float64Array, out: Float64Array, offset: number): void {
  const nFree = (free[0] ? 1 : 0) + (free[1] ? 1 : 0) + (free[2] ? 1 : 0);
  for (let k = 0; k < 9; k++) out[offset + k] = 0;
  if (nFree === 3) {
    out[offset] = out[offset + 4] = out[offset + 8] = 1;
  } else if (nFree === 2) {
    const d = free[0] ? (free[1] ? 2 : 1) : 0; // the fixed one
    const x = w[3 * d], y = w[3 * d + 1], z = w[3 * d + 2], n2 = x * x + y * y + z * z;
    const v = [x, y, z];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) out[offset + 3 * a + b] = (a === b ? 1 : 0) - (v[a] * v[b]) / n2;
  } else if (nFree === 1) {
    const f = free[0] ? 0 : free[1] ? 1 : 2;
    const x = u[3 * f], y = u[3 * f + 1], z = u[3 * f + 2], n2 = x * x + y * y + z * z;
    const v = [x, y, z];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) out[offset + 3 * a + b] = (v[a] * v[b]) / n2;
  }
}

/** Validate and prepare constraints for a structure (cell = the structure's cell). Null when nothing is fixed. */
export function prepareConstraints(c: CoordinateConstraints, structure: Structure): PreparedConstraints | null {
  const n = structure.species.length;
  if (c.basis !== 'cartesian' && c.basis !== 'fractional')
    throw new FarfieldError('INVALID_INPUT', `md: constraint basis must be 'cartesian' or 'fractional', got '${String(c.basis)}'`);
  if (!c.moveMask || c.moveMask.length !== 3 * n)
    throw new FarfieldError('INVALID_INPUT', `md: ${c.moveMask?.length ?? 0} move flags for ${n} atoms (expected ${3 * n}: one per coordinate)`);
  const mask = new Uint8Array(3 * n);
  for (let k = 0; k < 3 * n; k++) {
    const f = c.moveMask[k];
    if (f !== 0 && f !== 1) throw new FarfieldError('INVALID_INPUT', `md: move flag ${k} (atom ${Math.floor(k / 3)}) must be 0 or 1, got ${f}`);
    mask[k] = f;
  }
  const atoms: number[] = [];
  let fixedCount = 0;
  const anyFixed = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    let fixedHere = 0;
    for (let d = 0; d < 3; d++)
      if (!mask[3 * i + d]) {
        fixedHere++;
        anyFixed[d] = 1;
      }
    if (fixedHere > 0) atoms.push(i);
    fixedCount += fixedHere;
  }
  if (fixedCount === 0) return null;
  const { u, w } = bases(c.basis, structure.cell);
  const projectors = new Float64Array(9 * atoms.length);
  atoms.forEach((i, j) => projector(mask.subarray(3 * i, 3 * i + 3), u, w, projectors, 9 * j));
  const commonFree = anyFixed.map((x) => 1 - x);
  const commonProjector = new Float64Array(9);
  projector(commonFree, u, w, commonProjector, 0);
  return {
    basis: c.basis, moveMask: mask, atoms: Int32Array.from(atoms), projectors, fixedCount,
    commonProjector, commonDimension: commonFree[0] + commonFree[1] + commonFree[2],
  };
}

function perAtomFlags(structure: Structure, name: string): Uint8Array | null {
  const a = structure.arrays[name];
  if (!a) return null;
  const n = structure.species.length;
  if (a.type !== 'L' || (a.width !== 3 && a.width !== 1))
    throw new FarfieldError('INVALID_INPUT', `md: per-atom array '${name}' must be logical with 1 or 3 columns (${name}:L:3), got ${name}:${a.type}:${a.width}`);
  if (a.width === 3) return Uint8Array.from(a.data as ArrayLike<number>, (x) => (x ? 1 : 0));
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = (a.data as ArrayLike<number>)[i] ? 1 : 0;
  return out;
}

/**
 * The fixed coordinates a structure carries: `selective_dynamics` (L:3, from a POSCAR; fractional basis) or ASE's
 * `move_mask` (L:3 = FixCartesian, L:1 = FixAtoms; Cartesian basis). Both at once are refused unless they fix nothing
 * different in an axis-aligned cell. Null when there is neither.
 */
export function constraintsFromStructure(structure: Structure): CoordinateConstraints | null {
  const sd = perAtomFlags(structure, 'selective_dynamics');
  const mm = perAtomFlags(structure, 'move_mask');
  if (sd && mm) {
    const same = sd.every((x, k) => x === mm[k]);
    const c = structure.cell;
    const axisAligned = c[1] === 0 && c[2] === 0 && c[3] === 0 && c[5] === 0 && c[6] === 0 && c[7] === 0;
    if (!same || !(axisAligned || sd.every((x) => x === 1)))
      throw new FarfieldError('INVALID_INPUT', "md: the structure carries both 'selective_dynamics' (fractional) and 'move_mask' (Cartesian) flags and they disagree; drop one of the two arrays");
  }
  if (sd) return { moveMask: sd, basis: 'fractional' };
  if (mm) return { moveMask: mm, basis: 'cartesian' };
  return null;
}

/** v ← P_i v for every constrained atom (3N array, in place): forces, velocities or displacements. */
export function projectOntoAllowed(c: PreparedConstraints, x: Float64Array): void {
  const { atoms, projectors: p } = c;
  for (let j = 0; j < atoms.length; j++) {
    const o = 3 * atoms[j], q = 9 * j;
    const a = x[o], b = x[o + 1], z = x[o + 2];
    x[o] = p[q] * a + p[q + 1] * b + p[q + 2] * z;
    x[o + 1] = p[q + 3] * a + p[q + 4] * b + p[q + 5] * z;
    x[o + 2] = p[q + 6] * a + p[q + 7] * b + p[q + 8] * z;
  }
}

/**
 * Remove the centre-of-mass velocity along C (the directions every atom may move along), in place; the velocities
 * stay in their allowed subspaces because C ⊂ S_i.
 */
export function removeCommonMomentum(c: PreparedConstraints, masses: Float64Array, v: Float64Array): void {
  if (c.commonDimension === 0) return;
  const p = [0, 0, 0];
  let M = 0;
  for (let i = 0; i < masses.length; i++) {
    M += masses[i];
    for (let d = 0; d < 3; d++) p[d] += masses[i] * v[3 * i + d];
  }
  const P = c.commonProjector;
  const vc = [0, 1, 2].map((a) => (P[3 * a] * p[0] + P[3 * a + 1] * p[1] + P[3 * a + 2] * p[2]) / M);
  for (let i = 0; i < masses.length; i++) for (let d = 0; d < 3; d++) v[3 * i + d] -= vc[d];
}

/**
 * Maxwell–Boltzmann velocities with fixed coordinates: v_ia = √(k_B T / m_i) ξ_ia drawn for every component (the same
 * random stream as without constraints), projected onto each atom's allowed subspace, the centre-of-mass velocity
 * along C removed (n > 1); with `exact`, rescaled so that 2K/(nf k_B) = T exactly. nf = 3N − fixed − dim C (n > 1).
 */
export function constrainedMaxwellBoltzmann(c: PreparedConstraints, masses: Float64Array, temperatureK: number, rng: Rng, exact: boolean): Float64Array {
  const v = rawMaxwellBoltzmann(masses, temperatureK, rng);
  const n = masses.length;
  const kT = BOLTZMANN_EV_PER_K * temperatureK;
  projectOntoAllowed(c, v);
  if (n > 1) removeCommonMomentum(c, masses, v);
  const nf = 3 * n - c.fixedCount - (n > 1 ? c.commonDimension : 0);
  if (exact && nf > 0 && temperatureK > 0) {
    const K = kineticEnergyEv(masses, v);
    const scale = Math.sqrt((0.5 * nf * kT) / K);
    for (let k = 0; k < 3 * n; k++) v[k] *= scale;
  }
  return v;
}
