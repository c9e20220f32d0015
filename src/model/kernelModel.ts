/**
 * KernelModel: a fitted kernel force field as a core `Calculator` (science.md §1.9, §1.11).
 *
 *   E = Σ_i E_i,  E_i = e_{t(i)} + Σ_{b∈B_{t(i)}} w_b K(X_i, X_b)                         (eV)
 *   F_k = −∂E/∂r_k = −vjp(dE/dX),  dE/dX_i = Σ_b w_b ∂K(X_i, X_b)/∂X_i              (eV/Å)
 *   σ = (1/V) ∂E/∂ε = vjp(dE/dX).strain / V   (ASE sign, positive = tensile)        (eV/Å³)
 * Forces and stress come only from the descriptor's reverse pass (no per-atom descriptor derivatives here).
 * Uncertainty (when the fit stored a posterior covariance Σ = C Cᵀ over the unknowns u = (w, e)): per-atom feature
 * rows φ_i = (K(X_i, X_b) on the block of t(i), 1 on e_{t(i)}), standard deviations √(φ_iᵀΣφ_i) per atom and
 * √(φᵀΣφ), φ = Σ_i φ_i, for the total energy (parameter uncertainty; the fitted noise level is in `params.fit`).
 * Force uncertainty (forceUncertainty.ts): σ(F_cα) = √(J Σ Jᵀ)_cα per Cartesian component, J = ∂φ/∂r, from
 * batched reverse passes with the columns of C (or a seeded unbiased sketch of them) as weights; `maxForceEvPerA` is
 * the largest per-atom norm √(σ²_x + σ²_y + σ²_z). Skipped with `forceUncertainty: false` (energy σ only).
 * Workspace: `workspace` (a `ComputeWorkspace`, descriptors/context.ts: neighbour lists with a skin, reused while
 * successive structures form a trajectory) is passed to every call's compute context. It is off (null) by default, so
 * a prediction does not depend on what the model computed before; a caller driving a trajectory (`farfield md`, the
 * i-PI driver: api `withTrajectoryWorkspace`) sets one for the run and drops it after. Pair sums then run in another
 * order, so results may differ from a workspace-free call in the last bits. Descriptor instances keep their own
 * plans and tables (per cell) either way.
 * Cost: one descriptor forward + backward, O(N·m·D) kernel work (GEMM), + O(N·m·rank) for the energy uncertainty,
 * + directions × (N·m·D GEMM + one reverse-pass entry) for the force uncertainty.
 */
import { FarfieldError, cellVolume, type CalculateOptions, type CalculationResult, type Calculator, type Structure } from '../core/index.js';
import { ComputeContext, createDescriptor, denseUpstream, type ComputeWorkspace, type Descriptor, type DescriptorSpec } from '../descriptors/index.js';
import { getLinalg } from '../math/index.js';
import { createKernel, type Kernel, type KernelSpec } from './kernels.js';
import { ReferenceSet, gatherRows, groupAtoms } from './design.js';
import { KernelScratch } from './kernelScratch.js';
import type { SolveInfo } from './solvers.js';
import type { BlockBalanceInfo } from './scaling.js';
import { exactForceVariance, forceSigma, forceVariance, uncertaintyDirections, type ForceUncertaintyOptions, type SpeciesPass, type UncertaintyDirections } from './forceUncertainty.js';
import { accumulateEnergyBounds, covarianceSpectrum, energyBoundPlan, newEnergyBoundsOut, totalEnergyBounds, type EnergyBoundPlan } from './energyBounds.js';
import './blockKernel.js'; // registers the 'linear' and 'block' kernels for model files

/** References of one species. */
export interface SpeciesModel {
  species: string;
  /** Reference environments, count × D row-major. */
  features: Float64Array;
  /** Weights w_b, eV. */
  weights: Float64Array;
  /** Reference energy e_t, eV. */
  referenceEnergyEv: number;
}

export interface TrainingMetadata {
  /** SHA-256 over the training structures (positions, cell, species, labels). */
  dataHash: string;
  structures: number;
  atoms: number;
  rows: { energy: number; forces: number; stress: number };
  selection: { method: string; seed: number; requested: Record<string, number>; candidates: Record<string, number> };
  /** Row scalings used: σ_E (eV/atom), σ_F (eV/Å), σ_S (eV/Å³) and the user weights. */
  scaling: { sigmaEnergyEvPerAtom: number; sigmaForceEvPerA: number; sigmaStressEvPerA3: number; weights: { energy: number; forces: number; stress: number } };
  solver: SolveInfo;
  timingsS: Record<string, number>;
  /** Automatic block balancing of a composite descriptor (scaling.ts), when applied. */
  blockBalance?: BlockBalanceInfo[];
  /** Error summaries filled in by the caller (api), keyed by set name ('train', 'validation'). */
  errors?: Record<string, unknown>;
  createdBy: string;
}

export interface KernelModelParams {
  descriptor: DescriptorSpec;
  kernel: KernelSpec;
  species: SpeciesModel[];
  /** Σ = C Cᵀ over the unknowns (all weights in species order, then the reference energies), C is M×rank. */
  covarianceFactor?: { rank: number; data: Float64Array };
  training?: TrainingMetadata;
}

export class KernelModel implements Calculator {
  readonly name = 'kernel-model';
  readonly descriptor: Descriptor;
  readonly kernel: Kernel;
  readonly refs: ReferenceSet;
  readonly referenceEnergiesEv: Float64Array;
  /** Weights in column order (length nRefs). */
  readonly weights: Float64Array;
  /** How the force uncertainty is evaluated (forceUncertainty.ts; default: exact). */
  forceUncertaintyOptions: ForceUncertaintyOptions = {};
  /**
   * Atoms per block of the kernel evaluation (energies, dE/dX, energy σ): its work arrays (prepared rows, kernel
   * matrix, gradient coefficients) are block × references instead of atoms × references — 14 MB each at 1728 atoms
   * and 1000 references. Results do not depend on it (each atom's row is computed alone).
   */
  kernelBlockAtoms = 128;
  /**
   * Energies and dE/dX without uncertainty go through `Kernel.weighted` when the kernel has it (polynomial, linear,
   * block of those): weights as a vector, no kernel matrix or broadcast coefficient matrix, work arrays reused from
   * `scratch`. false: the matrix/gradient path (kept for kernels without `weighted`, the uncertainty, and tests).
   */
  weightedKernelPath = true;
  /**
   * On the weighted path with a descriptor that writes into a target (`computeInto`), dE/dX takes the place of the
   * features in the same N × d buffer: each block of atoms' gradient goes to a block × d array and is copied over
   * that block's feature rows, which nothing reads afterwards (one N × d buffer per call instead of two; same bits).
   * false: separate feature and dE/dX buffers (A/B benches, tests).
   */
  inPlaceGradient = true;
  /** The weighted path multiplies with reference rows pre-packed once per reference set (referencePacks.ts; same
   * bits). false: plain GEMMs that pack them on every call (A/B benches). */
  packedReferences = true;
  /** Work buffers of the weighted kernel path, reused from block to block and call to call. */
  private readonly scratch = new KernelScratch();
  private directions: { key: string; dirs: UncertaintyDirections } | null = null;
  /**
   * Energy σ from K covariance directions with rigorous bounds (`directions`, energyBounds.ts; O(N·m·K) instead of
   * O(N·m·rank)), or only the exact σ of the total energy (`totalOnly`: √|Cᵀφ|², φ = Σ_i φ_i from the column sums of
   * the kernel matrices, O(N·m + M·rank), no per-atom σ). Unset (default): the exact per-atom and total energy σ.
   */
  energyUncertaintyOptions: { directions?: number; totalOnly?: boolean } = {};
  private boundPlan: { k: number; plan: EnergyBoundPlan } | null = null;
  /** State reused from call to call along a trajectory (module header); null (default): a fresh context per call. */
  workspace: ComputeWorkspace | null = null;

  constructor(readonly params: KernelModelParams) {
    this.descriptor = createDescriptor(params.descriptor);
    this.kernel = createKernel(params.kernel);
    const d = this.descriptor.width;
    params.species.forEach((s) => {
      if (s.features.length % d !== 0 || s.features.length / d !== s.weights.length)
        throw new FarfieldError('MODEL', `kernel model: species '${s.species}' has ${s.features.length} feature values and ${s.weights.length} weights; descriptor width is ${d}`);
      if (!this.descriptor.species.includes(s.species))
        throw new FarfieldError('MODEL', `kernel model: species '${s.species}' is not in the descriptor's species list [${this.descriptor.species.join(', ')}]`);
    });
    this.refs = new ReferenceSet(this.kernel, params.species.map((s) => s.species), params.species.map((s) => s.features), d);
    // references packed for the kernel's GEMMs once, species by species, so the copies they replace go early
    if (this.kernel.prepack) for (const p of this.refs.prepared) if (p.rows > 0) this.kernel.prepack(p);
    this.referenceEnergiesEv = Float64Array.from(params.species, (s) => s.referenceEnergyEv);
    this.weights = new Float64Array(this.refs.nRefs);
    params.species.forEach((s, t) => this.weights.set(s.weights, this.refs.offsets[t]));
    const cf = params.covarianceFactor;
    if (cf && cf.data.length !== cf.rank * this.refs.nColumns)
      throw new FarfieldError('MODEL', `kernel model: covariance factor has ${cf.data.length} values, expected ${this.refs.nColumns}×${cf.rank}`);
  }

  get species(): readonly string[] {
    return this.refs.species;
  }

  /** The weight directions of the force uncertainty for the current options (cached; see forceUncertainty.ts). */
  uncertaintyDirections(): UncertaintyDirections {
    const cf = this.params.covarianceFactor;
    if (!cf) throw new FarfieldError('UNSUPPORTED', 'kernel model: this model was fitted without a stored covariance, no uncertainty available');
    const o = this.forceUncertaintyOptions;
    const key = JSON.stringify([o.method ?? 'auto', o.probes ?? null, o.seed ?? null]);
    if (!this.directions || this.directions.key !== key) this.directions = { key, dirs: uncertaintyDirections(cf, this.refs.nColumns, o) };
    return this.directions.dirs;
  }

  /** The plan of the energy-σ bounds for `energyUncertaintyOptions.directions` (cached), null when unset. */
  energyBoundPlan(): EnergyBoundPlan | null {
    const k = this.energyUncertaintyOptions.directions;
    const cf = this.params.covarianceFactor;
    if (k === undefined || !cf) return null;
    if (!this.boundPlan || this.boundPlan.k !== k) this.boundPlan = { k, plan: energyBoundPlan(covarianceSpectrum(cf, this.refs.nColumns), k) };
    return this.boundPlan.plan;
  }

  calculate(structure: Structure, options: CalculateOptions = {}): CalculationResult {
    const n = structure.species.length;
    const periodic = structure.pbc[0] && structure.pbc[1] && structure.pbc[2];
    const wantF = options.forces ?? true;
    const wantS = (options.stress ?? periodic) && periodic;
    const wantU = (options.uncertainty ?? false) && this.params.covarianceFactor !== undefined;
    const wantFU = wantU && (options.forceUncertainty ?? true);
    if (options.uncertainty && !this.params.covarianceFactor)
      throw new FarfieldError('UNSUPPORTED', 'kernel model: this model was fitted without a stored covariance, no uncertainty available');
    const groups = groupAtoms(structure, this.refs.species);
    const ctx = new ComputeContext(structure, this.workspace, { strain: wantS }); // no stress: no strain derivatives
    const d = this.descriptor.width;
    // features and dE/dX live only during this call: written into buffers reused from call to call (no 2 × N × d
    // garbage per MD step); descriptors that cannot write into a target allocate as before
    const cf = wantU ? this.params.covarianceFactor! : null;
    // dE/dX in place of the features (`inPlaceGradient`): one N × d buffer instead of two (8 MB at 1728 ions, d = 584)
    const inPlace = this.inPlaceGradient && (wantF || wantS) && !cf && this.weightedKernelPath && this.kernel.weighted !== undefined && this.descriptor.computeInto !== undefined;
    let features: Float64Array, saved: unknown;
    if (this.descriptor.computeInto) {
      features = this.scratch.get('model.features', n * d);
      features.fill(0);
      saved = this.descriptor.computeInto(structure, ctx, { data: features, stride: d, offset: 0 });
    } else {
      const out = this.descriptor.compute(structure, ctx);
      features = out.features.data;
      saved = out.saved;
    }
    const energies = new Float64Array(n);
    const dEdX = inPlace ? features : wantF || wantS ? this.scratch.get('model.dEdX', n * d).fill(0) : null;
    const totalOnly = cf !== null && this.energyUncertaintyOptions.totalOnly === true;
    const phiTotal = totalOnly ? new Float64Array(this.refs.nColumns) : null;
    const plan = cf && !totalOnly ? this.energyBoundPlan() : null;
    const bounds = plan ? newEnergyBoundsOut(n, plan) : null;
    // exact energy σ: per-atom norms ‖φ_i C‖ and the sum Σ_i φ_i C, accumulated block by block (no atoms × rank array)
    const exactU = cf !== null && !plan && !totalOnly;
    const uPer = exactU ? new Float64Array(n) : null, uTot = exactU ? new Float64Array(cf.rank) : null;
    const passes: (SpeciesPass | null)[] = this.refs.species.map(() => null);
    for (let t = 0; t < this.refs.species.length; t++) {
      const all = groups.atoms[t];
      const ntAll = all.length, mt = this.refs.counts[t];
      if (ntAll === 0) continue;
      const off = this.refs.offsets[t];
      const w = this.weights.subarray(off, off + mt);
      // blocks of atoms (kernelBlockAtoms): the work arrays are O(block × references), not O(atoms × references);
      // the force uncertainty needs the whole species' kernel matrix (passes), and the energy bounds' total needs the
      // species' column sums in one piece (accumulateEnergyBounds adds ‖Σ_i φ_i‖² per call), so both keep one block
      const block = wantFU || plan ? ntAll : Math.max(1, Math.min(ntAll, this.kernelBlockAtoms));
      const weighted = this.weightedKernelPath && !cf && mt > 0 ? this.kernel.weighted : undefined;
      if (inPlace && !weighted) {
        // no references: E_i = e_t and dE/dX_i = 0 (the rows held this species' features)
        for (let i = 0; i < ntAll; i++) {
          energies[all[i]] = this.referenceEnergiesEv[t];
          features.fill(0, all[i] * d, (all[i] + 1) * d);
        }
        continue;
      }
      if (weighted) {
        // features read in place (rows = atoms of t), weights as a vector (kernelScratch.ts); dE/dX added in place,
        // or in place of the features: into a zeroed block × d array, then copied over the block's feature rows
        // (read by nothing after the block: the same bits as adding into a zeroed N × d dE/dX)
        const e = this.scratch.get('model.energy', block);
        const gb = inPlace ? this.scratch.get('model.blockGradient', block * d) : null;
        this.scratch.packReferences = this.packedReferences;
        for (let a0 = 0; a0 < ntAll; a0 += block) {
          const atoms = all.subarray(a0, Math.min(ntAll, a0 + block));
          const nt = atoms.length;
          e.fill(0, 0, nt);
          const src = { data: features, stride: d, col0: 0, index: atoms };
          const out = gb ? { data: gb.fill(0, 0, nt * d), stride: d, col0: 0, index: null } : dEdX && { data: dEdX, stride: d, col0: 0, index: atoms };
          weighted.call(this.kernel, src, nt, d, this.refs.prepared[t], w, e, out, this.scratch);
          for (let i = 0; i < nt; i++) energies[atoms[i]] = this.referenceEnergiesEv[t] + e[i];
          if (gb) for (let i = 0; i < nt; i++) features.set(gb.subarray(i * d, (i + 1) * d), atoms[i] * d);
        }
        continue;
      }
      for (let a0 = 0; a0 < ntAll; a0 += block) {
        const atoms = block === ntAll ? all : all.subarray(a0, Math.min(ntAll, a0 + block));
        const nt = atoms.length;
        const a = this.kernel.prepare(gatherRows(features, d, atoms), nt, d);
        const kmat = mt > 0 ? this.kernel.matrix(a, this.refs.prepared[t]) : new Float64Array(0);
        if (wantFU) passes[t] = { atoms, rows: a, kmat };
        for (let i = 0; i < nt; i++) {
          let e = this.referenceEnergiesEv[t];
          for (let b = 0; b < mt; b++) e += w[b] * kmat[i * mt + b];
          energies[atoms[i]] = e;
        }
        if (dEdX && mt > 0) {
          const g = new Float64Array(nt * d);
          if (this.kernel.weightedGradient) this.kernel.weightedGradient(a, this.refs.prepared[t], w, g, kmat);
          else {
            const coef = new Float64Array(nt * mt);
            for (let i = 0; i < nt; i++) coef.set(w, i * mt);
            this.kernel.gradient(a, this.refs.prepared[t], coef, g, kmat);
          }
          for (let i = 0; i < nt; i++) dEdX.set(g.subarray(i * d, (i + 1) * d), atoms[i] * d);
        }
        if (plan && bounds) accumulateEnergyBounds(plan, atoms, kmat, mt, off, this.refs.energyColumn(t), bounds);
        if (phiTotal) {
          for (let i = 0; i < nt; i++) for (let b = 0; b < mt; b++) phiTotal[off + b] += kmat[i * mt + b];
          phiTotal[this.refs.energyColumn(t)] += nt;
        }
        if (cf && uPer && uTot) {
          const r = cf.rank;
          const u = new Float64Array(nt * r);
          if (mt > 0) getLinalg().gemm(nt, r, mt, kmat, cf.data.subarray(off * r, (off + mt) * r), u);
          const erow = this.refs.energyColumn(t) * r;
          for (let i = 0; i < nt; i++) {
            let s = 0;
            for (let k = 0; k < r; k++) {
              const x = u[i * r + k] + cf.data[erow + k];
              s += x * x;
              uTot[k] += x;
            }
            uPer[atoms[i]] = Math.sqrt(s);
          }
        }
      }
    }
    let energy = 0;
    for (let i = 0; i < n; i++) energy += energies[i];
    const result: CalculationResult = { energyEv: energy, energiesEv: energies };
    if (dEdX) {
      const g = this.descriptor.vjp(structure, ctx, saved, denseUpstream(dEdX));
      if (wantF) {
        const f = new Float64Array(3 * n);
        for (let k = 0; k < 3 * n; k++) f[k] = -g.positions[k];
        result.forcesEvPerA = f;
      }
      if (wantS) {
        const v = cellVolume(structure.cell);
        result.stressEvPerA3 = Float64Array.from(g.strain, (x) => x / v);
      }
    }
    if (cf && uPer && uTot) {
      const r = cf.rank;
      let s = 0;
      for (let k = 0; k < r; k++) s += uTot[k] * uTot[k];
      result.uncertainty = { energyEv: Math.sqrt(s), energiesEv: uPer };
    }
    if (cf && phiTotal) {
      const u = new Float64Array(cf.rank);
      getLinalg().gemm(1, cf.rank, phiTotal.length, phiTotal, cf.data, u);
      let q = 0;
      for (let k = 0; k < cf.rank; k++) q += u[k] * u[k];
      result.uncertainty = { energyEv: Math.sqrt(q) };
    }
    if (plan && bounds) {
      const tot = totalEnergyBounds(plan, bounds);
      result.uncertainty = {
        energyEv: tot.estimate, energiesEv: bounds.estimate.map(Math.sqrt),
        energiesBoundsEv: { lower: bounds.lower.map(Math.sqrt), upper: bounds.upper.map(Math.sqrt), totalLower: tot.lower, totalUpper: tot.upper },
      };
    }
    if (cf && result.uncertainty) {
      if (wantFU) {
        // exact with a factorable kernel needs only C (no transposed copy of it as directions)
        const exact = (this.forceUncertaintyOptions.method ?? 'exact') === 'exact' && this.refs.kernel.factoredGradient !== undefined;
        const v = exact
          ? exactForceVariance(structure, this.descriptor, ctx, saved, this.refs, passes, cf)
          : forceVariance(structure, this.descriptor, ctx, saved, this.refs, passes, this.uncertaintyDirections(), cf);
        const fs = forceSigma(v);
        result.uncertainty.forcesEvPerA = fs.forcesEvPerA;
        result.uncertainty.maxForceEvPerA = fs.maxForceEvPerA;
      }
    }
    return result;
  }
}
