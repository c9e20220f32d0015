/**
 * Messages between the page (main.ts) and its compute worker (worker.ts). Plain structured-clone data only.
 * Every request carries an `id`; the worker answers with progress/stage/frame messages and exactly one
 * `result` or `error` for that id. Cancelling = terminating the worker (the page starts a fresh one).
 */
import type { CompareResults } from '../src/report/index.js';

/** What the page needs to draw one structure (Å; cell rows; symbols per atom). */
export interface FrameView {
  symbols: string[];
  positions: Float64Array;
  cell: Float64Array;
  pbc: [boolean, boolean, boolean];
  energyEv?: number;
}

export interface DatasetView {
  name: string;
  format: string;
  frames: FrameView[];
  species: string[];
  labels: { energy: number; forces: number; stress: number };
}

export interface FitRequest {
  models: string[];
  nTrain: number;
  nTest: number;
  /** Reference environments per species. */
  references: number;
  /** Learning-curve points (training sizes n/2^k). */
  curvePoints: number;
  seed: number;
}

export interface MdRequest {
  model: string;
  frame: number;
  steps: number;
  timestepFs: number;
  temperatureK: number;
  thermostat: 'nve' | 'bussi' | 'langevin';
  /** Send a frame every k steps. */
  every: number;
}

/** On-the-fly learning with a built-in reference potential (api/learnSession.ts). */
export interface LearnRequest {
  engine: 'fumi-tosi' | 'buckingham-zro2';
  frame: number;
  steps: number;
  timestepFs: number;
  temperatureK: number;
  /** Labelled candidates per refit (ML_MCONF_NEW) and minimum steps between calls (ML_NMDINT). */
  batch: number;
  minInterval: number;
  /** Send the log rows every k steps. */
  every: number;
}

/** One step of the learn log (the columns of log.csv). */
export interface LearnRowView {
  step: number;
  temperatureK: number;
  sigmaEvPerA: number;
  thresholdEvPerA: number;
  called: boolean;
  refit: boolean;
}

export type Request =
  | { id: number; type: 'load'; name: string; data: ArrayBuffer }
  | { id: number; type: 'toy'; frames: number; repeat: number }
  | { id: number; type: 'describe'; frame: number; kind: string }
  | { id: number; type: 'fit'; request: FitRequest }
  | { id: number; type: 'md'; request: MdRequest }
  | { id: number; type: 'learn'; request: LearnRequest }
  | { id: number; type: 'download'; what: 'model' | 'predictions'; model: string }
  /** Ask a running MD job to stop after its current chunk (keeps the worker and its models). */
  | { id: number; type: 'stop' };

export interface DescribeView {
  kind: string;
  rows: number;
  cols: number;
  labels: string[];
  data: Float64Array;
}

export interface FitView {
  results: CompareResults;
  /** Names of the fitted models kept in the worker (largest training size). */
  models: string[];
  /** The threads the linear algebra ran on (1 or 2) and whether the page is cross-origin isolated. */
  threads: number;
}

export interface MdThermo {
  step: number;
  timeFs: number;
  temperatureK: number;
  potentialEv: number;
  conservedEv: number;
}

export type Reply =
  | { id: number; type: 'progress'; phase: string; done: number; total: number; message?: string }
  | { id: number; type: 'stage'; label: string }
  | { id: number; type: 'frame'; positions: Float64Array; cell: Float64Array; thermo: MdThermo }
  | { id: number; type: 'learn-rows'; rows: LearnRowView[]; calls: number; refits: number }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; message: string };

/** Result payloads by request type. */
export interface ResultTypes {
  load: DatasetView;
  toy: DatasetView;
  describe: DescribeView;
  fit: FitView;
  md: { steps: number; thermo: MdThermo[]; wallS: number; stopped: boolean };
  learn: { steps: number; calls: number; refits: number; references: Record<string, number>; wallS: number; stopped: boolean };
  stop: null;
  download: { fileName: string; text: string };
}
