/**
 * On-the-fly learning with the learned-charge kinds (`learn --descriptors sr+q|sr+qeq|sr+lr+q|sr+lr+qeq`; issue 18
 * item 4). The charge fit is a Levenberg–Marquardt / variable-projection fit (model/chargeFit.ts), not linear normal
 * equations, so it has no incremental form: every refit of a charge kind runs the offline fit (`fitAnyModel`, the
 * code path of `fit` and `compare`) on the whole training set collected so far, and a restore refits once on the
 * frames fitted at the checkpoint (same frames, same deterministic fit → the same model).
 *
 * Uncertainty: only the ε part has a posterior (docs/charges.md; the charge weights are point estimates). The
 * learn threshold therefore uses the force σ and the energy σ of the ε part, i.e. the kernel model
 * ε(X_i) = e_t + Σ_b w_b K(X_i, X_b) stored in the charge model's `energy` block — its σ(F_kα) = |Cᵀ ∂ε_total/∂r_kα|
 * with the ε fit's covariance factor C (learnUncertainty.ts) — while energy, forces and stress of the step come from
 * the full charge model (ε + electrostatics of the predicted charges).
 */
import { FarfieldError, type Structure } from '../core/index.js';
import { ChargeModel, KernelModel, type FittedModel } from '../model/index.js';
import { prepareFitConfig } from './fit.js';
import type { LearnFitConfig, ResolvedThresholdConfig } from './learnConfig.js';
import type { ThresholdState } from './learnThreshold.js';
import { evaluateStep, type StepEvaluation } from './learnUncertainty.js';
import { fitAnyModel, isChargeKind } from './modelKinds.js';

export { isChargeKind };

/** The part of a model that has a posterior: the model itself, or the ε kernel model of a charge model. */
export function posteriorPart(model: FittedModel): KernelModel {
  return model instanceof ChargeModel ? new KernelModel(model.params.energy) : model;
}

/** Refuse what a charge-kind run cannot do (a start model: its descriptor would replace the kind's preset). */
export function checkChargeRun(kind: string, startModel: boolean): void {
  if (isChargeKind(kind) && startModel)
    throw new FarfieldError('INVALID_INPUT', `learn: --model (a start model) cannot be combined with the learned-charge kind '${kind}'; `
      + 'every refit of a charge kind is a full fit from the kind\'s descriptor preset — drop --model or choose a descriptor preset');
}

/**
 * Fit a charge kind on `frames` as `fit --descriptors KIND` would (prepareFitConfig + fitAnyModel), with the run's
 * species universe and its fit settings: weights, solver, charges (model/chargeFit.ts options), and maxReferences as
 * the ε references per species.
 */
export function fitChargeKind(kind: string, frames: readonly Structure[], species: string[], hypers: Record<string, unknown> | undefined,
  f: LearnFitConfig): ChargeModel {
  const { fitConfig } = prepareFitConfig(frames, {
    descriptors: kind, species, ...(hypers ? { descriptorHypers: hypers } : {}),
    ...(f.weights ? { weights: f.weights } : {}), ...(f.solver ? { solver: f.solver } : {}),
    ...(f.maxReferences ? { selection: { count: f.maxReferences } } : {}),
    ...(f.charges ? { charges: f.charges } : {}),
  });
  const { model } = fitAnyModel(kind, frames, fitConfig);
  if (!(model instanceof ChargeModel)) throw new FarfieldError('MODEL', `learn: the fit of '${kind}' did not give a charge model`);
  return model;
}

/**
 * A learn step of a charge model: σ (force, screened as for kernel models, and energy) from the ε part `eps`
 * (see the header), energy, forces and stress from the charge model.
 */
export function evaluateChargeStep(model: ChargeModel, eps: KernelModel, s: Structure, st: ThresholdState, c: ResolvedThresholdConfig,
  step: number): StepEvaluation {
  const periodic = s.pbc.every((p) => p);
  const sigma = evaluateStep(eps, s, st, c, step, { stress: false });
  const full = model.calculate(s, { forces: true, stress: periodic });
  return { ...full, maxForceSigmaEvPerA: sigma.maxForceSigmaEvPerA, forceSigmaExact: sigma.forceSigmaExact, energySigmaEvPerAtom: sigma.energySigmaEvPerAtom };
}
