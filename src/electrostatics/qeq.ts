/**
 * Charge equilibration (QEq): the charges that minimise
 *   E(q) = Σ_i χ_i q_i + ½ Σ_i J_i q_i² + E_es(q),   E_es = ½ qᵀA q (any Kernel, any solver),   subject to Σ_i q_i = Q
 * (Rappé & Goddard, J. Phys. Chem. 95, 3358 (1991); with learned χ: Ko et al., Nat. Commun. 12, 398 (2021);
 * Staacke et al., Mach. Learn.: Sci. Technol. 3, 015032 (2022)). χ in eV/e (V), J in eV/e².
 * Stationarity: χ + Jq + Aq = μ1 (μ the Lagrange multiplier, the chemical potential of the electrons).
 * Solver: conjugate gradients on the constraint plane, q = Q/N·1 + x with 1ᵀx = 0: P H P x = −P(χ + H q₀),
 * H = diag(J) + A, P = I − 11ᵀ/N (P H P is SPD on the plane when H is positive definite there); μ = mean(χ + Hq).
 * Each mat-vec Ax is one electrostatic sum (`potentials` of sources x: PME/Ewald/direct), never an N × N matrix.
 * Forces and stress: at the constrained minimum ∂E/∂q = μ1 and Σ dq/dr = 0, so dE/dr = ∂E_es/∂r|_q (for χ, J fixed
 * in r; a caller with χ = χ(r) adds Σ_i q_i ∂χ_i/∂r) — one more sum with probes q/2, no dq/dr. The error of the
 * forces is first order in the CG residual (the energy's is second order): the default tolerance is tight.
 * Fragments (`fragments`, e.g. the molecules of a dimer; the fluctuating-charge model of Rick, Stuart & Berne,
 * J. Chem. Phys. 101, 6141 (1994)): one constraint Σ_{i∈F} q_i = Q_F and one multiplier μ_F per fragment, so charge
 * flows within a fragment only (polarisation, no charge transfer between fragments); P is then the block-diagonal
 * projection x_i − mean_{F(i)} x, and the force argument holds per fragment (Σ_{i∈F} dq_i/dr = 0).
 */
import { FarfieldError } from '../core/index.js';
import type { Kernel } from './kernels.js';
import { ElectrostaticsWorkspace, computeElectrostatics, electrostaticSum, type ElectrostaticsSystem, type SolverParameters } from './solve.js';

export interface QeqRequest {
  /** Electronegativities χ_i, eV/e (N). */
  chi: Float64Array;
  /** Hardnesses J_i, eV/e² (N). */
  hardness: Float64Array;
  /** Total charge Q, e (default 0). */
  totalCharge?: number;
  /** Relative residual |P(χ + Hq)| / |Pχ| at which CG stops (default 1e-12). */
  tolerance?: number;
  /** Maximum CG iterations (default 10 N, at least 200). */
  maxIterations?: number;
  /** Initial charges (projected onto Σq = Q); default Q/N. */
  guess?: Float64Array;
  forces?: boolean;
  stress?: boolean;
  /** Fragments with their own total charges (module header); `totalCharge` is then ignored. */
  fragments?: QeqFragments;
}

/** Atoms grouped into fragments: fragment index of each atom, total charge (e) and atom count of each fragment. */
export interface QeqFragments {
  of: Int32Array;
  charge: Float64Array;
  size: Float64Array;
}

export interface QeqResult {
  /** Equilibrated charges, e. */
  charges: Float64Array;
  /** Σχq + ½ΣJq² + E_es, eV. */
  energyEv: number;
  /** E_es alone, eV. */
  electrostaticEnergyEv: number;
  /** φ = Aq, V. */
  potentials: Float64Array;
  /** μ, eV/e (the mean over atoms of χ + Jq + φ; with fragments the atom-weighted mean of the μ_F). */
  chemicalPotential: number;
  /** μ_F per fragment, eV/e (one entry without fragments). */
  chemicalPotentials: Float64Array;
  iterations: number;
  /** Final relative residual. */
  residual: number;
  forcesEvPerA?: Float64Array;
  stressEvPerA3?: Float64Array;
}

function checkRequest(n: number, req: QeqRequest): void {
  if (req.chi.length !== n || req.hardness.length !== n)
    throw new FarfieldError('INVALID_INPUT', `qeq: ${req.chi.length} electronegativities and ${req.hardness.length} hardnesses for ${n} atoms`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(req.chi[i])) throw new FarfieldError('INVALID_INPUT', `qeq: electronegativity of atom ${i} is not finite`);
    if (!(req.hardness[i] > 0) || !Number.isFinite(req.hardness[i]))
      throw new FarfieldError('INVALID_INPUT', `qeq: hardness of atom ${i} must be a positive finite number (eV/e²), got ${req.hardness[i]}`);
  }
  if (n === 0) throw new FarfieldError('INVALID_INPUT', 'qeq: no atoms');
  const fr = req.fragments;
  if (fr) {
    const nf = fr.charge.length;
    if (fr.of.length !== n || fr.size.length !== nf || nf === 0)
      throw new FarfieldError('INVALID_INPUT', `qeq: fragments must give one fragment index per atom (${fr.of.length} for ${n} atoms) and a charge and size per fragment (${fr.charge.length}, ${fr.size.length})`);
    const count = new Float64Array(nf);
    for (let i = 0; i < n; i++) {
      const k = fr.of[i];
      if (!(k >= 0 && k < nf)) throw new FarfieldError('INVALID_INPUT', `qeq: atom ${i} is in fragment ${k}, outside 0..${nf - 1}`);
      count[k]++;
    }
    for (let k = 0; k < nf; k++)
      if (count[k] === 0 || count[k] !== fr.size[k] || !Number.isFinite(fr.charge[k]))
        throw new FarfieldError('INVALID_INPUT', `qeq: fragment ${k} has ${count[k]} atoms, size ${fr.size[k]} and charge ${fr.charge[k]}; need a matching non-zero size and a finite charge`);
  }
}

/** The fragments of a request: the given ones, or the whole system as one fragment of charge Q. */
function fragmentsOf(n: number, req: QeqRequest): QeqFragments {
  return req.fragments ?? { of: new Int32Array(n), charge: Float64Array.of(req.totalCharge ?? 0), size: Float64Array.of(n) };
}

/** x_i − mean of x over i's fragment, in place (the projection P onto the constraint planes). */
function projectOn(x: Float64Array, fr: QeqFragments): void {
  const m = new Float64Array(fr.charge.length);
  for (let i = 0; i < x.length; i++) m[fr.of[i]] += x[i];
  for (let k = 0; k < m.length; k++) m[k] /= fr.size[k];
  for (let i = 0; i < x.length; i++) x[i] -= m[fr.of[i]];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Equilibrate charges (module header). `params` as for computeElectrostatics (fixed during the solve). */
export function solveQeq(sys: ElectrostaticsSystem, kernel: Kernel, params: SolverParameters, req: QeqRequest,
  workspace: ElectrostaticsWorkspace = new ElectrostaticsWorkspace()): QeqResult {
  const n = sys.positions.length / 3;
  checkRequest(n, req);
  const fr = fragmentsOf(n, req);
  const project = (x: Float64Array) => projectOn(x, fr);
  const J = req.hardness, chi = req.chi;
  const applyH = (x: Float64Array): Float64Array => {
    const phi = electrostaticSum(sys, kernel, params, { channels: 1, sources: x, potentials: true }, workspace).potentials!;
    for (let i = 0; i < n; i++) phi[i] += J[i] * x[i];
    return phi;
  };
  const q = new Float64Array(n);
  if (req.guess) {
    if (req.guess.length !== n) throw new FarfieldError('INVALID_INPUT', `qeq: guess has ${req.guess.length} charges for ${n} atoms`);
    q.set(req.guess);
    project(q);
  }
  for (let i = 0; i < n; i++) q[i] += fr.charge[fr.of[i]] / fr.size[fr.of[i]];
  // r = −P(χ + Hq)
  const hq = applyH(q);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = -(chi[i] + hq[i]);
  project(r);
  const pchi = Float64Array.from(chi);
  project(pchi);
  const scale = Math.max(Math.sqrt(dot(pchi, pchi)), Math.sqrt(dot(r, r)), 1e-300);
  const tol = req.tolerance ?? 1e-12;
  const maxIt = req.maxIterations ?? Math.max(200, 10 * n);
  const p = r.slice();
  let rr = dot(r, r), it = 0;
  while (Math.sqrt(rr) > tol * scale && it < maxIt) {
    it++;
    const hp = applyH(p);
    project(hp);
    const php = dot(p, hp);
    if (!(php > 0))
      throw new FarfieldError('NUMERIC', `qeq: the QEq matrix is not positive definite on Σq = Q (pᵀHp = ${php}); the hardnesses are too small for this kernel and geometry`);
    const a = rr / php;
    for (let i = 0; i < n; i++) {
      q[i] += a * p[i];
      r[i] -= a * hp[i];
    }
    const rrNew = dot(r, r);
    const b = rrNew / rr;
    rr = rrNew;
    for (let i = 0; i < n; i++) p[i] = r[i] + b * p[i];
  }
  const residual = Math.sqrt(rr) / scale;
  if (residual > tol)
    throw new FarfieldError('NUMERIC', `qeq: conjugate gradients did not converge in ${it} iterations (relative residual ${residual.toExponential(2)} > ${tol})`);
  const periodic = sys.pbc[0] && sys.pbc[1] && sys.pbc[2];
  const wantS = (req.stress ?? periodic) && periodic;
  const es = computeElectrostatics(sys, q, kernel, params, { forces: req.forces ?? true, stress: wantS, potentials: true, workspace });
  const phi = es.potentials!;
  let e = es.energyEv, mu = 0;
  const muF = new Float64Array(fr.charge.length);
  for (let i = 0; i < n; i++) {
    e += chi[i] * q[i] + 0.5 * J[i] * q[i] * q[i];
    const m = chi[i] + J[i] * q[i] + phi[i];
    mu += m;
    muF[fr.of[i]] += m / fr.size[fr.of[i]];
  }
  const out: QeqResult = { charges: q, energyEv: e, electrostaticEnergyEv: es.energyEv, potentials: phi, chemicalPotential: mu / n, chemicalPotentials: muF, iterations: it, residual };
  if (es.forcesEvPerA) out.forcesEvPerA = es.forcesEvPerA;
  if (es.stressEvPerA3) out.stressEvPerA3 = es.stressEvPerA3;
  return out;
}
