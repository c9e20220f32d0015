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

/** RMSE, MAE and RMSPE of one quantity on one test set. */
export interface ErrorStats {
  rmse: number;
  mae: number;
  /** RMSE / std(reference) × 100; null when the reference has zero spread. */
  rmspePercent: number | null;
  /** Number of compared values (structures for energy, components for forces/stress). */
  count: number;
}

/** One fit: a model (descriptor preset) at one training-set size, evaluated on the test set. */
export interface RunResult {
  model: string;
  trainSize: number;
  /** Wall time of the fit, s. */
  fitTimeS: number;
  /** Wall time of predicting the test set, s. */
  predictTimeS: number;
  /** meV/atom. */
  energy: ErrorStats | null;
  /** meV/Å. */
  forces: ErrorStats | null;
  /** meV/Å³. */
  stress: ErrorStats | null;
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
    split: { seed: number; testFromTrain: boolean; validationSize: number; note?: string };
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
