/**
 * Solvers: evaluate a Kernel for a system by direct summation (open boundaries), Ewald or smooth PME (3-D periodic).
 *
 * Core primitive `electrostaticSum`: per-atom potentials φ_i^c = Σ_j' w_j^c v(r_ij) (all periodic images; the i = j,
 * n = 0 term excluded) for C charge channels, and, for probe weights u, the scalar L = Σ_i Σ_c u_i^c φ_i^c with its
 * gradients ∂L/∂r (3N) and ∂L/∂ε (3×3). For periodic systems
 *   φ = φ_sr (real space, linked-cell pair sweep to r_c, realspace.ts) + φ_lr (reciprocal: ewaldReciprocal or pmeReciprocal)
 *       − w_i v_lr(0) (self) − (Σ_j w_j / V) ∫v_sr (neutralising background, tin-foil; only if k = 0 is dropped).
 * PME (mesh, real-space bins) runs on the reduced basis of the lattice (reduceCell.ts): the same lattice, shorter rows,
 * a smaller mesh for sheared cells; results do not depend on the basis.
 * The real-space reverse pass: for an unordered pair at distance d (d = r_j + n − r_i),
 *   s = Σ_c (u_i^c w_j^c + u_j^c w_i^c), ∂L/∂r_j = s v' d/r = −∂L/∂r_i, ∂L/∂ε_αβ += s v' d_α d_β / r.
 * The background term ∝ 1/V contributes −δ_αβ L_bg to ∂L/∂ε; the self term is strain independent.
 * Energy, forces, stress (`computeElectrostatics`): u = q/2 so L = E = ½ Σ_c Σ_i q_i^c φ_i^c (channels add);
 * forces = −∂E/∂r, stress = (1/V) ∂E/∂ε (ASE sign, positive = tensile), virial W = −∂E/∂ε.
 * The adjoint pass for long-range descriptors is the same call with the caller's u (`probes`): one more
 * real-space + reciprocal/mesh pass, never an N × N matrix.
 */
import { FarfieldError, cellVolume } from '../core/index.js';
import type { ElectrostaticKernel } from './kernels.js';
import { kVectors } from './kvectors.js';
import { PmeWorkspace, pmeReciprocal } from './pme.js';
import { channelTotals, ewaldReciprocal, type ReciprocalResult } from './reciprocal.js';
import { RealSpaceWorkspace, realSpaceSum } from './realspace.js';
import { reduceCell } from './reduceCell.js';

export type Method = 'direct' | 'ewald' | 'pme';

/** Resolved numerical parameters of a solver (see tune.ts). */
export interface SolverParameters {
  method: Method;
  /** Ewald splitting parameter α, Å⁻¹ (ewald, pme). */
  alphaPerA?: number;
  /** Real-space cutoff, Å (ewald, pme). */
  realCutoffA?: number;
  /** Spherical k-space cutoff, Å⁻¹ (ewald). */
  kCutoffPerA?: number;
  /** PME mesh (powers of two) and B-spline order. */
  mesh?: [number, number, number];
  order?: number;
  /** Interpolate the real-space kernel from a cubic Hermite table (realspace.ts; relative error ≲ 1e-7). */
  realSpaceTable?: boolean;
}

/** The geometry the solvers need (a Structure satisfies it). */
export interface ElectrostaticsSystem {
  cell: Float64Array;
  pbc: [boolean, boolean, boolean];
  positions: Float64Array;
}

export interface SumRequest {
  channels: number;
  /** Source weights (charges) N × channels, atom-major. */
  sources: Float64Array;
  potentials?: boolean;
  /** Probe weights N × channels: compute L = Σ u φ and ∂L/∂r. */
  probes?: Float64Array;
  /** Also ∂L/∂ε (periodic systems). */
  strain?: boolean;
}

export interface SumResult extends ReciprocalResult {
  /** Breakdown of L by term (when probes are given). */
  terms?: { real: number; reciprocal: number; self: number; background: number };
}

function checkSystem(sys: ElectrostaticsSystem, req: SumRequest): number {
  const n = sys.positions.length / 3;
  if (!Number.isInteger(n)) throw new FarfieldError('INVALID_INPUT', `electrostatics: positions length ${sys.positions.length} is not a multiple of 3`);
  if (req.sources.length !== n * req.channels)
    throw new FarfieldError('INVALID_INPUT', `electrostatics: ${req.sources.length} charges for ${n} atoms × ${req.channels} channels`);
  if (req.probes && req.probes.length !== n * req.channels)
    throw new FarfieldError('INVALID_INPUT', `electrostatics: ${req.probes.length} probe weights for ${n} atoms × ${req.channels} channels`);
  for (let k = 0; k < req.sources.length; k++)
    if (!Number.isFinite(req.sources[k])) throw new FarfieldError('INVALID_INPUT', `electrostatics: charge of atom ${Math.floor(k / req.channels)} is not finite`);
  return n;
}

/**
 * Reusable solver state owned by the caller (one per calculator or descriptor instance; reuse it along an MD
 * trajectory, drop it with its owner): the PME plan, influence function and meshes, and the real-space pair table.
 */
export class ElectrostaticsWorkspace {
  readonly pme: PmeWorkspace;
  readonly real: RealSpaceWorkspace;
  /**
   * `realSpaceSkinA`: skin of the real-space pair list kept along a trajectory (realspace.ts; default
   * REAL_SPACE_SKIN_A, 0 = always the binned sweep, which is bit-identical to a call without a workspace).
   * `kernels`: 'auto' (default) runs the listed real-space pair loop and PME spread/gather in WebAssembly SIMD
   * (pmeWasm.ts) where available, 'ts' the TS loops (same results up to summation order).
   */
  constructor(options: { realSpaceSkinA?: number; kernels?: 'auto' | 'ts' } = {}) {
    this.real = new RealSpaceWorkspace(options.realSpaceSkinA, options.kernels);
    this.pme = new PmeWorkspace(undefined, options.kernels);
  }
}

/** Evaluate φ and/or L = Σ u φ with gradients. `workspace`: reused state between calls (a fresh one when omitted). */
export function electrostaticSum(sys: ElectrostaticsSystem, kernel: ElectrostaticKernel, params: SolverParameters, req: SumRequest, workspace: ElectrostaticsWorkspace = new ElectrostaticsWorkspace()): SumResult {
  const n = checkSystem(sys, req);
  const periodic = sys.pbc[0] || sys.pbc[1] || sys.pbc[2];
  if (params.method === 'direct') {
    if (periodic) throw new FarfieldError('UNSUPPORTED', 'direct summation is for open-boundary (non-periodic) systems; use ewald or pme for periodic cells');
    return directSum(sys, kernel, req, n);
  }
  if (!(sys.pbc[0] && sys.pbc[1] && sys.pbc[2]))
    throw new FarfieldError('UNSUPPORTED', `${params.method} needs a 3-D periodic cell (pbc = ${sys.pbc.join(',')}); mixed or open boundaries: use method 'direct' for open systems`);
  const { alphaPerA: alpha, realCutoffA } = params;
  if (alpha === undefined || realCutoffA === undefined)
    throw new FarfieldError('INVALID_INPUT', `${params.method}: parameters alphaPerA and realCutoffA are required (use tune)`);
  const V = cellVolume(sys.cell);
  const C = req.channels, w = req.sources, u = req.probes;
  const split = kernel.split(alpha);
  // PME runs on the reduced basis of the lattice (reduceCell.ts; tune sizes its mesh from the same basis)
  const cell = params.method === 'pme' ? reduceCell(sys.cell) : sys.cell;
  const phi = req.potentials ? new Float64Array(n * C) : null;
  const grad = u ? new Float64Array(3 * n) : null;
  const dS = u && req.strain ? new Float64Array(9) : null;
  let Lreal = 0;

  // real space (linked cells, half stencil; see realspace.ts)
  if (split.shortRange && realCutoffA > 0) {
    Lreal = realSpaceSum({ positions: sys.positions, cell, cutoffA: realCutoffA, shortRange: split.shortRange, channels: C, sources: w, probes: u, potentials: phi, gradient: grad, strain: dS, table: params.realSpaceTable === true,
      tableKey: kernel.kind === 'fourier' ? undefined : `${JSON.stringify(kernel.toJSON())}|${alpha}`, workspace: workspace.real });
    if (dS) { dS[3] = dS[1]; dS[6] = dS[2]; dS[7] = dS[5]; }
  }

  // reciprocal space
  const kernelKey = kernel.kind === 'fourier' ? undefined : `${JSON.stringify(kernel.toJSON())}|${alpha}`;
  const rreq = { positions: sys.positions, volume: V, channels: C, sources: w, kernel: split.fourier, potentials: !!phi, probes: u, strain: !!dS, cell, kernelKey };
  let rec: ReciprocalResult;
  if (params.method === 'ewald') {
    if (params.kCutoffPerA === undefined) throw new FarfieldError('INVALID_INPUT', 'ewald: parameter kCutoff is required (use tune)');
    rec = ewaldReciprocal(rreq, kVectors(sys.cell, params.kCutoffPerA));
  } else {
    if (!params.mesh || params.order === undefined) throw new FarfieldError('INVALID_INPUT', 'pme: parameters mesh and order are required (use tune)');
    rec = pmeReciprocal(rreq, { mesh: params.mesh, order: params.order }, workspace.pme);
  }

  // self and background
  const wTot = channelTotals(w, n, C);
  const bg = split.fourier.includeZero ? 0 : split.backgroundIntegral / V;
  if (phi && rec.potentials) {
    for (let i = 0; i < n; i++)
      for (let c = 0; c < C; c++) phi[i * C + c] += rec.potentials[i * C + c] - w[i * C + c] * split.selfPotential - wTot[c] * bg;
  }
  const out: SumResult = {};
  if (phi) out.potentials = phi;
  if (u && grad) {
    let Lself = 0, Lbg = 0;
    const uTot = channelTotals(u, n, C);
    for (let k = 0; k < n * C; k++) Lself -= u[k] * w[k] * split.selfPotential;
    for (let c = 0; c < C; c++) Lbg -= uTot[c] * wTot[c] * bg;
    const Lrec = rec.value ?? 0;
    out.value = Lreal + Lrec + Lself + Lbg;
    out.terms = { real: Lreal, reciprocal: Lrec, self: Lself, background: Lbg };
    if (rec.dPositions) for (let k = 0; k < 3 * n; k++) grad[k] += rec.dPositions[k];
    out.dPositions = grad;
    if (dS) {
      if (rec.dStrain) for (let k = 0; k < 9; k++) dS[k] += rec.dStrain[k];
      dS[0] -= Lbg; dS[4] -= Lbg; dS[8] -= Lbg;
      out.dStrain = dS;
    }
  }
  return out;
}

/** Open-boundary direct sum over all pairs i < j, O(N²). */
function directSum(sys: ElectrostaticsSystem, kernel: ElectrostaticKernel, req: SumRequest, n: number): SumResult {
  const pair = kernel.pair;
  if (!pair) throw new FarfieldError('UNSUPPORTED', `kernel '${kernel.kind}' has no real-space form; direct summation is impossible`);
  const C = req.channels, w = req.sources, u = req.probes, x = sys.positions;
  const phi = req.potentials ? new Float64Array(n * C) : null;
  const grad = u ? new Float64Array(3 * n) : null;
  const dS = u && req.strain ? new Float64Array(9) : null;
  const tmp = new Float64Array(2);
  let L = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const dx = x[3 * j] - x[3 * i], dy = x[3 * j + 1] - x[3 * i + 1], dz = x[3 * j + 2] - x[3 * i + 2];
      const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (r === 0) throw new FarfieldError('INVALID_INPUT', `electrostatics: atoms ${i} and ${j} coincide`);
      pair(r, tmp);
      if (phi) for (let c = 0; c < C; c++) {
        phi[i * C + c] += w[j * C + c] * tmp[0];
        phi[j * C + c] += w[i * C + c] * tmp[0];
      }
      if (u && grad) {
        let sw = 0;
        for (let c = 0; c < C; c++) sw += u[i * C + c] * w[j * C + c] + u[j * C + c] * w[i * C + c];
        L += sw * tmp[0];
        const g = (sw * tmp[1]) / r;
        grad[3 * j] += g * dx; grad[3 * j + 1] += g * dy; grad[3 * j + 2] += g * dz;
        grad[3 * i] -= g * dx; grad[3 * i + 1] -= g * dy; grad[3 * i + 2] -= g * dz;
        if (dS) {
          dS[0] += g * dx * dx; dS[1] += g * dx * dy; dS[2] += g * dx * dz;
          dS[4] += g * dy * dy; dS[5] += g * dy * dz; dS[8] += g * dz * dz;
        }
      }
    }
  if (dS) { dS[3] = dS[1]; dS[6] = dS[2]; dS[7] = dS[5]; }
  const out: SumResult = {};
  if (phi) out.potentials = phi;
  if (u && grad) {
    out.value = L;
    out.dPositions = grad;
    if (dS) out.dStrain = dS;
    out.terms = { real: L, reciprocal: 0, self: 0, background: 0 };
  }
  return out;
}

export interface ElectrostaticsResult {
  /** E = ½ Σ_c Σ_i q_i^c φ_i^c, eV. */
  energyEv: number;
  /** φ_i^c (V = eV/e), N × channels. */
  potentials?: Float64Array;
  /** −∂E/∂r, eV/Å, 3N. */
  forcesEvPerA?: Float64Array;
  /** W = −∂E/∂ε, eV, 3×3. */
  virialEv?: Float64Array;
  /** (1/V) ∂E/∂ε, eV/Å³, 3×3, ASE sign. */
  stressEvPerA3?: Float64Array;
  terms: { real: number; reciprocal: number; self: number; background: number };
  parameters: SolverParameters;
}

export interface ComputeOptions {
  channels?: number;
  potentials?: boolean;
  forces?: boolean;
  stress?: boolean;
  /** Solver state reused between calls (see ElectrostaticsWorkspace). */
  workspace?: ElectrostaticsWorkspace;
}

/** Energy, per-atom potentials, forces and stress of charges (N × channels) with a kernel and solver parameters. */
export function computeElectrostatics(sys: ElectrostaticsSystem, charges: Float64Array, kernel: ElectrostaticKernel, params: SolverParameters, options: ComputeOptions = {}): ElectrostaticsResult {
  const C = options.channels ?? 1;
  const probes = new Float64Array(charges.length);
  for (let k = 0; k < charges.length; k++) probes[k] = 0.5 * charges[k];
  const periodic = sys.pbc[0] && sys.pbc[1] && sys.pbc[2];
  const wantStress = (options.stress ?? periodic) && periodic;
  const r = electrostaticSum(sys, kernel, params, { channels: C, sources: charges, probes, potentials: options.potentials, strain: wantStress }, options.workspace);
  const out: ElectrostaticsResult = { energyEv: r.value ?? 0, terms: r.terms ?? { real: 0, reciprocal: 0, self: 0, background: 0 }, parameters: params };
  if (r.potentials) out.potentials = r.potentials;
  if (options.forces ?? true) {
    const f = new Float64Array(r.dPositions!.length);
    for (let k = 0; k < f.length; k++) f[k] = -r.dPositions![k];
    out.forcesEvPerA = f;
  }
  if (wantStress && r.dStrain) {
    const V = cellVolume(sys.cell);
    out.virialEv = r.dStrain.map((x) => -x);
    out.stressEvPerA3 = r.dStrain.map((x) => x / V);
  }
  return out;
}
