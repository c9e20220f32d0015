/**
 * The results of a model comparison (`farfield compare`), as written to `results.json` and rendered to
 * `index.html`. Plain JSON data; units are in the field names or documented here:
 *  - energy errors in meV/atom (of the total energy divided by the number of atoms),
 *  - force errors in meV/Å (per Cartesian component),
 *  - stress errors in meV/Å³ (per component of the 3×3 tensor),
 *  - RMSPE = RMSE / std(reference) × 100 % (the paper's measure; std over the test set, population form).
 */

export const RESULTS_FORMAT = 'farfield-compare-results';
export const RESULTS_VERSION = 1;

/** Unit suffix of the RMSE and MAE of each label type (docs/conventions.md): meV/atom, meV/Å, meV/Å³. */
export const ERROR_UNITS = { energy: 'MevPerAtom', forces: 'MevPerA', stress: 'MevPerA3' } as const;

interface ErrorStatsCommon {
  /** RMSE / std(reference) × 100; null when the reference has zero spread. */
  rmspePercent: number | null;
  /** Number of compared values (structures for energy, components for forces/stress). */
  count: number;
  /** @deprecated the RMSE under its pre-0.2 name (no unit in the name), kept one release: use rmse<Unit>. */
  rmse: number;
  /** @deprecated the MAE under its pre-0.2 name, kept one release: use mae<Unit>. */
  mae: number;
}
/** Energy errors on one test set, meV/atom. */
export interface EnergyErrorStats extends ErrorStatsCommon { rmseMevPerAtom: number; maeMevPerAtom: number }
/** Force-component errors on one test set, meV/Å. */
export interface ForceErrorStats extends ErrorStatsCommon { rmseMevPerA: number; maeMevPerA: number }
/** Stress-component errors on one test set, meV/Å³. */
export interface StressErrorStats extends ErrorStatsCommon { rmseMevPerA3: number; maeMevPerA3: number }
/** RMSE, MAE and RMSPE of one quantity on one test set. */
export type ErrorStats = EnergyErrorStats | ForceErrorStats | StressErrorStats;

/** The RMSE or MAE of `target` in its unit (ERROR_UNITS). */
export function errorValue(s: ErrorStats, target: LabelTarget, stat: 'rmse' | 'mae'): number {
  return (s as unknown as Record<string, number>)[stat + ERROR_UNITS[target]];
}

/** One fit: a model (descriptor preset) at one training-set size, evaluated on the test set. */
export interface RunResult {
  model: string;
  trainSize: number;
  /** Wall time of the fit, s. */
  fitTimeS: number;
  /** Wall time of predicting the test set, s. */
  predictTimeS: number;
  energy: EnergyErrorStats | null;
  forces: ForceErrorStats | null;
  stress: StressErrorStats | null;
  /** Number of reference environments per species actually used. */
  references?: Record<string, number>;
}

/** Reference vs predicted values on the test set for the parity plots (subsampled). */
export interface ParityData {
  model: string;
  trainSize: number;
  /** Energies per atom, eV/atom. */
  energy: { ref: number[]; pred: number[]; total: number };
  /** Force components, eV/Å; `total` is the number before subsampling. */
  forces: { ref: number[]; pred: number[]; total: number };
  /** Force-component errors pred − ref in meV/Å per species (subsampled). */
  forceErrorsBySpecies: Record<string, number[]>;
}

/** A label type used in fitting and evaluation. */
export type LabelTarget = 'energy' | 'forces' | 'stress';

export interface DatasetInfo {
  /** File path as given. */
  file: string;
  structures: number;
  atoms: number;
  species: string[];
  /** Which labels the set carries: counts of structures with energy / forces / stress. */
  labels: { energy: number; forces: number; stress: number };
}

/** A hyperparameter tuned on the validation split (never on the test set). */
export interface TuningRecord {
  model: string;
  /** Dotted name, e.g. 'lode.weight'. */
  parameter: string;
  /** Tried values and the validation score of each (force RMSE in meV/Å unless `metric` says otherwise). */
  tried: { value: number; score: number }[];
  chosen: number;
  metric: string;
  trainSize: number;
  validationSize: number;
  /** A joint search (sr+q's charge width × force weight): every grid point and its score. */
  grid?: { values: Record<string, number>; score: number; energyRmspe?: number; forceRmspe?: number }[];
}

export interface CompareResults {
  format: typeof RESULTS_FORMAT;
  version: typeof RESULTS_VERSION;
  title: string;
  createdAt: string;
  createdBy: string;
  /** The command line that produced the results, if known. */
  command?: string;
  dataset: {
    train: DatasetInfo;
    test: DatasetInfo;
    /** How the test (and validation) sets were obtained. */
    split: {
      seed: number; testFromTrain: boolean; validationSize: number; note?: string;
      /** Frame indices (0-based, in the data file) of the validation split and, when held out from it, of the test
       * set (absent in results written before these fields existed). */
      validationFrames?: number[]; testFrames?: number[];
    };
    /** Labels used in fitting and evaluation: the energy's source ('energy' = the frames' energy label, else an info
     * key) and the label types. Absent in results written before this field existed (= energy, all types). */
    labels?: { energyKey: string; targets: LabelTarget[] };
  };
  models: string[];
  trainSizes: number[];
  runs: RunResult[];
  /** Parity data per model, at the largest training size. */
  parity: ParityData[];
  hyperparameters: {
    /** Settings shared by every model (kernel, solver, selection, weights, …). */
    common: Record<string, unknown>;
    /** Per model: the descriptor spec (the only intended difference). */
    perModel: Record<string, unknown>;
    tuned: TuningRecord[];
  };
  /** Free-form notes (warnings, skipped runs). */
  notes: string[];
}

/** The files a report was written to (results.json or rdf.json, and index.html, inside `dir`). */
export interface WrittenReport {
  dir: string;
  json: string;
  html: string;
}
