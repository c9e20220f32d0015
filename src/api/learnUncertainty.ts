/**
 * Energy, forces, stress and the per-component Bayesian force error of a kernel model in one evaluation — the adapter
 * between `farfield learn` and the model's force uncertainty.
 *
 * The model provides it (`calculate(s, {uncertainty: true}).uncertainty.forcesEvPerA`, model/forceUncertainty.ts:
 * exact over the covariance columns, or a seeded 16-probe sketch of them for larger models), and that is used.
 * `forceSigmaFromDesign` is the independent, exact form used by the tests (and kept as the fallback for a model
 * that returns no force σ), from the design rows of design.ts with unit scaling:
 * with the unknowns u = (w, e) and the posterior covariance Σ = C Cᵀ of the fit,
 *   E/N = Φ_E·u,  F_kα = Φ_{kα}·u,  σ(F_kα) = |Cᵀ Φ_{kα}| = √(Φ_{kα}ᵀ Σ Φ_{kα})       (eV, eV/Å)
 * (Φ_{kα} = ∂F_kα/∂u; the prediction is linear in u, so this is the exact posterior standard deviation of the
 * force component, parameter part only, as VASP's Bayesian error). One descriptor forward pass + M reverse passes
 * (the design block) + a (3N × M)·(M × rank) GEMM; the energy and forces come from the same rows, so no separate
 * model evaluation is needed.
 */
import { type CalculationResult, type Structure } from '../core/index.js';
import { ComputeContext } from '../descriptors/index.js';
import { getLinalg } from '../math/index.js';
import { designBlock, type KernelModel } from '../model/index.js';

export interface ForceUncertaintyResult extends CalculationResult {
  /** σ of every force component, eV/Å, 3N. */
  forceSigmaEvPerA: Float64Array;
  /** Largest per-atom norm √(σ²_x + σ²_y + σ²_z) of forceSigmaEvPerA, eV/Å (VASP's Bayesian error of a step). */
  maxForceSigmaEvPerA: number;
}

interface ModelForceUncertainty {
  forcesEvPerA?: Float64Array;
  maxForceEvPerA?: number;
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i += 3) {
    const v = Math.sqrt(a[i] ** 2 + a[i + 1] ** 2 + a[i + 2] ** 2);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/** Evaluate `model` at `s` with the per-component force σ (see the header). The model needs a covariance factor. */
export function calculateWithForceUncertainty(model: KernelModel, s: Structure, options: { stress?: boolean } = {}): ForceUncertaintyResult {
  const periodic = s.pbc.every((p) => p);
  const wantS = (options.stress ?? periodic) && periodic;
  const viaModel = model.calculate(s, { forces: true, stress: wantS, uncertainty: true });
  const u: ModelForceUncertainty | undefined = viaModel.uncertainty;
  if (u?.forcesEvPerA) return { ...viaModel, forceSigmaEvPerA: u.forcesEvPerA, maxForceSigmaEvPerA: u.maxForceEvPerA ?? maxOf(u.forcesEvPerA) };
  return { ...viaModel, ...forceSigmaFromDesign(model, s) };
}

/** σ(F_kα) from the design rows (the fallback of `calculateWithForceUncertainty`). */
export function forceSigmaFromDesign(model: KernelModel, s: Structure): { forceSigmaEvPerA: Float64Array; maxForceSigmaEvPerA: number } {
  const cf = model.params.covarianceFactor;
  const n = s.species.length;
  if (!cf) {
    const nan = new Float64Array(3 * n).fill(NaN);
    return { forceSigmaEvPerA: nan, maxForceSigmaEvPerA: NaN };
  }
  const probe: Structure = { ...s, labels: { forcesEvPerA: new Float64Array(3 * n) } };
  const ctx = new ComputeContext(probe);
  const out = model.descriptor.compute(probe, ctx);
  const refs = model.refs;
  const blk = designBlock(probe, model.descriptor, ctx, out.features.data, out.saved, refs,
    { energy: 1, forces: 1, stress: 1, baselineEv: new Float64Array(refs.species.length) },
    { useEnergy: false, useForces: true, useStress: false, materialise: true }); // materialised upstreams: faster for one structure (measured)
  const m = refs.nColumns, r = cf.rank;
  const proj = new Float64Array(3 * n * r);
  getLinalg('auto', { threads: 1 }).gemm(3 * n, r, m, blk.phi, cf.data, proj);
  const sigma = new Float64Array(3 * n);
  for (let k = 0; k < 3 * n; k++) {
    let q = 0;
    for (let j = 0; j < r; j++) q += proj[k * r + j] ** 2;
    sigma[k] = Math.sqrt(q);
  }
  return { forceSigmaEvPerA: sigma, maxForceSigmaEvPerA: maxOf(sigma) };
}
