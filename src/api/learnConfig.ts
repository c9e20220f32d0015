/**
 * Configuration of `farfield learn` (on-the-fly learning): every knob of the call decision, the threshold update, the
 * reference selection and the refit, with its default and its VASP/FLARE counterpart (docs/learn.md explains each).
 * `validateLearnConfig` checks a JSON object (the content of `learn --config FILE`) before any work, like
 * `validateFitConfig` (validate.ts): unknown keys name the closest known key, values are type- and range-checked.
 */
import { FarfieldError } from '../core/index.js';
import { checkKeys, validateFitConfig, validateSolverConfig } from './validate.js';
import type { ChargeFitOptions, SolverConfig } from '../model/index.js';

export interface LearnThresholdConfig {
  /** Initial threshold on the largest per-component Bayesian force error, eV/Å (VASP ML_CTIFOR; default 0.02). */
  initialEvPerA?: number;
  /** 'history' (VASP ML_ICRITERIA = 1, default) adapts the threshold; 'fixed' (ML_ICRITERIA = 0) keeps it. */
  update?: 'history' | 'fixed';
  /** Entries of the history of Bayesian errors at reference calls (ML_MHIS; default 10). */
  historyLength?: number;
  /** Update only when the standard error of the history / its mean is below this (ML_CSIG; default 0.4). */
  maxRelativeStandardError?: number;
  /** Update only when |slope| × length / mean of the history (least-squares line) is below this (ML_CSLOPE; default 1). */
  maxRelativeSlope?: number;
  /** New threshold = (1 − mix)·mean·(1 + factor) + mix·old (ML_XMIX-like mixing; default 0 = no mixing). */
  mix?: number;
  /** Factor on the history mean (ML_CX; default 0). */
  factor?: number;
  /** An error above immediateFactor × threshold calls the reference at once and refits now (ML_CDOUB; default 2). */
  immediateFactor?: number;
  /** Labelled candidates collected before a refit (ML_MCONF_NEW; default 5). */
  batch?: number;
  /** Minimum MD steps between two reference calls below the immediate level (ML_NMDINT; default 10). */
  minInterval?: number;
  /**
   * How the force σ is evaluated per step (no VASP counterpart): 'screened' (default) evaluates the exact total energy σ
   * (cheap) every step and the exact force σ only where the screen cannot rule out the threshold (learnUncertainty.ts);
   * 'exact' evaluates the exact force σ every step.
   */
  forceSigma?: 'screened' | 'exact';
  /** Exact force σ when κ·σ_E,max ≥ screenMargin × threshold (κ: recent ratio σ_F,max / σ_E,max; default 0.5). */
  screenMargin?: number;
  /** Exact force σ at least every k steps (keeps κ current; default 50). */
  screenRefresh?: number;
  /** Exact evaluations whose ratio κ is the maximum of (default 5). */
  screenHistory?: number;
  /**
   * Energy criterion (no VASP counterpart): a step is a candidate when the energy σ per atom (σ(E)/N, exact)
   * exceeds energyFactor × its mean over the first energyLevelSteps model steps after the last refit; call-now above
   * immediateFactor × that. It catches density and phase changes, where the force σ stays flat (docs/uncertainty.md).
   * 0 disables (default 10).
   */
  energyFactor?: number;
  /** Model steps after a refit whose σ(E)/N form the energy criterion's level (default 5). */
  energyLevelSteps?: number;
  /**
   * Escape guard (no VASP counterpart): a reference call whose energy differs from the model's by more than this
   * (eV/atom) means MD left the model's domain unnoticed: refit now, keep the frame out of the threshold history,
   * and roll MD back to the state after the last reference call within the limit. 0 disables (default 0.1).
   */
  escapeEvPerAtom?: number;
  /**
   * Absolute ceiling on the model's energy σ per atom (σ(E)/N, eV/atom; no VASP counterpart): above it a step calls
   * the reference at once and refits, whatever the history — the model itself says it may be off by that much. It
   * catches a model fitted on a start the data say nothing about (a perfect crystal: zero forces, identical
   * environments), whose force σ is flat and small and whose ε sets its own level. 0 disables (default 0.1).
   */
  maxEnergySigmaEvPerAtom?: number;
  /**
   * Automatic initial threshold (no VASP counterpart; default 0 = off, `initialEvPerA` is used): the threshold starts
   * unset (0 in log.csv) until k exact σ_max of one model's steps are known (a refit restarts the count); meanwhile
   * the force criterion makes no candidate and its emergency brake is immediateFactor × the smallest of those so far; then
   * the threshold is their mean. The model family sets the σ scale (≈ 0.1 eV/Å for GFN1-xTB liquid NaCl, ≈ 0.01 for
   * Fumi–Tosi), so a fixed initial value is wrong for one of them. Safety calls (no usable model, non-finite σ, the
   * energy ceiling) and the energy criterion stay active meanwhile.
   */
  initialFromSteps?: number;
  /**
   * Call budget (no VASP counterpart; default 0 = off): at most N reference calls, released linearly over the run —
   * a candidate (force or energy criterion, below the immediate level) at step n needs calls so far + 1 ≤
   * 1 + (N − 1)·n/steps, so the calls spread over the whole run instead of bunching where the model is new. Safety
   * calls (no usable model, non-finite σ, the energy ceiling, the immediate level) are not refused, and count.
   */
  callBudget?: number;
}

export interface LearnFitConfig {
  /** Descriptor preset (default 'sr'). */
  descriptors?: string;
  descriptorHypers?: Record<string, unknown>;
  weights?: { energy?: number; forces?: number; stress?: number };
  solver?: SolverConfig;
  /** New reference environments per species per refit (FLARE max_atoms_added; default 8). */
  maxNewReferences?: number;
  /** Relative kernel distance below which an environment counts as known (default 1e-3). */
  minDistance?: number;
  /** References per species in all (VASP ML_MB; default 1000). */
  maxReferences?: number;
  /**
   * At the end of the run, refit the whole training set in one batch (as an offline fit would: block balancing,
   * kernel data and baseline from all frames, references by FPS over all environments, as many per species as the
   * run selected) instead of keeping the incrementally grown model (VASP: ML_MODE = refit after training; default false).
   */
  finalRefit?: boolean;
  /**
   * Rebuild the incremental fit from all training frames so far (one batch, as an offline fit: block balancing, kernel
   * data and baseline from all frames, references by FPS over all environments, up to maxNewReferences × the batches fitted so far per species — the budget the refits had — and at least as many as the fit held)
   * whenever the number of fitted frames has doubled since the last (re)build: 'doubling' or 'never' (default). What the
   * fit freezes at creation comes from its first batch — often the start structure alone; a perfect crystal gives a
   * degenerate block balance and whitening that every later refit inherits (a rock-salt start: 175 vs 23 meV/Å on
   * the same frames, docs/learn.md). Amortised cost ≤ 2 × one offline fit of the final set. No VASP counterpart.
   * Not the default: on the stationary Fumi–Tosi liquid of test/api/learn.test.ts (100 steps) 'doubling' makes 21
   * reference calls instead of 11 (5.6× the CPU) — use it for starts from a symmetric crystal.
   */
  rebuild?: 'doubling' | 'never';
  /** Learned-charge kinds (descriptors 'sr+q', 'sr+qeq', …): the charge fit's settings, as `fit --config` key `charges`. */
  charges?: ChargeFitOptions;
}

/**
 * Reference calls labelled while MD runs on (asynchronous labelling, e.g. `learn --scheduler slurm`): a 'call'
 * decision (not 'call-now', not while the fit is degenerate) submits the structure and MD continues with the current
 * model; the label joins the training set at a later step boundary and the refit follows the usual `batch` rule.
 */
export interface LearnAsyncConfig {
  /** Calls labelled at once while MD runs on (default 0: MD waits for every call, as without this block). */
  maxInFlight?: number;
  /**
   * 'on-arrival' (default): a label joins at the first step boundary after it arrived, in arrival order, and MD waits
   * for it at the latest `lagSteps` steps after the call. 'after-lag': exactly `lagSteps` steps after the call, in call
   * order, whatever the arrival time (reproducible bit for bit, also across a resume).
   */
  apply?: 'on-arrival' | 'after-lag';
  /** See `apply` (default 20). */
  lagSteps?: number;
}

export interface LearnConfig {
  threshold?: LearnThresholdConfig;
  fit?: LearnFitConfig;
  async?: LearnAsyncConfig;
  /** Trajectory frame every k steps (default 10). */
  every?: number;
  /**
   * Evaluate the force σ (and decide on a call) only every k MD steps (default 1 = every step, as VASP); the other
   * steps use the model's plain forces, which cost a fraction of the σ (64 ions: 1/6 to 1/10). Step 0 and the
   * steps of a degenerate fit are always decided.
   */
  uncertaintyEvery?: number;
  /** State file written at least every k steps besides every reference call (default 50). */
  checkpointEvery?: number;
}

export const LEARN_DEFAULTS = {
  threshold: {
    initialEvPerA: 0.02, update: 'history', historyLength: 10, maxRelativeStandardError: 0.4, maxRelativeSlope: 1,
    mix: 0, factor: 0, immediateFactor: 2, batch: 5, minInterval: 10,
    forceSigma: 'screened', screenMargin: 0.5, screenRefresh: 50, screenHistory: 5, energyFactor: 10, energyLevelSteps: 5, escapeEvPerAtom: 0.1,
    maxEnergySigmaEvPerAtom: 0.1, initialFromSteps: 0, callBudget: 0,
  } satisfies Required<LearnThresholdConfig>,
  fit: { descriptors: 'sr', maxNewReferences: 8, minDistance: 1e-3, maxReferences: 1000, rebuild: 'never' },
  async: { maxInFlight: 0, apply: 'on-arrival', lagSteps: 20 } satisfies Required<LearnAsyncConfig>,
  every: 10,
  checkpointEvery: 50,
} as const;

export type ResolvedThresholdConfig = Required<LearnThresholdConfig>;
export type ResolvedAsyncConfig = Required<LearnAsyncConfig>;

/** Asynchronous-labelling config with defaults filled in. */
export function resolveAsync(c: LearnAsyncConfig = {}): ResolvedAsyncConfig {
  return { ...LEARN_DEFAULTS.async, ...c };
}

/** Threshold config with defaults filled in. */
export function resolveThreshold(c: LearnThresholdConfig = {}): ResolvedThresholdConfig {
  return { ...LEARN_DEFAULTS.threshold, ...c };
}

type KeysOf<T> = Record<keyof T, true>;
const keys = <T>(r: KeysOf<T>): string[] => Object.keys(r);
const TOP = keys<LearnConfig>({ threshold: true, fit: true, async: true, every: true, uncertaintyEvery: true, checkpointEvery: true });
const ASYNC = keys<LearnAsyncConfig>({ maxInFlight: true, apply: true, lagSteps: true });
const THRESHOLD = keys<LearnThresholdConfig>({
  initialEvPerA: true, update: true, historyLength: true, maxRelativeStandardError: true, maxRelativeSlope: true, mix: true,
  factor: true, immediateFactor: true, batch: true, minInterval: true, forceSigma: true, screenMargin: true,
  screenRefresh: true, screenHistory: true, energyFactor: true, energyLevelSteps: true, escapeEvPerAtom: true,
  maxEnergySigmaEvPerAtom: true, initialFromSteps: true, callBudget: true,
});
const FIT = keys<LearnFitConfig>({
  descriptors: true, descriptorHypers: true, weights: true, solver: true, maxNewReferences: true, minDistance: true, maxReferences: true,
  finalRefit: true, rebuild: true, charges: true,
});

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(v: unknown, where: string, test: (x: number) => boolean, what: string): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || !test(v)))
    throw new FarfieldError('INVALID_INPUT', `${where} must be ${what}, got ${JSON.stringify(v)}`);
}

const positive = (x: number): boolean => x > 0;
const nonNegative = (x: number): boolean => x >= 0;
const posInt = (x: number): boolean => Number.isInteger(x) && x >= 1;

/** Validate a learn configuration (JSON) before any work; `where` names the file in messages. */
export function validateLearnConfig(cfg: unknown, where = 'learn configuration'): LearnConfig {
  if (!isObject(cfg)) throw new FarfieldError('INVALID_INPUT', `${where} must be a JSON object, got ${JSON.stringify(cfg)}`);
  checkKeys(cfg, TOP, where);
  num(cfg.every, `${where}: every`, posInt, 'an integer ≥ 1');
  num(cfg.checkpointEvery, `${where}: checkpointEvery`, posInt, 'an integer ≥ 1');
  num(cfg.uncertaintyEvery, `${where}: uncertaintyEvery`, posInt, 'an integer ≥ 1');
  if (cfg.threshold !== undefined) {
    const t = cfg.threshold;
    if (!isObject(t)) throw new FarfieldError('INVALID_INPUT', `${where}: 'threshold' must be an object`);
    const w = `${where}: threshold`;
    checkKeys(t, THRESHOLD, w);
    num(t.initialEvPerA, `${w}.initialEvPerA`, positive, 'a positive number (eV/Å)');
    if (t.update !== undefined && t.update !== 'history' && t.update !== 'fixed')
      throw new FarfieldError('INVALID_INPUT', `${w}.update must be 'history' or 'fixed', got ${JSON.stringify(t.update)}`);
    num(t.historyLength, `${w}.historyLength`, (x) => Number.isInteger(x) && x >= 2, 'an integer ≥ 2');
    num(t.maxRelativeStandardError, `${w}.maxRelativeStandardError`, positive, 'a positive number');
    num(t.maxRelativeSlope, `${w}.maxRelativeSlope`, positive, 'a positive number');
    num(t.mix, `${w}.mix`, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    num(t.factor, `${w}.factor`, (x) => x > -1, 'a number > −1');
    num(t.immediateFactor, `${w}.immediateFactor`, (x) => x > 1, 'a number > 1');
    num(t.batch, `${w}.batch`, posInt, 'an integer ≥ 1');
    num(t.minInterval, `${w}.minInterval`, posInt, 'an integer ≥ 1');
    if (t.forceSigma !== undefined && t.forceSigma !== 'screened' && t.forceSigma !== 'exact')
      throw new FarfieldError('INVALID_INPUT', `${w}.forceSigma must be 'screened' or 'exact', got ${JSON.stringify(t.forceSigma)}`);
    num(t.screenMargin, `${w}.screenMargin`, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
    num(t.screenRefresh, `${w}.screenRefresh`, posInt, 'an integer ≥ 1');
    num(t.screenHistory, `${w}.screenHistory`, posInt, 'an integer ≥ 1');
    num(t.energyFactor, `${w}.energyFactor`, (x) => x === 0 || x > 1, '0 (off) or a number > 1');
    num(t.energyLevelSteps, `${w}.energyLevelSteps`, posInt, 'an integer ≥ 1');
    num(t.escapeEvPerAtom, `${w}.escapeEvPerAtom`, nonNegative, 'a number ≥ 0 (eV/atom; 0 = off)');
    num(t.maxEnergySigmaEvPerAtom, `${w}.maxEnergySigmaEvPerAtom`, nonNegative, 'a number ≥ 0 (eV/atom; 0 = off)');
    num(t.initialFromSteps, `${w}.initialFromSteps`, (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0 (0 = off)');
    num(t.callBudget, `${w}.callBudget`, (x) => x === 0 || (Number.isInteger(x) && x >= 2), '0 (off) or an integer ≥ 2');
  }
  if (cfg.fit !== undefined) {
    const f = cfg.fit;
    if (!isObject(f)) throw new FarfieldError('INVALID_INPUT', `${where}: 'fit' must be an object`);
    const w = `${where}: fit`;
    checkKeys(f, FIT, w);
    if (f.descriptors !== undefined && typeof f.descriptors !== 'string') throw new FarfieldError('INVALID_INPUT', `${w}.descriptors must be a preset name`);
    if (f.descriptorHypers !== undefined && !isObject(f.descriptorHypers)) throw new FarfieldError('INVALID_INPUT', `${w}.descriptorHypers must be an object`);
    if (f.weights !== undefined) {
      if (!isObject(f.weights)) throw new FarfieldError('INVALID_INPUT', `${w}.weights must be an object`);
      checkKeys(f.weights, ['energy', 'forces', 'stress'], `${w}.weights`);
      for (const k of Object.keys(f.weights)) num(f.weights[k], `${w}.weights.${k}`, nonNegative, 'a number ≥ 0');
    }
    if (f.solver !== undefined) validateSolverConfig(f.solver, `${w}.solver`);
    num(f.maxNewReferences, `${w}.maxNewReferences`, posInt, 'an integer ≥ 1');
    num(f.minDistance, `${w}.minDistance`, nonNegative, 'a number ≥ 0');
    num(f.maxReferences, `${w}.maxReferences`, posInt, 'an integer ≥ 1');
    if (f.rebuild !== undefined && f.rebuild !== 'doubling' && f.rebuild !== 'never')
      throw new FarfieldError('INVALID_INPUT', `${w}.rebuild must be 'doubling' or 'never', got ${JSON.stringify(f.rebuild)}`);
    if (f.finalRefit !== undefined && typeof f.finalRefit !== 'boolean')
      throw new FarfieldError('INVALID_INPUT', `${w}.finalRefit must be true or false, got ${JSON.stringify(f.finalRefit)}`);
    if (f.charges !== undefined) validateFitConfig({ charges: f.charges as ChargeFitOptions }, w); // the keys and ranges of `fit --config`
  }
  if (cfg.async !== undefined) {
    const a = cfg.async;
    if (!isObject(a)) throw new FarfieldError('INVALID_INPUT', `${where}: 'async' must be an object`);
    const w = `${where}: async`;
    checkKeys(a, ASYNC, w);
    num(a.maxInFlight, `${w}.maxInFlight`, (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
    if (a.apply !== undefined && a.apply !== 'on-arrival' && a.apply !== 'after-lag')
      throw new FarfieldError('INVALID_INPUT', `${w}.apply must be 'on-arrival' or 'after-lag', got ${JSON.stringify(a.apply)}`);
    num(a.lagSteps, `${w}.lagSteps`, posInt, 'an integer ≥ 1');
  }
  return cfg as LearnConfig;
}
