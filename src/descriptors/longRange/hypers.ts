/**
 * Hyperparameters of the FKK long-range descriptor (science.md §4.3, §4.6): typed, validated, JSON round-trip.
 *
 *   ζ_n = ζ_max s^{−(n−1)}, n = 1..N        (geometric exponent mesh, Å⁻¹)
 *   σ                                        Gaussian width of the atomic density (Å), shared with the short range
 *   accuracy                                 absolute error target for every lattice sum Σ'_k 𝒮_ζn(r_ik) (the
 *                                            dimensionless pair-function sum; 𝒮(0) ≈ 1, a neighbour at 2 Å ≈ e^{−2ζ});
 *                                            drives the split width, the real-space cutoff and the G cutoff
 *   weight β                                 features are multiplied by √β (as the composite descriptor does, so the
 *                                            squared weight enters inner products)
 *   includeZero                              keep the G = 0 (mean-density) term; false drops (1/V)Ŝ(0)N_J
 *   method                                   'auto' (per channel: real space, Ewald-like split or reciprocal, chosen
 *                                            by a cost model at the accuracy target), or force one of them for all
 *                                            channels; 'real' is the real-space lattice sum (a test reference; only
 *                                            sensible for ζ ≳ 0.4 Å⁻¹)
 *   reciprocalSolver                         'auto' (per channel the cheaper of explicit k-vectors and smooth PME under
 *                                            the plan's cost model), 'ewald' or 'pme' for every reciprocal part
 *   pmeOrder                                 B-spline order of the PME path (default 6)
 *   splitWidthA, realCutoffA, kCutoffPerA    optional overrides of the derived numerical parameters.
 *   planner                                  which plan a cell gets (plan.ts): 3 (default since issue 17 goal 3)
 *                                            prices the channels jointly with the WebAssembly mesh passes and lets
 *                                            channels share meshes; 2 prices them jointly (one real cutoff, the
 *                                            neighbour list and the pair table as measured) with the TS mesh prices,
 *                                            each channel on its own mesh; 1 the per-channel prices before (analytic
 *                                            pairs). The key is always written, so a model file plans as it was
 *                                            fitted; files written before the key existed plan with 1 (modelFile.ts).
 */
import { FarfieldError } from '../../core/index.js';
import { checkHyperObject, hyperNumber, renameDeprecatedHypers } from '../hypers.js';

export type FkkMethod = 'auto' | 'real' | 'split' | 'reciprocal';
export type ReciprocalSolver = 'auto' | 'ewald' | 'pme';

export interface FkkHypers {
  zetaMaxPerA: number;
  scale: number;
  count: number;
  smearingA: number;
  accuracy: number;
  weight: number;
  includeZero: boolean;
  method: FkkMethod;
  reciprocalSolver: ReciprocalSolver;
  pmeOrder: number;
  splitWidthA?: number;
  realCutoffA?: number;
  kCutoffPerA?: number;
  planner: 1 | 2 | 3;
}

export const FKK_DEFAULTS: Readonly<FkkHypers> = Object.freeze({
  zetaMaxPerA: 2,
  scale: 2,
  count: 8,
  smearingA: 0.5,
  accuracy: 1e-6,
  weight: 1,
  includeZero: true,
  method: 'auto' as FkkMethod,
  reciprocalSolver: 'auto' as ReciprocalSolver,
  pmeOrder: 6,
  planner: 3 as const,
});

const KEYS = new Set(['zetaMaxPerA', 'scale', 'count', 'smearingA', 'accuracy', 'weight', 'includeZero', 'method', 'reciprocalSolver', 'pmeOrder', 'splitWidthA', 'realCutoffA', 'kCutoffPerA', 'planner']);

const num = hyperNumber;

/** Validate a plain JSON object into FkkHypers (defaults filled in); unknown keys are an error. */
export function parseFkkHypers(h: Record<string, unknown>, what = 'fkk descriptor'): FkkHypers {
  h = renameDeprecatedHypers(h, what);
  checkHyperObject(h, what, KEYS);
  const d = FKK_DEFAULTS;
  const out: FkkHypers = {
    zetaMaxPerA: num(h, 'zetaMaxPerA', what, (x) => x > 0, 'a positive exponent in Å⁻¹', d.zetaMaxPerA),
    scale: num(h, 'scale', what, (x) => x > 1, 'a mesh ratio > 1', d.scale),
    count: num(h, 'count', what, (x) => Number.isInteger(x) && x >= 1 && x <= 64, 'an integer in 1..64', d.count),
    smearingA: num(h, 'smearingA', what, (x) => x > 0, 'a positive Gaussian width in Å', d.smearingA),
    accuracy: num(h, 'accuracy', what, (x) => x > 0 && x < 1, 'an absolute error target in (0, 1)', d.accuracy),
    weight: num(h, 'weight', what, (x) => x >= 0, 'a block weight ≥ 0', d.weight),
    includeZero: h.includeZero === undefined ? d.includeZero : (h.includeZero as boolean),
    method: (h.method ?? d.method) as FkkMethod,
    reciprocalSolver: (h.reciprocalSolver ?? d.reciprocalSolver) as ReciprocalSolver,
    pmeOrder: num(h, 'pmeOrder', what, (x) => Number.isInteger(x) && x >= 4 && x <= 12, 'an integer B-spline order in 4..12', d.pmeOrder),
    planner: num(h, 'planner', what, (x) => x === 1 || x === 2 || x === 3, 'planner version 1, 2 or 3', d.planner) as 1 | 2 | 3,
  };
  if (typeof out.includeZero !== 'boolean') throw new FarfieldError('INVALID_INPUT', `${what}: 'includeZero' must be true or false`);
  if (!['auto', 'real', 'split', 'reciprocal'].includes(out.method))
    throw new FarfieldError('INVALID_INPUT', `${what}: 'method' must be one of auto, real, split, reciprocal; got ${JSON.stringify(h.method)}`);
  if (!['auto', 'ewald', 'pme'].includes(out.reciprocalSolver))
    throw new FarfieldError('INVALID_INPUT', `${what}: 'reciprocalSolver' must be one of auto, ewald, pme; got ${JSON.stringify(h.reciprocalSolver)}`);
  if (h.splitWidthA !== undefined) out.splitWidthA = num(h, 'splitWidthA', what, (x) => x > 0, 'a positive width in Å');
  if (h.realCutoffA !== undefined) out.realCutoffA = num(h, 'realCutoffA', what, (x) => x > 0, 'a positive cutoff in Å');
  if (h.kCutoffPerA !== undefined) out.kCutoffPerA = num(h, 'kCutoffPerA', what, (x) => x > 0, 'a positive cutoff in Å⁻¹');
  return out;
}

/** JSON form (only defined fields). */
export function fkkHypersToJSON(h: FkkHypers): Record<string, unknown> {
  const o: Record<string, unknown> = {
    zetaMaxPerA: h.zetaMaxPerA, scale: h.scale, count: h.count, smearingA: h.smearingA, accuracy: h.accuracy,
    weight: h.weight, includeZero: h.includeZero, method: h.method,
  };
  // written only when not the default, so model files of earlier versions round-trip unchanged
  if (h.reciprocalSolver !== 'auto') o.reciprocalSolver = h.reciprocalSolver;
  if (h.pmeOrder !== 6) o.pmeOrder = h.pmeOrder;
  // always written: a file without it plans with version 1 (written before the key existed)
  o.planner = h.planner;
  if (h.splitWidthA !== undefined) o.splitWidthA = h.splitWidthA;
  if (h.realCutoffA !== undefined) o.realCutoffA = h.realCutoffA;
  if (h.kCutoffPerA !== undefined) o.kCutoffPerA = h.kCutoffPerA;
  return o;
}

/** ζ_n = ζ_max s^{−(n−1)}, n = 1..N (descending), Å⁻¹. */
export function zetaMesh(h: Pick<FkkHypers, 'zetaMaxPerA' | 'scale' | 'count'>): Float64Array {
  return Float64Array.from({ length: h.count }, (_, n) => h.zetaMaxPerA * Math.pow(h.scale, -n));
}

/**
 * Pin the planner of FKK specs read from files written before `planner` existed (version 1: the plans they were
 * fitted with), in place, anywhere inside a descriptor spec (composite blocks included). Model loading calls it;
 * specs from users and configs get the current default.
 */
export function pinLegacyFkkPlanner(spec: unknown): void {
  if (!spec || typeof spec !== 'object') return;
  if (Array.isArray(spec)) {
    for (const v of spec) pinLegacyFkkPlanner(v);
    return;
  }
  const o = spec as Record<string, unknown>;
  const h = o.hypers;
  if (o.kind === 'fkk' && h && typeof h === 'object' && !Array.isArray(h) && !('planner' in h)) (h as Record<string, unknown>).planner = 1;
  for (const v of Object.values(o)) pinLegacyFkkPlanner(v);
}
