/**
 * Library verb `compareModels`: the paper's experiment. Several descriptor presets ('sr', 'sr+lr', 'sr+lode', …)
 * are fitted on identical training subsets with identical hyperparameters (kernel, reference selection, solver,
 * row weights, species universe) — only the descriptor differs — and evaluated on the same test set. Output: a
 * CompareResults object (report/types.ts), optionally written as results.json + index.html.
 *
 * Splits (all from one seeded permutation, so every model sees the same structures):
 *  - test: the `test` structures if given, else the first ⌈testFraction·n⌉ structures of the permutation;
 *  - validation: the next `validationSize` structures of the remaining pool (only when a hyperparameter is tuned);
 *    it is never used for training the reported models nor taken from the test set;
 *  - training subsets: nested prefixes of the rest, one per requested size (a learning curve, not re-sampled).
 * Tuning: the block weight β of 'sr+lode' (X = (X_sr, √β X_lode); the paper tuned it) is chosen from a list of
 * candidates by fitting at one training size and scoring on the validation split; score = energy RMSPE + force
 * RMSPE (%) (whichever exist). The same search is available for 'sr+lr' (`lrWeights`; off by default: the paper
 * needed no scaling for its FKK block, and with the model's default kernel for long-range blocks — a whitened
 * linear kernel on balanced blocks — β hardly matters). A list of one value fixes β without a search.
 * 'sr+q' (and every learned-charge kind, e.g. 'sr+lr+q', each its own search) is tuned the same way over a grid
 * of charge widths s (`chargeWidths` → charges.sigmaA) × force-row weights W_F (`chargeForceWeights` →
 * weights.forces of that model only): every grid point is fitted at the tuning size and
 * scored on the validation split, the lowest score wins; one record per parameter, each value's score being the best
 * over the other parameter (the full grid is in the record's `grid`).
 * Fit time = wall time of `fitKernelModel` (descriptors, selection, normal equations, solve); test predictions
 * are timed separately.
 * Labels (`energyKey`, `targets`): the energy label may come from another per-frame info key (e.g. the dimers'
 * `inter_energy`), and the label types used can be restricted (e.g. energy only, when the file's forces are not
 * the gradient of that energy). Both apply to training, validation and test alike: the structures are copied with
 * only the selected labels (so evaluation reports only them), and excluded types also get weight 0 in the fit (the
 * fit's own switch that drops a row type). The report records the key and targets (`dataset.labels`).
 */
import { FarfieldError, Rng, type ProgressCallback, type Structure } from '../core/index.js';
import type { DescriptorSpec } from '../descriptors/index.js';
import { DEFAULT_SOLVER, type FittedModel } from '../model/index.js';
import { CHARGE_MODEL_KINDS, descriptorPresetOf, fitAnyModel, isChargeKind, kernelSpecOf, referenceCountsOf } from './modelKinds.js';
import type { ErrorStats as MetricStats } from '../analysis/index.js';
import { DESCRIPTOR_PRESETS, sortSpecies } from './describe.js';
import { longRangeHypersFor, withLongRangeNote } from './longRangeChannels.js';
import { evaluateModel } from './evaluate.js';
import { resolveDescriptor, type FitModelConfig } from './fit.js';
import { unknownNameMessage, validateFitConfig } from './validate.js';
import { baseName } from '../io/index.js';
import {
  ERROR_UNITS, RESULTS_FORMAT, RESULTS_VERSION, type WrittenReport, type CompareResults, type DatasetInfo, type ErrorStats, type LabelTarget, type ParityData, type RunResult, type TuningRecord,
} from '../report/index.js';

export const DEFAULT_MODELS = ['sr', 'sr+lr', 'sr+lode'];
export const DEFAULT_TRAIN_SIZES = [25, 50, 100, 200];
/** Candidate LODE block weights β (tuned on the validation split). */
export const DEFAULT_LODE_WEIGHTS = [0.1, 1, 10];
/** Candidate FKK block weights β of 'sr+lr' (empty: no search, the preset's β = 1). */
export const DEFAULT_LR_WEIGHTS: number[] = [];
/** Candidate charge widths s (Å) and force weights W_F of the learned-charge kinds (empty: no search, the
 * configuration's values). */
export const DEFAULT_CHARGE_WIDTHS: number[] = [];
export const DEFAULT_CHARGE_FORCE_WEIGHTS: number[] = [];
/** Label types a comparison can fit and evaluate. */
export const LABEL_TARGETS: readonly LabelTarget[] = ['energy', 'forces', 'stress'];

export interface CompareOptions {
  /** Labelled structures, or a file path. */
  data: string | readonly Structure[];
  /** Separate test set (structures or path); default: held out from `data`. */
  test?: string | readonly Structure[];
  /** Per-frame info key (number, eV) used as the energy label in fitting and evaluation (default: the `energy` label). */
  energyKey?: string;
  /** Label types used in fitting and evaluation (default: all three; a type a frame lacks is simply absent). */
  targets?: LabelTarget[];
  models?: string[];
  trainSizes?: number[];
  seed?: number;
  /** Fraction of `data` held out as the test set when no `test` is given (default 0.2). */
  testFraction?: number;
  /** Validation structures carved from the training pool when tuning (default: max(5, 10 % of the pool), ≤ 50). */
  validationSize?: number;
  /** Settings shared by every model (kernel, selection, solver, weights, uncertainty …). */
  fit?: Omit<FitModelConfig, 'descriptors' | 'descriptorHypers' | 'species'>;
  /** Preset hypers per model name (e.g. {'sr+lr': {lr: {...}}}); a tuned weight overrides its key. */
  descriptorHypers?: Record<string, Record<string, unknown>>;
  /** Candidate β for 'sr+lode' (default DEFAULT_LODE_WEIGHTS); an empty list or one value disables tuning. */
  lodeWeights?: number[];
  /** Candidate β for 'sr+lr' (default DEFAULT_LR_WEIGHTS); one value fixes it. */
  lrWeights?: number[];
  /** Candidate Gaussian charge widths s (`charges.sigmaA`, Å) of each learned-charge kind, tuned on the validation
   * split (default: none, the configuration's width). With `chargeForceWeights` the two are searched jointly (every pair of the grid). */
  chargeWidths?: number[];
  /** Candidate force-row weights W_F of each learned-charge kind (`weights.forces`), tuned with `chargeWidths` (default: none). */
  chargeForceWeights?: number[];
  /** Training size used for tuning (default: the largest requested size that leaves room for validation). */
  tuneTrainSize?: number;
  /** Force components kept for the parity plots (default 2000). */
  parityPoints?: number;
  /** Write results.json + index.html here. */
  out?: string;
  title?: string;
  command?: string;
  /** Names of the data/test files for the report when structures are passed directly. */
  dataName?: string;
  testName?: string;
  onProgress?: ProgressCallback;
  /** Called when a new fit/evaluation starts (e.g. 'sr+lr, 50 train (3/12)') and for notes. */
  onStage?: (label: string) => void;
  /** Called after each run with its result. */
  onRun?: (run: RunResult) => void;
  /** Called with each fitted model (e.g. to keep the largest one for MD or download; the web page does). */
  onModel?: (model: string, trainSize: number, fitted: FittedModel) => void;
}

/** What a comparison needs from a file system (compareFiles.ts binds it; a host without one passes none and gives
 * structures, not paths, and no report folder). */
export interface CompareFiles {
  load(path: string): readonly Structure[];
  /** Checks before any work that the report folder can be written. */
  checkReportDir(dir: string): void;
  writeReport(dir: string, results: CompareResults): WrittenReport;
}

export interface CompareOutput {
  results: CompareResults;
  written: WrittenReport | null;
}

function now(): number {
  return performance.now();
}

function datasetInfo(file: string, s: readonly Structure[]): DatasetInfo {
  return {
    file,
    structures: s.length,
    atoms: s.reduce((p, x) => p + x.species.length, 0),
    species: sortSpecies(s.flatMap((x) => x.symbols)),
    labels: {
      energy: s.filter((x) => x.labels.energyEv !== undefined).length,
      forces: s.filter((x) => x.labels.forcesEvPerA !== undefined).length,
      stress: s.filter((x) => x.labels.stressEvPerA3 !== undefined).length,
    },
  };
}

/** metrics (eV units) → report stats (meV units, named with their unit; `rmse`/`mae`: deprecated aliases). */
function toStats<T extends LabelTarget>(m: MetricStats | null, target: T): (ErrorStats & RunResult[T]) | null {
  if (!m || m.n === 0) return null;
  const rmse = 1000 * m.rmse, mae = 1000 * m.mae, u = ERROR_UNITS[target];
  return { [`rmse${u}`]: rmse, [`mae${u}`]: mae, rmspePercent: Number.isFinite(m.rmspe) ? m.rmspe : null, count: m.n, rmse, mae } as unknown as ErrorStats & RunResult[T];
}

/** Seeded subsample of indices 0..n-1 (sorted), at most k. */
function subsample(n: number, k: number, rng: Rng): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (n <= k) return idx;
  rng.shuffle(idx);
  return idx.slice(0, k).sort((a, b) => a - b);
}

function noFiles(what: string): never {
  throw new FarfieldError('UNSUPPORTED', `compare: ${what} needs a file system; give structures and no report folder here`);
}

function loadSet(x: string | readonly Structure[], name: string | undefined, what: string, files: CompareFiles | undefined): { file: string; structures: readonly Structure[] } {
  if (typeof x === 'string') return { file: x, structures: files ? files.load(x) : noFiles(`reading ${x}`) };
  return { file: name ?? `(${what}, in memory)`, structures: x };
}

/** Validate `targets` (default: all label types), in canonical order. */
export function resolveTargets(targets: readonly string[] | undefined, energyKey?: string): LabelTarget[] {
  const t = targets ?? [...LABEL_TARGETS];
  if (t.length === 0) throw new FarfieldError('INVALID_INPUT', `compare: targets must name at least one of ${LABEL_TARGETS.join(', ')}`);
  for (const x of t)
    if (!(LABEL_TARGETS as readonly string[]).includes(x)) throw new FarfieldError('INVALID_INPUT', `compare: unknown target '${x}' (known: ${LABEL_TARGETS.join(', ')})`);
  if (new Set(t).size !== t.length) throw new FarfieldError('INVALID_INPUT', `compare: a target is listed twice (${t.join(', ')})`);
  if (energyKey !== undefined && !t.includes('energy'))
    throw new FarfieldError('INVALID_INPUT', `compare: an energy key ('${energyKey}') is given but energy is not among the targets (${t.join(', ')})`);
  return LABEL_TARGETS.filter((x) => t.includes(x));
}

/**
 * Copies of the structures carrying only the selected labels: energy from `energyKey` (a finite number in every
 * frame's info; error naming the file and frame otherwise) or the `energy` label, forces/stress only if targeted.
 */
export function selectLabels(structures: readonly Structure[], file: string, targets: readonly LabelTarget[], energyKey?: string): Structure[] {
  const key = energyKey === 'energy' ? undefined : energyKey;
  return structures.map((s, k) => {
    const labels: Structure['labels'] = {};
    if (s.labels.charges) labels.charges = s.labels.charges;
    if (targets.includes('energy')) {
      if (key === undefined) {
        if (s.labels.energyEv !== undefined) labels.energyEv = s.labels.energyEv;
      } else {
        const v = s.info[key];
        if (v === undefined)
          throw new FarfieldError('INVALID_INPUT', `compare: ${file}: frame ${k} has no '${key}' (the energy key); its info keys: ${Object.keys(s.info).join(', ') || 'none'}`);
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new FarfieldError('INVALID_INPUT', `compare: ${file}: frame ${k}: '${key}' must be a finite number (eV), got ${JSON.stringify(v)}`);
        labels.energyEv = v;
      }
    }
    if (targets.includes('forces') && s.labels.forcesEvPerA) labels.forcesEvPerA = s.labels.forcesEvPerA;
    if (targets.includes('stress') && s.labels.stressEvPerA3) labels.stressEvPerA3 = s.labels.stressEvPerA3;
    return { ...s, labels };
  });
}


/** Score on the validation split: energy RMSPE + force RMSPE (%), whichever exist; `parts` gets the two terms. */
function validationScore(model: FittedModel, val: readonly Structure[], parts?: { energy?: number; forces?: number }): number {
  const d = evaluateModel(model, val).details;
  let s = 0;
  if (d.energy && Number.isFinite(d.energy.rmspe)) { s += d.energy.rmspe; if (parts) parts.energy = d.energy.rmspe; }
  if (d.forces && Number.isFinite(d.forces.rmspe)) { s += d.forces.rmspe; if (parts) parts.forces = d.forces.rmspe; }
  return s;
}

/** The comparison (see the module header); `files` reads paths and writes the report (compareModels binds the
 * host's file system). */
export async function compareModelsWith(files: CompareFiles | undefined, o: CompareOptions): Promise<CompareOutput> {
  const models = o.models ?? DEFAULT_MODELS;
  for (const m of models)
    if (!DESCRIPTOR_PRESETS[m] && !isChargeKind(m))
      throw new FarfieldError('INVALID_INPUT', `compare: unknown model '${m}' (known: descriptor presets ${Object.keys(DESCRIPTOR_PRESETS).join(', ')}; learned-charge models ${Object.keys(CHARGE_MODEL_KINDS).join(', ')})`);
  if (new Set(models).size !== models.length) throw new FarfieldError('INVALID_INPUT', `compare: a model is listed twice (${models.join(', ')})`);
  validateFitConfig(o.fit ?? {}, 'compare: fit configuration', true);
  for (const [m, h] of Object.entries(o.descriptorHypers ?? {})) {
    if (!DESCRIPTOR_PRESETS[m] && !isChargeKind(m)) throw new FarfieldError('INVALID_INPUT', unknownNameMessage('model', m, [...Object.keys(DESCRIPTOR_PRESETS), ...Object.keys(CHARGE_MODEL_KINDS)], 'compare: descriptorHypers'));
    if (h === null || typeof h !== 'object' || Array.isArray(h)) throw new FarfieldError('INVALID_INPUT', `compare: descriptorHypers.${m} must be a JSON object`);
  }
  if (o.out) (files ?? noFiles('a report folder')).checkReportDir(o.out);
  const seed = o.seed ?? 1;
  const notes: string[] = [];
  const stage = o.onStage ?? (() => {});
  const progress = o.onProgress;

  const targets = resolveTargets(o.targets, o.energyKey);
  const energyKey = o.energyKey ?? 'energy';
  const raw = loadSet(o.data, o.dataName, 'data', files);
  const data = { file: raw.file, structures: selectLabels(raw.structures, raw.file, targets, o.energyKey) };
  if (data.structures.length === 0) throw new FarfieldError('INVALID_INPUT', `compare: ${data.file} holds no structures`);
  const perm = Array.from({ length: data.structures.length }, (_, i) => i);
  new Rng(seed).shuffle(perm);
  let test: readonly Structure[];
  let testFile: string;
  let poolIdx: number[];
  if (o.test !== undefined) {
    const t = loadSet(o.test, o.testName, 'test', files);
    test = selectLabels(t.structures, t.file, targets, o.energyKey);
    testFile = t.file;
    poolIdx = perm;
  } else {
    const frac = o.testFraction ?? 0.2;
    if (!(frac > 0 && frac < 1)) throw new FarfieldError('INVALID_INPUT', `compare: test fraction must be in (0, 1), got ${frac}`);
    const nTest = Math.max(1, Math.ceil(frac * perm.length));
    test = perm.slice(0, nTest).map((i) => data.structures[i]);
    testFile = data.file;
    poolIdx = perm.slice(nTest);
  }
  if (test.length === 0) throw new FarfieldError('INVALID_INPUT', 'compare: the test set is empty');

  // Tuning needs a validation split carved from the pool.
  const tuning = [
    { model: 'sr+lode', key: 'lodeWeight', values: o.lodeWeights ?? DEFAULT_LODE_WEIGHTS },
    { model: 'sr+lr', key: 'lrWeight', values: o.lrWeights ?? DEFAULT_LR_WEIGHTS },
  ].filter((t) => models.includes(t.model) && t.values.length > 0);
  // every learned-charge kind (sr+q, sr+lr+q, …) gets the same s × W_F grid, each its own search
  const chargeModels = models.filter((m) => isChargeKind(m));
  const qWidths = chargeModels.length > 0 ? (o.chargeWidths ?? DEFAULT_CHARGE_WIDTHS) : [];
  const qForceWeights = chargeModels.length > 0 ? (o.chargeForceWeights ?? DEFAULT_CHARGE_FORCE_WEIGHTS) : [];
  for (const [name, vals] of [['charge widths', qWidths], ['charge force weights', qForceWeights]] as const)
    for (const v of vals)
      if (!(v > 0) || !Number.isFinite(v)) throw new FarfieldError('INVALID_INPUT', `compare: ${name} must be positive finite numbers, got ${v}`);
  if (qForceWeights.length > 0 && !targets.includes('forces'))
    throw new FarfieldError('INVALID_INPUT', `compare: charge force weights are given but forces are not among the targets (${targets.join(', ')})`);
  const qGrid = (qWidths.length ? qWidths : [undefined]).flatMap((w) => (qForceWeights.length ? qForceWeights : [undefined]).map((f) => ({ sigmaA: w, forces: f })));
  const tuneQ = qGrid.length > 1;
  const tuneAny = tuning.some((t) => t.values.length > 1) || tuneQ;
  const nVal = tuneAny ? (o.validationSize ?? Math.min(50, Math.max(5, Math.round(0.1 * poolIdx.length)))) : 0;
  if (nVal >= poolIdx.length) throw new FarfieldError('INVALID_INPUT', `compare: validation split (${nVal}) leaves no training structures (pool ${poolIdx.length})`);
  const val = poolIdx.slice(0, nVal).map((i) => data.structures[i]);
  const trainPool = poolIdx.slice(nVal).map((i) => data.structures[i]);

  const requested = [...new Set(o.trainSizes ?? DEFAULT_TRAIN_SIZES)].sort((a, b) => a - b);
  for (const n of requested) if (!Number.isInteger(n) || n < 1) throw new FarfieldError('INVALID_INPUT', `compare: training sizes must be integers ≥ 1, got ${n}`);
  const trainSizes = requested.filter((n) => n <= trainPool.length);
  if (trainSizes.length < requested.length)
    notes.push(`training sizes ${requested.filter((n) => n > trainPool.length).join(', ')} skipped: the training pool has only ${trainPool.length} structures`);
  if (trainSizes.length === 0) throw new FarfieldError('INVALID_INPUT', `compare: no requested training size fits the pool of ${trainPool.length} structures`);

  // One species universe for every model and size (columns identical), from all data and the test set.
  const species = sortSpecies([...data.structures, ...test].flatMap((s) => s.symbols));
  // Excluded label types: weight 0 (the fit drops those rows); user weights of the targeted types are kept.
  const excluded = LABEL_TARGETS.filter((x) => !targets.includes(x));
  const common = { ...(o.fit ?? {}), ...(excluded.length ? { weights: { ...(o.fit?.weights ?? {}), ...Object.fromEntries(excluded.map((x) => [x, 0])) } } : {}) };
  const hypers = (m: string): Record<string, unknown> | undefined => o.descriptorHypers?.[m];
  // Per-model overrides of the fit configuration (a charge kind's width and force weight).
  const withCharges = (q: { sigmaA?: number; forces?: number } | undefined) => {
    if (!q) return common;
    return {
      ...common,
      ...(q.sigmaA !== undefined ? { charges: { ...(common.charges ?? {}), sigmaA: q.sigmaA } } : {}),
      ...(q.forces !== undefined ? { weights: { ...(common.weights ?? {}), forces: q.forces } } : {}),
    };
  };
  const fitOne = (m: string, train: readonly Structure[], extra?: Record<string, unknown>, q?: { sigmaA?: number; forces?: number }) => {
    const cfg = withCharges(q);
    const choice = longRangeHypersFor(descriptorPresetOf(m), { ...(hypers(m) ?? {}), ...(extra ?? {}) }, train, cfg.weights);
    const spec: DescriptorSpec = resolveDescriptor(descriptorPresetOf(m), species, choice.hypers);
    const t0 = now();
    const r = fitAnyModel(m, train, { ...cfg, descriptor: spec }, progress);
    r.metadata.solver.warnings = withLongRangeNote(r.metadata.solver.warnings, choice.note);
    if (choice.note && !notes.includes(`${m}: ${choice.note}`)) notes.push(`${m}: ${choice.note}`);
    return { model: r.model, fitTimeS: (now() - t0) / 1000 };
  };

  // Tune the LODE weight on the validation split.
  const tuned: TuningRecord[] = [];
  const chosenExtra: Record<string, Record<string, unknown>> = {};
  for (const t of tuning) {
    if (t.values.length === 1) {
      chosenExtra[t.model] = { [t.key]: t.values[0] };
      continue;
    }
    const nTune = o.tuneTrainSize ?? trainSizes[trainSizes.length - 1];
    if (nTune > trainPool.length) throw new FarfieldError('INVALID_INPUT', `compare: tuning size ${nTune} exceeds the training pool (${trainPool.length})`);
    const tried: { value: number; score: number }[] = [];
    t.values.forEach((w, k) => {
      stage(`tuning ${t.model} weight β = ${w} on ${nTune} train / ${val.length} validation (${k + 1}/${t.values.length})`);
      const { model } = fitOne(t.model, trainPool.slice(0, nTune), { [t.key]: w });
      tried.push({ value: w, score: validationScore(model, val) });
    });
    const best = tried.reduce((a, b) => (b.score < a.score ? b : a));
    chosenExtra[t.model] = { [t.key]: best.value };
    tuned.push({ model: t.model, parameter: `${t.key} (β)`, tried, chosen: best.value, metric: 'validation energy RMSPE + force RMSPE (%)', trainSize: nTune, validationSize: val.length });
  }

  // Tune each charge model's width and force weight on the same validation split (a grid; one value each fixes it).
  const chosenQ: Record<string, { sigmaA?: number; forces?: number } | undefined> = {};
  for (const cm of chargeModels) {
    chosenQ[cm] = qGrid.length === 1 ? qGrid[0] : undefined;
    if (!tuneQ) continue;
    const nTune = o.tuneTrainSize ?? trainSizes[trainSizes.length - 1];
    if (nTune > trainPool.length) throw new FarfieldError('INVALID_INPUT', `compare: tuning size ${nTune} exceeds the training pool (${trainPool.length})`);
    const grid: NonNullable<TuningRecord['grid']> = [];
    qGrid.forEach((g, k) => {
      stage(`tuning ${cm}${g.sigmaA !== undefined ? ` s = ${g.sigmaA} Å` : ''}${g.forces !== undefined ? ` W_F = ${g.forces}` : ''} on ${nTune} train / ${val.length} validation (${k + 1}/${qGrid.length})`);
      const { model } = fitOne(cm, trainPool.slice(0, nTune), chosenExtra[cm], g);
      const values: Record<string, number> = {};
      if (g.sigmaA !== undefined) values['charges.sigmaA'] = g.sigmaA;
      if (g.forces !== undefined) values['weights.forces'] = g.forces;
      const parts: { energy?: number; forces?: number } = {};
      const score = validationScore(model, val, parts);
      grid.push({ values, score, ...(parts.energy !== undefined ? { energyRmspe: parts.energy } : {}), ...(parts.forces !== undefined ? { forceRmspe: parts.forces } : {}) });
    });
    let bi = 0;
    grid.forEach((x, i) => { if (x.score < grid[bi].score) bi = i; });
    chosenQ[cm] = qGrid[bi];
    const metric = 'validation energy RMSPE + force RMSPE (%)';
    for (const [param, vals] of [['charges.sigmaA', qWidths], ['weights.forces', qForceWeights]] as const) {
      if (vals.length === 0) continue;
      const other = param === 'charges.sigmaA' ? qForceWeights : qWidths;
      const tried = vals.map((v) => ({ value: v, score: Math.min(...grid.filter((x) => x.values[param] === v).map((x) => x.score)) }));
      tuned.push({
        model: cm, parameter: param, tried, chosen: grid[bi].values[param],
        metric: other.length > 1 ? `${metric}; joint grid, each value's score the best over ${param === 'charges.sigmaA' ? 'weights.forces' : 'charges.sigmaA'}` : metric,
        trainSize: nTune, validationSize: val.length, grid,
      });
    }
  }
  for (const cm of chargeModels) {
    const c = chosenQ[cm];
    if (!c) continue;
    const t: Record<string, number> = {};
    if (c.sigmaA !== undefined) t['charges.sigmaA'] = c.sigmaA;
    if (c.forces !== undefined) t['weights.forces'] = c.forces;
    chosenExtra[cm] = { ...(chosenExtra[cm] ?? {}), ...t };
  }

  const runs: RunResult[] = [];
  const parity: ParityData[] = [];
  const perModel: Record<string, unknown> = {};
  const rng = new Rng(seed + 7919);
  const total = models.length * trainSizes.length;
  let k = 0;
  for (const m of models)
    for (const n of trainSizes) {
      k++;
      stage(`${m}, ${n} train (${k}/${total})`);
      const train = trainPool.slice(0, n);
      const q = isChargeKind(m);
      const { model, fitTimeS } = fitOne(m, train, q ? undefined : chosenExtra[m], q ? chosenQ[m] : undefined);
      const t1 = now();
      const ev = evaluateModel(model, test, progress);
      const predictTimeS = (now() - t1) / 1000;
      const d = ev.details;
      const run: RunResult = {
        model: m, trainSize: n, fitTimeS, predictTimeS,
        energy: toStats(d.energy, 'energy'), forces: toStats(d.forces, 'forces'), stress: toStats(d.stress, 'stress'), references: referenceCountsOf(model),
      };
      runs.push(run);
      o.onRun?.(run);
      o.onModel?.(m, n, model);
      if (n === trainSizes[trainSizes.length - 1]) {
        perModel[m] = { descriptor: model.descriptor.toJSON(), kernel: kernelSpecOf(model), ...(chosenExtra[m] ? { tuned: chosenExtra[m] } : {}) };
        parity.push(parityData(m, n, test, ev.predictions, o.parityPoints ?? 2000, rng));
      }
    }

  const results: CompareResults = {
    format: RESULTS_FORMAT, version: RESULTS_VERSION,
    title: o.title ?? `Model comparison on ${baseName(data.file)}`,
    createdAt: new Date().toISOString(),
    createdBy: 'farfield 0.1.0',
    ...(o.command ? { command: o.command } : {}),
    dataset: {
      train: datasetInfo(data.file, o.test !== undefined ? data.structures : poolIdx.map((i) => data.structures[i])),
      test: datasetInfo(testFile, test),
      split: {
        seed, testFromTrain: o.test === undefined, validationSize: val.length, validationFrames: poolIdx.slice(0, nVal),
        ...(o.test === undefined ? { testFrames: perm.slice(0, perm.length - poolIdx.length).sort((x, y) => x - y) } : {}),
        note: `training subsets are nested prefixes of one seeded permutation of the pool (${trainPool.length} structures after the validation split)` },
      labels: { energyKey, targets },
    },
    models, trainSizes, runs, parity,
    hyperparameters: {
      common: {
        species,
        kernel: common.kernel ?? 'default for the descriptor (see per model)',
        solver: common.solver ?? DEFAULT_SOLVER,
        selection: { method: 'fps', count: 1000, seed: 0, ...(common.selection ?? {}) },
        weights: { energy: 1, forces: 1, stress: 1, ...(common.weights ?? {}) },
        ...(common.uncertainty !== undefined ? { uncertainty: common.uncertainty } : {}),
      },
      perModel,
      tuned,
    },
    notes,
  };
  const written = o.out ? (files ?? noFiles('a report folder')).writeReport(o.out, results) : null;
  return { results, written };
}

/** The comparison of structures held in memory, for a host without a file system (no paths, no report folder). */
export function compareStructures(o: CompareOptions): Promise<CompareOutput> {
  return compareModelsWith(undefined, o);
}

function parityData(model: string, trainSize: number, test: readonly Structure[], preds: { energyEv?: number; forcesEvPerA?: Float64Array }[], maxPoints: number, rng: Rng): ParityData {
  const eRef: number[] = [], ePred: number[] = [];
  const fRef: number[] = [], fPred: number[] = [];
  const errs: Record<string, number[]> = {};
  test.forEach((s, k) => {
    const p = preds[k], n = s.species.length;
    if (s.labels.energyEv !== undefined && p.energyEv !== undefined) {
      eRef.push(s.labels.energyEv / n);
      ePred.push(p.energyEv / n);
    }
    const rf = s.labels.forcesEvPerA, pf = p.forcesEvPerA;
    if (rf && pf)
      for (let i = 0; i < n; i++) {
        const sym = s.symbols[s.species[i]];
        const e = (errs[sym] ??= []);
        for (let a = 0; a < 3; a++) {
          fRef.push(rf[3 * i + a]);
          fPred.push(pf[3 * i + a]);
          e.push(1000 * (pf[3 * i + a] - rf[3 * i + a]));
        }
      }
  });
  const ei = subsample(eRef.length, 2000, rng);
  const fi = subsample(fRef.length, maxPoints, rng);
  const errsSub: Record<string, number[]> = {};
  for (const [sym, e] of Object.entries(errs)) errsSub[sym] = subsample(e.length, 5000, rng).map((i) => e[i]);
  return {
    model, trainSize,
    energy: { ref: ei.map((i) => eRef[i]), pred: ei.map((i) => ePred[i]), total: eRef.length },
    forces: { ref: fi.map((i) => fRef[i]), pred: fi.map((i) => fPred[i]), total: fRef.length },
    forceErrorsBySpecies: errsSub,
  };
}
