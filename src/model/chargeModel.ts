/**
 * ChargeModel (`sr+q`, latent charges): a kernel model of short-range energies plus the electrostatic energy of
 * charges that a second kernel model predicts from the same local environments, as a core `Calculator`.
 * After the latent Ewald summation of B. Cheng (LES, npj Comput. Mater. 11, 80 (2025), arXiv:2408.15165; charge
 * neutrality as in King, Kim, Zhong, Cheng, Nat. Commun. 16, 8763 (2025)), with a sparse kernel model instead of a
 * neural network, as kQEq does for electronegativities (Staacke et al., Mach. Learn.: Sci. Technol. 3, 015032
 * (2022)); docs/charges.md.
 *
 *   E = Σ_i ε(X_i) + E_es(q, r),                                 ε(X_i) = e_t + Σ_b w_b K(X_i, X_b)      (eV)
 *   g_i = c_t + Σ_{b∈B^q_t} v_b K(X_i, X_b),   q_i = g_i − (Σ_j g_j − Q)/N                                (e)
 *   E_es = ½ Σ_i q_i φ_i,  φ = the Ewald/PME (periodic) or direct (open) potential of Gaussian charges of width s
 *          (pair kernel erf(r/(2s))/r · k_e, i.e. electrostatics' gaussianKernel with σ = √2 s; the Gaussians' own
 *          self energy is not included — it is q_i²/(2√π s)·k_e, a per-atom quadratic that ε cannot absorb but that
 *          is irrelevant to the charges' interaction).
 * Σ_i q_i = Q exactly for any weights (Q from the structure's info keys `totalChargeKeys`, default `charge`, else 0).
 * Fragments (`fragments`, e.g. the two monomers of a dimer with known charges): the same projection per fragment,
 * q_i = g_i − (Σ_{j∈F} g_j − Q_F)/N_F for i ∈ F, so every fragment's total charge is exact; P is then block-diagonal
 * (still symmetric), and every "mean" below is the fragment's mean.
 * Forces and stress by the adjoint: φ_i = ∂E_es/∂q_i, ∂E/∂g_i = φ_i − φ̄ (the projection P = I − 11ᵀ/N is
 * symmetric), so
 *   dE/dr = ∂E_es/∂r|_q + backward(U),  U_i = ∂ε/∂X_i + (φ_i − φ̄) ∂g_i/∂X_i
 * — one electrostatic sum with probes (its forces and strain derivative at fixed charges) and one descriptor
 * reverse pass with the combined upstream; no dq/dr is ever formed. Stress = (1/V)(∂E_es/∂ε|_q + backward.strain).
 * Solver parameters: fixed ones from the model (`electrostatics.parameters`) or tuned per structure from the
 * accuracy with the predicted charges. Uncertainty: the ε part only (the kernel model's posterior over w, e),
 * not the charges' contribution.
 * Cost per call: one descriptor forward + backward, O(N·(m_ε + m_q)·D) kernel work, one electrostatic sum.
 */
import { FarfieldError, cellVolume, type CalculateOptions, type CalculationResult, type Calculator, type Structure } from '../core/index.js';
import { backwardOf, ComputeContext, createDescriptor, type Descriptor } from '../descriptors/index.js';
import {
  computeElectrostatics, gaussianKernel as gaussianChargeKernel, tuneElectrostatics,
  type Kernel as ElectrostaticKernel, type SolverParameters,
} from '../electrostatics/index.js';
import { createKernel, type Kernel } from './kernels.js';
import { ReferenceSet, gatherRows, groupAtoms, type AtomGroups } from './design.js';
import { KernelModel, type KernelModelParams } from './kernelModel.js';
import './blockKernel.js';

/** Charge references of one species: g = offset + Σ_b weights_b K(X, X_b). */
export interface ChargeSpeciesModel {
  species: string;
  /** Reference environments, count × D row-major (may be empty: g = offset). */
  features: Float64Array;
  /** Weights v_b, e. */
  weights: Float64Array;
  /** Per-species offset c_t, e. */
  offsetE: number;
}

export interface ChargeElectrostatics {
  /** Width s of the Gaussian charges, Å (charge density ∝ e^{−r²/2s²}). */
  sigmaA: number;
  /** Relative force accuracy for tuning the solver per structure (default 1e-6). */
  accuracy?: number;
  /** Fixed solver parameters (skip tuning; for smooth finite differences and for fitting). */
  parameters?: SolverParameters;
}

/** What the charge fit records (chargeFit.ts). */
export interface ChargeTrainingMetadata {
  iterations: number;
  /** Objective (scaled residual sum of squares + ε ridge term) after each accepted iteration. */
  objective: number[];
  seed: number;
  converged: boolean;
  timingsS: Record<string, number>;
  errors?: Record<string, unknown>;
}

export interface ChargeModelParams {
  /** The ε part: descriptor, kernel, energy references, weights, reference energies, covariance, its training data. */
  energy: KernelModelParams;
  /** Charge references per species (same descriptor and kernel as `energy`), in the energy part's species order. */
  charges: ChargeSpeciesModel[];
  electrostatics: ChargeElectrostatics;
  /** Info keys summed to the total charge Q of a structure (default ['charge']; absent keys count 0). */
  totalChargeKeys?: string[];
  /**
   * Fragments with their own total charges (sr+q only): fragment k ≥ 1 starts at the atom index info[startKeys[k−1]],
   * fragment k's charge is info[chargeKeys[k]] (e.g. {startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB']} for
   * the charged dimers). A structure without these keys is one fragment with the total charge of `totalChargeKeys`.
   */
  fragments?: ChargeFragments;
  chargeTraining?: ChargeTrainingMetadata;
}

export interface ChargeFragments {
  startKeys: string[];
  chargeKeys: string[];
}

/** Atoms grouped into fragments with fixed total charges: fragment of each atom, charge and size of each fragment. */
export interface FragmentCharges {
  of: Int32Array;
  charge: Float64Array;
  size: Float64Array;
}

/** The fragments of a structure (module header); one fragment (the whole structure) without `spec` or its keys. */
export function fragmentsOf(s: Structure, spec: ChargeFragments | undefined, totalChargeKeys: readonly string[]): FragmentCharges {
  const n = s.species.length;
  const whole = (): FragmentCharges => ({ of: new Int32Array(n), charge: Float64Array.of(totalChargeOf(s, totalChargeKeys)), size: Float64Array.of(n) });
  if (!spec || spec.startKeys.some((k) => s.info[k] === undefined)) return whole();
  if (spec.chargeKeys.length !== spec.startKeys.length + 1)
    throw new FarfieldError('INVALID_INPUT', `charge model: fragments need one charge key per fragment (${spec.startKeys.length + 1}), got ${spec.chargeKeys.length}`);
  const starts = [0, ...spec.startKeys.map((k) => s.info[k])];
  const charge = Float64Array.from(spec.chargeKeys, (k) => {
    const v = s.info[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new FarfieldError('INVALID_INPUT', `charge model: fragment charge info '${k}' must be a number (e), got ${JSON.stringify(v)}`);
    return v;
  });
  for (let k = 1; k < starts.length; k++) {
    const a = starts[k];
    if (typeof a !== 'number' || !Number.isInteger(a) || a <= (starts[k - 1] as number) || a >= n)
      throw new FarfieldError('INVALID_INPUT', `charge model: fragment start info '${spec.startKeys[k - 1]}' must be an atom index in (${starts[k - 1]}, ${n}), got ${JSON.stringify(a)}`);
  }
  const of = new Int32Array(n), size = new Float64Array(charge.length);
  for (let k = 0, f = 0; k < n; k++) {
    while (f + 1 < starts.length && k >= (starts[f + 1] as number)) f++;
    of[k] = f;
    size[f]++;
  }
  return { of, charge, size };
}

/** x_i − mean of x over i's fragment (the projection P), in place; returns x. */
export function projectFragments(x: Float64Array, fr: FragmentCharges): Float64Array {
  const m = new Float64Array(fr.size.length);
  for (let i = 0; i < x.length; i++) m[fr.of[i]] += x[i];
  for (let f = 0; f < m.length; f++) m[f] /= fr.size[f];
  for (let i = 0; i < x.length; i++) x[i] -= m[fr.of[i]];
  return x;
}

/** Total charge Q of a structure: the sum of the numeric info values under `keys` (absent keys count 0). */
export function totalChargeOf(s: Structure, keys: readonly string[]): number {
  let q = 0;
  for (const k of keys) {
    const v = s.info[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new FarfieldError('INVALID_INPUT', `charge model: info '${k}' must be a number (total charge, e), got ${JSON.stringify(v)}`);
    q += v;
  }
  return q;
}

/** Forward state of one structure: features, charges, potentials, and the parts of the reverse pass. */
export interface ChargeForward {
  ctx: ComputeContext;
  saved: unknown;
  features: Float64Array;
  groups: AtomGroups;
  /** ε_i (eV). */
  epsilon: Float64Array;
  /** g_i and q_i (e). */
  g: Float64Array;
  q: Float64Array;
  /** The fragments whose total charges q keeps. */
  fragments: FragmentCharges;
  /** ∂ε_i/∂X_i and ∂g_i/∂X_i (N × D), when gradients were asked for. */
  dEpsdX: Float64Array | null;
  dGdX: Float64Array | null;
}

export class ChargeModel implements Calculator {
  readonly name: string = 'charge-model';
  readonly descriptor: Descriptor;
  readonly kernel: Kernel;
  readonly energyRefs: ReferenceSet;
  readonly chargeRefs: ReferenceSet;
  readonly energyWeights: Float64Array;
  readonly referenceEnergiesEv: Float64Array;
  readonly chargeWeights: Float64Array;
  readonly chargeOffsets: Float64Array;
  readonly esKernel: ElectrostaticKernel;
  readonly totalChargeKeys: readonly string[];
  private energyModel: KernelModel | null = null;

  constructor(readonly params: ChargeModelParams) {
    const e = params.energy;
    this.descriptor = createDescriptor(e.descriptor);
    this.kernel = createKernel(e.kernel);
    const d = this.descriptor.width;
    const species = e.species.map((s) => s.species);
    if (params.charges.length !== species.length || params.charges.some((c, t) => c.species !== species[t]))
      throw new FarfieldError('MODEL', `charge model: charge species [${params.charges.map((c) => c.species).join(', ')}] must match the energy species [${species.join(', ')}]`);
    for (const s of [...e.species, ...params.charges])
      if (s.features.length % d !== 0 || s.features.length / d !== s.weights.length)
        throw new FarfieldError('MODEL', `charge model: species '${s.species}' has ${s.features.length} feature values and ${s.weights.length} weights; descriptor width is ${d}`);
    const sigma = params.electrostatics.sigmaA;
    if (!(sigma > 0) || !Number.isFinite(sigma))
      throw new FarfieldError('MODEL', `charge model: electrostatics.sigmaA must be a positive width in Å, got ${sigma}`);
    this.energyRefs = new ReferenceSet(this.kernel, species, e.species.map((s) => s.features), d);
    this.chargeRefs = new ReferenceSet(this.kernel, species, params.charges.map((s) => s.features), d);
    this.energyWeights = new Float64Array(this.energyRefs.nRefs);
    e.species.forEach((s, t) => this.energyWeights.set(s.weights, this.energyRefs.offsets[t]));
    this.referenceEnergiesEv = Float64Array.from(e.species, (s) => s.referenceEnergyEv);
    this.chargeWeights = new Float64Array(this.chargeRefs.nRefs);
    params.charges.forEach((s, t) => this.chargeWeights.set(s.weights, this.chargeRefs.offsets[t]));
    this.chargeOffsets = Float64Array.from(params.charges, (s) => s.offsetE);
    this.esKernel = gaussianChargeKernel({ sigmaA: Math.SQRT2 * sigma });
    this.totalChargeKeys = params.totalChargeKeys ?? ['charge'];
  }

  get species(): readonly string[] {
    return this.energyRefs.species;
  }

  /** Solver parameters for a structure with charges q: the model's fixed ones, or tuned from its accuracy. */
  solverParameters(s: Structure, q: Float64Array): SolverParameters {
    const fixed = this.params.electrostatics.parameters;
    if (fixed) return fixed;
    // tune on |q| (never all zero): the parameters depend on the charge magnitudes only through error estimates
    const mag = new Float64Array(q.length);
    for (let i = 0; i < q.length; i++) mag[i] = Math.max(Math.abs(q[i]), 1e-3);
    return tuneElectrostatics(s, mag, { accuracy: this.params.electrostatics.accuracy ?? 1e-6 });
  }

  /** Descriptor, ε, g and q of a structure (and ∂ε/∂X, ∂g/∂X when `gradients`). */
  forward(s: Structure, gradients: boolean, chargeWeights: Float64Array = this.chargeWeights, chargeOffsets: Float64Array = this.chargeOffsets): ChargeForward {
    const n = s.species.length;
    if (n === 0) throw new FarfieldError('INVALID_INPUT', 'charge model: the structure has no atoms');
    const groups = groupAtoms(s, this.species);
    const ctx = new ComputeContext(s);
    const out = this.descriptor.compute(s, ctx);
    const X = out.features.data, d = this.descriptor.width;
    const epsilon = new Float64Array(n), g = new Float64Array(n);
    const dEpsdX = gradients ? new Float64Array(n * d) : null;
    const dGdX = gradients ? new Float64Array(n * d) : null;
    for (let t = 0; t < this.species.length; t++) {
      const atoms = groups.atoms[t], nt = atoms.length;
      if (nt === 0) continue;
      const a = this.kernel.prepare(gatherRows(X, d, atoms), nt, d);
      evalPart(this.kernel, a, atoms, this.energyRefs, t, this.energyWeights, this.referenceEnergiesEv[t], epsilon, dEpsdX, d);
      evalPart(this.kernel, a, atoms, this.chargeRefs, t, chargeWeights, chargeOffsets[t], g, dGdX, d);
    }
    const fragments = fragmentsOf(s, this.params.fragments, this.totalChargeKeys);
    const q = projectFragments(g.slice(), fragments);
    for (let i = 0; i < n; i++) q[i] += fragments.charge[fragments.of[i]] / fragments.size[fragments.of[i]];
    return { ctx, saved: out.saved, features: X, groups, epsilon, g, q, fragments, dEpsdX, dGdX };
  }

  calculate(structure: Structure, options: CalculateOptions = {}): CalculationResult {
    const n = structure.species.length;
    const periodic = structure.pbc[0] && structure.pbc[1] && structure.pbc[2];
    const wantF = options.forces ?? true;
    const wantS = (options.stress ?? periodic) && periodic;
    const grad = wantF || wantS;
    const f = this.forward(structure, grad);
    const params = this.solverParameters(structure, f.q);
    const es = computeElectrostatics(structure, f.q, this.esKernel, params, { forces: true, stress: wantS, potentials: true });
    const phi = es.potentials!;
    const energies = new Float64Array(n);
    let energy = 0;
    for (let i = 0; i < n; i++) {
      energies[i] = f.epsilon[i] + 0.5 * f.q[i] * phi[i];
      energy += energies[i];
    }
    const result: CalculationResult = { energyEv: energy, energiesEv: energies, charges: f.q };
    if (grad) {
      const d = this.descriptor.width;
      const pphi = projectFragments(phi.slice(), f.fragments);
      const up = f.dEpsdX!;
      const gg = f.dGdX!;
      for (let i = 0; i < n; i++) {
        const u = pphi[i];
        for (let k = i * d; k < (i + 1) * d; k++) up[k] += u * gg[k];
      }
      const back = backwardOf(this.descriptor, structure, f.ctx, f.saved, up);
      if (wantF) {
        const force = es.forcesEvPerA!.slice();
        for (let k = 0; k < 3 * n; k++) force[k] -= back.positions[k];
        result.forcesEvPerA = force;
      }
      if (wantS) {
        const v = cellVolume(structure.cell);
        const st = es.stressEvPerA3!.slice();
        for (let k = 0; k < 9; k++) st[k] += back.strain[k] / v;
        result.stressEvPerA3 = st;
      }
    }
    if (options.uncertainty) {
      if (!this.params.energy.covarianceFactor)
        throw new FarfieldError('UNSUPPORTED', 'charge model: fitted without a stored covariance, no uncertainty available');
      this.energyModel ??= new KernelModel(this.params.energy);
      const u = this.energyModel.calculate(structure, { forces: false, stress: false, uncertainty: true }).uncertainty;
      if (u) result.uncertainty = u;
    }
    return result;
  }
}

/** out[atom] = offset + Σ_b w_b K(X_atom, X_b) over species t; grad rows += Σ_b w_b ∂K/∂X. */
function evalPart(kernel: Kernel, a: ReturnType<Kernel['prepare']>, atoms: Int32Array, refs: ReferenceSet, t: number,
  weights: Float64Array, offset: number, out: Float64Array, grad: Float64Array | null, d: number): void {
  const nt = atoms.length, mt = refs.counts[t], off = refs.offsets[t];
  for (let i = 0; i < nt; i++) out[atoms[i]] = offset;
  if (mt === 0) return;
  const w = weights.subarray(off, off + mt);
  const kmat = kernel.matrix(a, refs.prepared[t]);
  for (let i = 0; i < nt; i++) {
    let e = 0;
    for (let b = 0; b < mt; b++) e += w[b] * kmat[i * mt + b];
    out[atoms[i]] += e;
  }
  if (!grad) return;
  const gr = new Float64Array(nt * d);
  if (kernel.weightedGradient) kernel.weightedGradient(a, refs.prepared[t], w, gr, kmat); // no broadcast coef (same bits)
  else {
    const coef = new Float64Array(nt * mt);
    for (let i = 0; i < nt; i++) coef.set(w, i * mt);
    kernel.gradient(a, refs.prepared[t], coef, gr, kmat);
  }
  for (let i = 0; i < nt; i++) grad.set(gr.subarray(i * d, (i + 1) * d), atoms[i] * d);
}
