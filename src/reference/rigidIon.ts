/**
 * Rigid-ion reference potentials: a Born–Mayer–Huggins / Buckingham pair term plus the Coulomb energy of fixed
 * charges computed by the electrostatics engine (Ewald/PME, tin-foil boundary):
 *
 *   E = Σ_{i<j, r_ij < r_c} φ_{t(i)t(j)}(r_ij) + E_Coulomb({q_i}),
 *   φ(r) = A·exp((σ − r)/ρ) − C/r⁶ + D/r⁸          (LAMMPS `born`; Buckingham = σ 0, D 0: A·exp(−r/ρ) − C/r⁶)
 *
 * The pair term is truncated at r_c without shift by default, as LAMMPS `born/coul/long` and `buck/coul/long` do (so
 * energies agree with LAMMPS; the energy jumps by φ(r_c) when a pair crosses r_c — 1.5 meV for Fumi–Tosi Cl–Cl at 6 Å).
 * With `shift: true` every pair energy is φ(r) − φ(r_c) (LAMMPS `pair_modify shift yes`): the energy is continuous, the
 * forces are unchanged — use it for energy-conserving molecular dynamics.
 * Over a half neighbour list (r_ij = r_j + n·A − r_i):  F_i += φ'(r) r_ij/r, F_j −= φ'(r) r_ij/r,
 * ∂E/∂ε_ab = Σ φ'(r) r_a r_b / r, stress σ = (1/V) ∂E/∂ε (ASE sign). Per-atom energies: half of each pair to each
 * atom plus ½ q_i φ_i.
 * Periodic cells: the pairs come from a skinned half pair list (geometry/pairList.ts, skin RIGID_ION_SKIN_A) kept by the
 * calculator and rebuilt only when an atom has moved more than skin/2 or the cell changed (MD), summed in the list's
 * slot order (positions, forces, energies gathered and scattered back; sums of a first slot in locals); other
 * boundaries build a neighbour list per call.
 * Cost: O(N) pairs within r_c + the electrostatics solver (O(N^{3/2}) Ewald, O(N log N) PME).
 */
import { FarfieldError, cellVolume, type CalculateOptions, type CalculationResult, type Calculator, type Structure } from '../core/index.js';
import { ElectrostaticsCalculator, type SolverParameters, type TuneOptions } from '../electrostatics/index.js';
import { VerletPairList, buildNeighbourList, gatherSlots, scatterAddSlots, type NeighbourList } from '../geometry/index.js';

/** Skin (Å) of the calculator's pair list (LAMMPS's default for metal units is 2 Å). */
export const RIGID_ION_SKIN_A = 1;

/** One pair type of the Born–Mayer–Huggins form (Buckingham: sigmaA = 0, dEvA8 = 0). */
export interface BornPairParameters {
  a: string;
  b: string;
  /** A, eV. */
  aEv: number;
  /** ρ, Å. */
  rhoA: number;
  /** σ, Å. */
  sigmaA: number;
  /** C, eV·Å⁶. */
  cEvA6: number;
  /** D, eV·Å⁸. */
  dEvA8: number;
}

export interface RigidIonOptions {
  name: string;
  /** Every species pair that can occur must be listed (A = 0 for no short-range interaction). */
  pairs: readonly BornPairParameters[];
  /** Short-range cutoff, Å. */
  cutoffA: number;
  /** Shift each pair energy by −φ(r_c) (continuous energy; forces unchanged). Default false (LAMMPS default). */
  shift?: boolean;
  /** Charge per species, e. */
  charges: Readonly<Record<string, number>>;
  /** Electrostatics accuracy and solver choice (default: relative accuracy 1e-8, automatic method). */
  electrostatics?: TuneOptions;
  /** Fixed solver parameters (skips tuning; for smooth finite differences under strain). */
  electrostaticsParameters?: SolverParameters;
  /** Include the Coulomb energy of the fixed charges (default true; false: short-range pairs only). */
  coulomb?: boolean;
  /** Coulomb parameter tuning: 'always' (default, every call) or 'cell' (kept while cell and charges stay: MD). */
  retune?: 'always' | 'cell';
}

/** The pair energy φ(r) and φ'(r) of one parameter set. */
export function bornPair(p: BornPairParameters, r: number): [number, number] {
  const e = p.aEv === 0 ? 0 : p.aEv * Math.exp((p.sigmaA - r) / p.rhoA);
  const r2 = r * r, r6 = r2 * r2 * r2, r8 = r6 * r2;
  const v = e - p.cEvA6 / r6 + p.dEvA8 / r8;
  const dv = -e / p.rhoA + (6 * p.cEvA6) / (r6 * r) - (8 * p.dEvA8) / (r8 * r);
  return [v, dv];
}

export class RigidIonCalculator implements Calculator {
  readonly name: string;
  readonly coulomb: ElectrostaticsCalculator;

  constructor(readonly options: RigidIonOptions) {
    if (!(options.cutoffA > 0)) throw new FarfieldError('INVALID_INPUT', `${options.name}: cutoff must be positive, got ${options.cutoffA}`);
    for (const p of options.pairs)
      if (!(p.rhoA > 0) || ![p.aEv, p.sigmaA, p.cEvA6, p.dEvA8].every(Number.isFinite))
        throw new FarfieldError('INVALID_INPUT', `${options.name}: pair ${p.a}-${p.b} has invalid parameters (ρ must be > 0, all finite)`);
    this.name = options.name;
    this.coulomb = new ElectrostaticsCalculator({
      charges: { ...options.charges },
      accuracy: 1e-8,
      ...(options.electrostatics ?? {}),
      ...(options.electrostaticsParameters ? { parameters: options.electrostaticsParameters } : {}),
      ...(options.retune ? { retune: options.retune } : {}),
    });
  }

  private pairList: VerletPairList | null = null;

  /** Pair-type table for the structure's species: index ns·a + b → parameter set. */
  private table(s: Structure): BornPairParameters[] {
    const ns = s.symbols.length;
    const t: BornPairParameters[] = new Array(ns * ns);
    for (let a = 0; a < ns; a++)
      for (let b = 0; b < ns; b++) {
        const A = s.symbols[a], B = s.symbols[b];
        const p = this.options.pairs.find((q) => (q.a === A && q.b === B) || (q.a === B && q.b === A));
        if (!p) throw new FarfieldError('INVALID_INPUT', `${this.name}: no pair parameters for ${A}-${B} (have: ${this.options.pairs.map((q) => `${q.a}-${q.b}`).join(', ')})`);
        t[ns * a + b] = p;
      }
    return t;
  }

  /** Scratch arrays in the pair list's slot order (positions, species, forces, energies). */
  private slotX = new Float64Array(0);
  private slotF = new Float64Array(0);
  private slotE = new Float64Array(0);
  private slotT = new Int32Array(0);

  /**
   * The pair term over the skinned list: positions, species, forces and energies gathered into the list's slot
   * order (neighbours close in memory), pairs grouped by first slot with its sums in locals; returns the energy.
   */
  private listPairs(list: VerletPairList, s: Structure, par: Float64Array, ns: number, rc2: number, forces: Float64Array, energies: Float64Array, dEdStrain: Float64Array): number {
    const n = s.species.length, order = list.order;
    if (this.slotT.length !== n) { this.slotX = new Float64Array(3 * n); this.slotF = new Float64Array(3 * n); this.slotE = new Float64Array(n); this.slotT = new Int32Array(n); }
    const x = gatherSlots(order, s.positions, 3, this.slotX), F = this.slotF.fill(0), E = this.slotE.fill(0), ty = this.slotT;
    for (let a = 0; a < n; a++) ty[a] = s.species[order[a]];
    const J = list.second, T = list.translation, start = list.start;
    let energy = 0, s00 = 0, s01 = 0, s02 = 0, s11 = 0, s12 = 0, s22 = 0;
    for (let i = 0; i < n; i++) {
      const p0 = start[i], p1 = start[i + 1];
      if (p0 === p1) continue;
      const xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2], ti = ns * ty[i];
      let fxi = 0, fyi = 0, fzi = 0, ei = 0;
      for (let p = p0; p < p1; p++) {
        const j = J[p];
        const dx = x[3 * j] - xi + T[3 * p], dy = x[3 * j + 1] - yi + T[3 * p + 1], dz = x[3 * j + 2] - zi + T[3 * p + 2];
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 >= rc2) continue;
        const r = Math.sqrt(r2), o = 6 * (ti + ty[j]);
        const A = par[o];
        const e = A === 0 ? 0 : A * Math.exp((par[o + 1] - r) * par[o + 2]);
        const ir2 = 1 / r2, ir6 = ir2 * ir2 * ir2, ir8 = ir6 * ir2;
        const v = e - par[o + 3] * ir6 + par[o + 4] * ir8 - par[o + 5];
        const f = (-e * par[o + 2]) / r + 6 * par[o + 3] * ir8 - 8 * par[o + 4] * ir8 * ir2; // φ'(r)/r
        energy += v;
        ei += 0.5 * v;
        E[j] += 0.5 * v;
        const gx = f * dx, gy = f * dy, gz = f * dz;
        fxi += gx; fyi += gy; fzi += gz;
        F[3 * j] -= gx; F[3 * j + 1] -= gy; F[3 * j + 2] -= gz;
        s00 += gx * dx; s01 += gx * dy; s02 += gx * dz;
        s11 += gy * dy; s12 += gy * dz; s22 += gz * dz;
      }
      F[3 * i] += fxi; F[3 * i + 1] += fyi; F[3 * i + 2] += fzi;
      E[i] += ei;
    }
    scatterAddSlots(order, F, 3, forces);
    scatterAddSlots(order, E, 1, energies);
    dEdStrain[0] += s00; dEdStrain[1] += s01; dEdStrain[2] += s02; dEdStrain[4] += s11; dEdStrain[5] += s12; dEdStrain[8] += s22;
    return energy;
  }

  calculate(s: Structure, options: CalculateOptions = {}): CalculationResult {
    const n = s.species.length;
    const periodic = s.pbc[0] && s.pbc[1] && s.pbc[2];
    const wantForces = options.forces ?? true;
    const wantStress = (options.stress ?? periodic) && periodic;
    const table = this.table(s);
    const ns = s.symbols.length;
    const rc = this.options.cutoffA;
    // per pair type: A, σ, 1/ρ, C, D, energy shift
    const par = new Float64Array(6 * table.length);
    table.forEach((p, t) => par.set([p.aEv, p.sigmaA, 1 / p.rhoA, p.cEvA6, p.dEvA8, this.options.shift ? bornPair(p, rc)[0] : 0], 6 * t));
    const forces = new Float64Array(3 * n);
    const dEdStrain = new Float64Array(9);
    const energies = new Float64Array(n);
    const sp = s.species, rc2 = rc * rc;
    let energy = 0;
    // one loop over the pairs (no per-pair call: double arguments of a call that is not inlined are boxed)
    let list: VerletPairList | null = null, nl: NeighbourList | null = null, count: number;
    if (periodic) {
      if (!this.pairList) this.pairList = new VerletPairList(rc, RIGID_ION_SKIN_A);
      list = this.pairList;
      list.update(s.positions, s.cell);
      count = list.count;
    } else {
      nl = buildNeighbourList(s, rc, { half: true });
      count = nl.count;
    }
    if (list) energy = this.listPairs(list, s, par, ns, rc2, forces, energies, dEdStrain);
    else if (nl) {
      for (let p = 0; p < count; p++) {
        const i = nl.centres[p], j = nl.neighbours[p];
        const x = nl.vectors[3 * p], y = nl.vectors[3 * p + 1], z = nl.vectors[3 * p + 2];
        const r2 = x * x + y * y + z * z;
        if (r2 >= rc2) continue;
        const r = Math.sqrt(r2), o = 6 * (ns * sp[i] + sp[j]);
        const A = par[o];
        const e = A === 0 ? 0 : A * Math.exp((par[o + 1] - r) * par[o + 2]);
        const ir2 = 1 / r2, ir6 = ir2 * ir2 * ir2, ir8 = ir6 * ir2;
        const v = e - par[o + 3] * ir6 + par[o + 4] * ir8 - par[o + 5];
        const f = (-e * par[o + 2]) / r + 6 * par[o + 3] * ir8 - 8 * par[o + 4] * ir8 * ir2; // φ'(r)/r
        energy += v;
        energies[i] += 0.5 * v;
        energies[j] += 0.5 * v;
        forces[3 * i] += f * x; forces[3 * i + 1] += f * y; forces[3 * i + 2] += f * z;
        forces[3 * j] -= f * x; forces[3 * j + 1] -= f * y; forces[3 * j + 2] -= f * z;
        dEdStrain[0] += f * x * x; dEdStrain[1] += f * x * y; dEdStrain[2] += f * x * z;
        dEdStrain[4] += f * y * y; dEdStrain[5] += f * y * z; dEdStrain[8] += f * z * z;
      }
    }
    dEdStrain[3] = dEdStrain[1]; dEdStrain[6] = dEdStrain[2]; dEdStrain[7] = dEdStrain[5];
    const c: CalculationResult = this.options.coulomb === false
      ? { energyEv: 0, forcesEvPerA: new Float64Array(3 * n), stressEvPerA3: new Float64Array(9) }
      : this.coulomb.calculate(s, { forces: wantForces, stress: wantStress });
    const out: CalculationResult = { energyEv: energy + c.energyEv };
    if (c.energiesEv) for (let i = 0; i < n; i++) energies[i] += c.energiesEv[i];
    out.energiesEv = energies;
    if (wantForces) {
      for (let k = 0; k < 3 * n; k++) forces[k] += c.forcesEvPerA![k];
      out.forcesEvPerA = forces;
    }
    if (wantStress) {
      const V = cellVolume(s.cell);
      out.stressEvPerA3 = dEdStrain.map((x, k) => x / V + c.stressEvPerA3![k]);
    }
    return out;
  }
}
