/**
 * Evaluate a model (any Calculator) on labelled structures: the JSON summary `farfield eval` prints, plus the full
 * per-property and per-species statistics and parity data (analysis/metrics.ts).
 * Units in the summary: energy meV/atom, forces meV/Å, stress meV/Å³; RMSPE = RMSE / std(reference) · 100.
 */
import type { Calculator, ProgressCallback, Structure } from '../core/index.js';
import { datasetErrors, type DatasetErrors, type ErrorStats, type PredictedLabels } from '../analysis/index.js';

export interface PropertyErrors {
  rmse: number;
  mae: number;
  rmspe_percent: number | null;
}

export interface EvalSummary {
  n_structures: number;
  energy: { rmse_meV_per_atom: number; mae_meV_per_atom: number; rmspe_percent: number | null } | null;
  forces: { rmse_meV_per_A: number; mae_meV_per_A: number; rmspe_percent: number | null } | null;
  stress: { rmse_meV_per_A3: number; mae_meV_per_A3: number; rmspe_percent: number | null } | null;
}

const pct = (s: ErrorStats): number | null => (Number.isFinite(s.rmspe) ? s.rmspe : null);

export function summarizeErrors(e: DatasetErrors): EvalSummary {
  return {
    n_structures: e.structures,
    energy: e.energy ? { rmse_meV_per_atom: 1000 * e.energy.rmse, mae_meV_per_atom: 1000 * e.energy.mae, rmspe_percent: pct(e.energy) } : null,
    forces: e.forces ? { rmse_meV_per_A: 1000 * e.forces.rmse, mae_meV_per_A: 1000 * e.forces.mae, rmspe_percent: pct(e.forces) } : null,
    stress: e.stress ? { rmse_meV_per_A3: 1000 * e.stress.rmse, mae_meV_per_A3: 1000 * e.stress.mae, rmspe_percent: pct(e.stress) } : null,
  };
}

export interface EvaluateResult {
  summary: EvalSummary;
  details: DatasetErrors;
  predictions: PredictedLabels[];
}

/** The labels a structure needs predicted: forces only if labelled, stress only if labelled and periodic. */
export function predictLabels(model: Calculator, s: Structure): PredictedLabels {
  const r = model.calculate(s, { forces: s.labels.forcesEvPerA !== undefined, stress: s.labels.stressEvPerA3 !== undefined && s.pbc.every((p) => p) });
  return { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3 };
}

/** Predict every structure (forces only if labelled, stress only if labelled and periodic) and compare. */
export function evaluateModel(model: Calculator, structures: readonly Structure[], onProgress?: ProgressCallback): EvaluateResult {
  const predictions: PredictedLabels[] = structures.map((s, k) => {
    const p = predictLabels(model, s);
    onProgress?.({ phase: 'evaluate', done: k + 1, total: structures.length });
    return p;
  });
  const details = datasetErrors(structures, predictions);
  return { summary: summarizeErrors(details), details, predictions };
}
