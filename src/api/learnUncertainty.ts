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
import type { ResolvedThresholdConfig } from './learnConfig.js';
import type { ThresholdState } from './learnThreshold.js';

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

/** One learn step's model evaluation: energy, forces, stress, σ_max and the energy-σ screen. */
export interface StepEvaluation extends CalculationResult {
  /** σ_max, eV/Å: exact when `forceSigmaExact`, else the screen's estimate κ·ε (below screenMargin × threshold). */
  maxForceSigmaEvPerA: number;
  forceSigmaExact: boolean;
  /** ε: σ of the total energy / N, eV/atom (exact; `energyUncertaintyOptions.totalOnly`, one M × rank GEMV). */
  energySigmaEvPerAtom: number;
}

/**
 * The model's evaluation at a learn step (VASP-style screening; the force σ costs 7–25 × a force call, the bounds
 * ≈ 0.05 ×, bench/forceUncertainty.bench.ts):
 * 1. energy, forces, stress and ε = σ(E)/N, exact and almost free (the total's feature row is the column sums of the
 *    kernel matrices: one M × rank GEMV; the per-atom σ would be N·m·rank and is dominated by directions the data
 *    cannot fix, e.g. the split of the energy between the species' reference energies at fixed composition);
 * 2. the exact force σ (a second, full evaluation) only when `forceSigma` is 'exact', when no ratio κ is known yet
 *    (the first step of a model), every `screenRefresh` steps, or when κ·ε ≥ screenMargin × threshold, with κ the
 *    largest ratio σ_F,max / ε over the last `screenHistory` exact evaluations of this model; otherwise σ_max is
 *    reported as κ·ε (< screenMargin × threshold, so the force criterion keeps the model's step).
 * What it guarantees: ε is exact (energy criterion), σ_max is exact wherever it can
 * reach the threshold under the assumption that σ_F,max / ε does not grow by more than 1/screenMargin between exact
 * evaluations (measured in docs/uncertainty.md). `st.screenRatios` is cleared by the caller at a refit.
 */
export function evaluateStep(model: KernelModel, s: Structure, st: ThresholdState, c: ResolvedThresholdConfig, step: number,
  options: { stress?: boolean } = {}): StepEvaluation {
  const periodic = s.pbc.every((p) => p);
  const wantS = (options.stress ?? periodic) && periodic;
  const before = model.energyUncertaintyOptions;
  model.energyUncertaintyOptions = { totalOnly: true };
  try {
    return screenedStep(model, s, st, c, step, wantS);
  } finally {
    model.energyUncertaintyOptions = before;
  }
}

function screenedStep(model: KernelModel, s: Structure, st: ThresholdState, c: ResolvedThresholdConfig, step: number, wantS: boolean): StepEvaluation {
  const cheap = model.calculate(s, { forces: true, stress: wantS, uncertainty: true, forceUncertainty: false });
  const eps = (cheap.uncertainty?.energyEv ?? NaN) / s.species.length;
  const ratios = (st.screenRatios ??= []);
  const kappa = ratios.length > 0 ? Math.max(...ratios) : NaN;
  const estimate = kappa * eps;
  const needExact = c.forceSigma === 'exact' || !Number.isFinite(estimate) || step - (st.lastExactStep ?? -1e9) >= c.screenRefresh
    || estimate >= c.screenMargin * st.thresholdEvPerA;
  if (!needExact) return { ...cheap, maxForceSigmaEvPerA: estimate, forceSigmaExact: false, energySigmaEvPerAtom: eps };
  const full = calculateWithForceUncertainty(model, s, { stress: wantS });
  st.lastExactStep = step;
  if (eps > 0 && Number.isFinite(full.maxForceSigmaEvPerA)) {
    ratios.push(full.maxForceSigmaEvPerA / eps);
    while (ratios.length > c.screenHistory) ratios.shift();
  }
  return { ...cheap, maxForceSigmaEvPerA: full.maxForceSigmaEvPerA, forceSigmaExact: true, energySigmaEvPerAtom: eps };
}
