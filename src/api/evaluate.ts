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

/** Energy errors, meV/atom. Keys follow docs/conventions.md; the snake_case keys are the pre-0.2 names, kept one
 * release as deprecated aliases (same values). */
export interface EnergyErrorSummary {
  rmseMevPerAtom: number;
  maeMevPerAtom: number;
  rmspePercent: number | null;
  /** @deprecated use rmseMevPerAtom */
  rmse_meV_per_atom: number;
  /** @deprecated use maeMevPerAtom */
  mae_meV_per_atom: number;
  /** @deprecated use rmspePercent */
  rmspe_percent: number | null;
}

/** Force-component errors, meV/Å (deprecated aliases as in EnergyErrorSummary). */
export interface ForceErrorSummary {
  rmseMevPerA: number;
  maeMevPerA: number;
  rmspePercent: number | null;
  /** @deprecated use rmseMevPerA */
  rmse_meV_per_A: number;
  /** @deprecated use maeMevPerA */
  mae_meV_per_A: number;
  /** @deprecated use rmspePercent */
  rmspe_percent: number | null;
}

/** Stress-component errors, meV/Å³ (deprecated aliases as in EnergyErrorSummary). */
export interface StressErrorSummary {
  rmseMevPerA3: number;
  maeMevPerA3: number;
  rmspePercent: number | null;
  /** @deprecated use rmseMevPerA3 */
  rmse_meV_per_A3: number;
  /** @deprecated use maeMevPerA3 */
  mae_meV_per_A3: number;
  /** @deprecated use rmspePercent */
  rmspe_percent: number | null;
}

/** What `farfield eval --json` prints (and fit's `errors`). */
export interface EvalSummary {
  /** Number of structures evaluated. */
  structures: number;
  energy: EnergyErrorSummary | null;
  forces: ForceErrorSummary | null;
  stress: StressErrorSummary | null;
  /** @deprecated use structures */
  n_structures: number;
}

const pct = (s: ErrorStats): number | null => (Number.isFinite(s.rmspe) ? s.rmspe : null);

export function summarizeErrors(e: DatasetErrors): EvalSummary {
  const en = e.energy, f = e.forces, s = e.stress;
  return {
    structures: e.structures,
    energy: en ? {
      rmseMevPerAtom: 1000 * en.rmse, maeMevPerAtom: 1000 * en.mae, rmspePercent: pct(en),
      rmse_meV_per_atom: 1000 * en.rmse, mae_meV_per_atom: 1000 * en.mae, rmspe_percent: pct(en),
    } : null,
    forces: f ? {
      rmseMevPerA: 1000 * f.rmse, maeMevPerA: 1000 * f.mae, rmspePercent: pct(f),
      rmse_meV_per_A: 1000 * f.rmse, mae_meV_per_A: 1000 * f.mae, rmspe_percent: pct(f),
    } : null,
    stress: s ? {
      rmseMevPerA3: 1000 * s.rmse, maeMevPerA3: 1000 * s.mae, rmspePercent: pct(s),
      rmse_meV_per_A3: 1000 * s.rmse, mae_meV_per_A3: 1000 * s.mae, rmspe_percent: pct(s),
    } : null,
    n_structures: e.structures,
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
