/**
 * The call decision of on-the-fly learning and the adaptive threshold (VASP ML_CTIFOR with ML_ICRITERIA = 1; see
 * docs/learn.md for the mapping of every knob), as plain data + pure functions so the state can be checkpointed.
 *
 * Per MD step with the current model's largest per-component Bayesian force error σ_max (eV/Å):
 *   - step 0 (no model yet) → call the reference;
 *   - σ_max > immediateFactor · threshold → call now and refit now (ML_CDOUB, the "emergency brake"; ignores the
 *     minimum interval);
 *   - σ_max > threshold and ≥ minInterval steps since the last call → call (a candidate; ML_NMDINT); the refit waits
 *     until `batch` candidates are labelled (ML_MCONF_NEW);
 *   - otherwise the step stays with the model.
 * Threshold update, at every refit when update = 'history': the history holds σ_max of the last `historyLength`
 * steps that called the reference (ML_MHIS). With mean μ, standard error s/√n (s the sample standard deviation)
 * and the least-squares slope a (per entry) of the history: if s/√n < maxRelativeStandardError · μ (ML_CSIG) and
 * |a|·n < maxRelativeSlope · μ (ML_CSLOPE), threshold ← (1 − mix)·μ·(1 + factor) + mix·threshold (ML_CX, mixing).
 * Since calls happen only above the threshold, μ ≥ threshold: the threshold rises to the level of the model's
 * typical error where calls start to be rare, and follows that level down as the model improves.
 * (VASP normalises CSIG/CSLOPE in its own way; here both tests are relative to μ, so they are unit-free.)
 *
 * Energy criterion (no VASP counterpart; `energyFactor`, 0 = off): with ε the step's energy σ per atom (σ of the
 * total energy / N, exact and cheap: learnUncertainty.ts) and ε̄ its mean over the first `energyLevelSteps` model
 * steps after the last refit (the model's in-distribution level: those steps start from a just-labelled state), a
 * step with ε > energyFactor·ε̄ is a candidate like σ_max > threshold, and call-now above immediateFactor·energyFactor·ε̄.
 * The force σ does not see density or phase changes (the weights that carry them do not move forces at fixed cell)
 * while the energy σ rises by 100–250× there (docs/uncertainty.md). The level is per model because σ scales with
 * the evidence's α, β, which every refit changes. (The per-atom energy σ is no use here: it is dominated by the
 * directions the data cannot fix — for a fixed composition the reference energies e_t only in a sum.)
 *
 * Automatic initial threshold (`initialFromSteps` k > 0): the threshold is unset (0, `probe` holds the σ_max seen so
 * far) until k exact σ_max of one model's steps are known (a refit restarts the count); meanwhile the force criterion
 * makes no candidate, and its emergency brake compares σ_max with immediateFactor × the smallest of the probe so far (a
 * model that runs away: σ_max grows step by step — seen with a two-frame xTB model, 0.09 → 3.6 eV/Å in 45 steps).
 * Then threshold ← their mean: the model's typical error where MD starts, on the scale of the model family (0.1 eV/Å
 * for xTB, 0.01 for Fumi–Tosi). Call budget (`callBudget` N > 0): a candidate ('call': force or energy criterion) at
 * step n needs calls + 1 ≤ 1 + (N − 1)·n/steps (calls so far incl. step 0): the budget is released linearly over the
 * run, so the calls cover it instead of bunching where the model is new; 'call-now' (emergency brake, safety) is not
 * paced.
 */
import type { ResolvedThresholdConfig } from './learnConfig.js';

export interface ThresholdState {
  thresholdEvPerA: number;
  /** σ_max at the last reference calls (oldest first), at most historyLength entries. */
  history: number[];
  /** Step of the last reference call (−∞ before the first: -1e9). */
  lastCallStep: number;
  /** Threshold updates applied so far. */
  updates: number;
  /** ε (energy σ per atom, eV) at the first model steps after the last refit (energy criterion; absent in old state files). */
  energyLevel?: number[];
  /** Screen (learnUncertainty.ts): ratios σ_F,max / ε at the last exact force-σ evaluations, and the step of the last. */
  screenRatios?: number[];
  lastExactStep?: number;
  /** Automatic initial threshold (`initialFromSteps`): σ_max of the first exact model steps; absent once the threshold is set. */
  probe?: number[];
}

/** Call-budget pacing input of `decideCall`: reference calls so far (incl. step 0 and failed ones) and the run's steps. */
export interface CallPace {
  calls: number;
  steps: number;
}

export type CallDecision = 'model' | 'call' | 'call-now';

export function initialThresholdState(c: ResolvedThresholdConfig): ThresholdState {
  const st: ThresholdState = { thresholdEvPerA: c.initialEvPerA, history: [], lastCallStep: -1e9, updates: 0, energyLevel: [], screenRatios: [], lastExactStep: -1e9 };
  if (c.initialFromSteps > 0) {
    st.thresholdEvPerA = 0;
    st.probe = [];
  }
  return st;
}

/**
 * Feed an exact σ_max of a model step (one the model kept: after `decideCall`) into the automatic initial threshold
 * (no-op once set). Returns true when this observation set the threshold (the mean of the first `initialFromSteps`).
 */
export function observeProbe(st: ThresholdState, c: ResolvedThresholdConfig, maxErrorEvPerA: number): boolean {
  const p = st.probe;
  if (!p || !Number.isFinite(maxErrorEvPerA)) return false;
  p.push(maxErrorEvPerA);
  if (p.length < c.initialFromSteps) return false;
  st.thresholdEvPerA = p.reduce((a, b) => a + b, 0) / p.length;
  delete st.probe;
  return true;
}

/** Whether the call budget (if any) admits one more force- or energy-criterion call at `step`. */
export function budgetAllows(c: ResolvedThresholdConfig, step: number, pace: CallPace | undefined): boolean {
  if (c.callBudget <= 0 || !pace) return true;
  return pace.calls + 1 <= 1 + ((c.callBudget - 1) * step) / pace.steps + 1e-9;
}

/** The energy-criterion level ε̄, NaN until `energyLevelSteps` model steps after the refit are known, or when off. */
export function energyLevel(st: ThresholdState, c: ResolvedThresholdConfig): number {
  const h = st.energyLevel ?? [];
  if (c.energyFactor === 0 || h.length < c.energyLevelSteps) return NaN;
  return h.reduce((p, q) => p + q, 0) / h.length;
}

/** Feed ε of a model step into the level while it is being formed (the first steps after a refit). */
export function observeEnergy(st: ThresholdState, c: ResolvedThresholdConfig, energySigmaEvPerAtom: number): void {
  const h = (st.energyLevel ??= []);
  if (h.length < c.energyLevelSteps && Number.isFinite(energySigmaEvPerAtom)) h.push(energySigmaEvPerAtom);
}

/** A refit makes a new model: its screen ratio and energy level are formed anew. */
export function resetForNewModel(st: ThresholdState): void {
  st.energyLevel = [];
  st.screenRatios = [];
  if (st.probe) st.probe = []; // the automatic initial threshold is the σ level of the model that drives MD: probe it anew
}

/** The decision for a step (see the header); `haveModel` false forces a call (the first step). */
export function decideCall(st: ThresholdState, c: ResolvedThresholdConfig, step: number, maxErrorEvPerA: number, haveModel: boolean,
  energySigmaEvPerAtom = NaN, pace?: CallPace): CallDecision {
  if (!haveModel) return 'call-now';
  const level = energyLevel(st, c) * c.energyFactor;
  const energyHigh = energySigmaEvPerAtom > level; // false while the level is NaN
  if (!Number.isFinite(maxErrorEvPerA)) return 'call-now';
  // the model's own energy σ per atom above the absolute ceiling: it cannot be trusted whatever its level (a fit on a
  // perfect crystal: σ_F flat and small, ε = 0.5 eV/atom from the first step on — the level criterion never fires)
  if (c.maxEnergySigmaEvPerAtom > 0 && energySigmaEvPerAtom > c.maxEnergySigmaEvPerAtom) return 'call-now';
  const p = st.probe;
  if (p) {
    // the automatic initial threshold is not set yet: no force-criterion candidate, but the emergency brake against
    // the smallest σ_max of this model's steps so far (a model that runs away while probing: σ_max grows step by step)
    const least = p.length > 0 ? Math.min(...p) : Infinity;
    if (maxErrorEvPerA > c.immediateFactor * least || energySigmaEvPerAtom > c.immediateFactor * level) return 'call-now';
  } else if (maxErrorEvPerA > c.immediateFactor * st.thresholdEvPerA || energySigmaEvPerAtom > c.immediateFactor * level) return 'call-now';
  if (!budgetAllows(c, step, pace)) return 'model';
  if (((!p && maxErrorEvPerA > st.thresholdEvPerA) || energyHigh) && step - st.lastCallStep >= c.minInterval) return 'call';
  return 'model';
}

/** Record a reference call made at `step` with model error σ_max (NaN/undefined without a model or when only screened). */
export function recordCall(st: ThresholdState, c: ResolvedThresholdConfig, step: number, maxErrorEvPerA: number | undefined): void {
  st.lastCallStep = step;
  if (maxErrorEvPerA !== undefined && Number.isFinite(maxErrorEvPerA)) {
    st.history.push(maxErrorEvPerA);
    while (st.history.length > c.historyLength) st.history.shift();
  }
}

export interface HistoryStats {
  mean: number;
  standardError: number;
  /** Least-squares slope per entry. */
  slope: number;
}

export function historyStats(h: readonly number[]): HistoryStats {
  const n = h.length;
  const mean = h.reduce((p, q) => p + q, 0) / n;
  let ss = 0, sxy = 0, sxx = 0;
  const xm = (n - 1) / 2;
  h.forEach((v, i) => {
    ss += (v - mean) ** 2;
    sxy += (i - xm) * (v - mean);
    sxx += (i - xm) ** 2;
  });
  return { mean, standardError: n > 1 ? Math.sqrt(ss / (n - 1) / n) : Infinity, slope: sxx > 0 ? sxy / sxx : 0 };
}

/** Apply the threshold update (at a refit). Returns true when the threshold changed. */
export function updateThreshold(st: ThresholdState, c: ResolvedThresholdConfig): boolean {
  if (c.update !== 'history' || st.probe || st.history.length < c.historyLength) return false;
  const { mean, standardError, slope } = historyStats(st.history);
  if (!(mean > 0)) return false;
  if (!(standardError < c.maxRelativeStandardError * mean)) return false;
  if (!(Math.abs(slope) * st.history.length < c.maxRelativeSlope * mean)) return false;
  const next = (1 - c.mix) * mean * (1 + c.factor) + c.mix * st.thresholdEvPerA;
  if (next === st.thresholdEvPerA) return false;
  st.thresholdEvPerA = next;
  st.updates++;
  return true;
}
