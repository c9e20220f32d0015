/**
 * Predict with a model: returns new structures (inputs are not mutated) whose labels are the predictions — energy
 * (eV), forces (eV/Å), stress (eV/Å³, periodic only) — with per-atom energies in `arrays.energies` (eV) and, when
 * asked and available, `info.energy_uncertainty` (eV, std of the total energy), `arrays.energy_uncertainty`
 * (eV, per atom), `arrays.force_uncertainty` (eV/Å, 3 columns: the standard deviation of each force component) and
 * `info.max_force_uncertainty` (eV/Å, the largest per-atom norm of that σ vector). and for learned-charge
 * models the predicted charges in `labels.charges` (e; the `charges` column). Written as extended XYZ these are
 * ASE-readable properties.
 */
import { FarfieldError, type Calculator, type ProgressCallback, type Structure } from '../core/index.js';

export interface PredictOptions {
  forces?: boolean;
  stress?: boolean;
  uncertainty?: boolean;
  /** With `uncertainty`: also the per-atom force σ (default true). */
  forceUncertainty?: boolean;
  onProgress?: ProgressCallback;
}

/** The prediction for one structure as a new structure (see the module header). */
export function predictStructure(model: Calculator, s: Structure, options: PredictOptions = {}): Structure {
  const periodic = s.pbc.every((p) => p);
  const r = model.calculate(s, { forces: options.forces ?? true, stress: (options.stress ?? true) && periodic, uncertainty: options.uncertainty ?? false, forceUncertainty: options.forceUncertainty ?? true });
  const out: Structure = { ...s, info: { ...s.info }, arrays: { ...s.arrays }, labels: { energyEv: r.energyEv } };
  if (r.forcesEvPerA) out.labels.forcesEvPerA = r.forcesEvPerA;
  if (r.stressEvPerA3) out.labels.stressEvPerA3 = r.stressEvPerA3;
  if (r.energiesEv) out.arrays.energies = { type: 'R', width: 1, data: r.energiesEv };
  if (r.charges) out.labels.charges = r.charges;
  if (r.uncertainty?.energyEv !== undefined) out.info.energy_uncertainty = r.uncertainty.energyEv;
  if (r.uncertainty?.energiesEv) out.arrays.energy_uncertainty = { type: 'R', width: 1, data: r.uncertainty.energiesEv };
  if (r.uncertainty?.forcesEvPerA) out.arrays.force_uncertainty = { type: 'R', width: 3, data: r.uncertainty.forcesEvPerA };
  if (r.uncertainty?.maxForceEvPerA !== undefined) out.info.max_force_uncertainty = r.uncertainty.maxForceEvPerA;
  return out;
}

export function predictStructures(model: Calculator, structures: readonly Structure[], options: PredictOptions = {}): Structure[] {
  return structures.map((s, k) => {
    const out = predictStructure(model, s, options);
    options.onProgress?.({ phase: 'predict', done: k + 1, total: structures.length });
    return out;
  });
}
