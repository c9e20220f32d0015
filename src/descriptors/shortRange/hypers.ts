/**
 * Hyperparameters of the VASP-style short-range descriptors (science.md §1.4–1.7), with VASP's INCAR tag names and
 * defaults. One typed object per descriptor kind; `resolve*` fills defaults, validates (unknown keys, types, ranges)
 * and returns a complete object, so `toJSON()` of a descriptor is explicit and round-trips.
 */
import { FarfieldError, didYouMean } from '../../core/index.js';

/** Radial (2-body) descriptor X⁽²⁾ — kind 'radial'. */
export interface RadialHypers {
  /** ML_RCUT1: cutoff radius R⁽²⁾ in Å (default 8). */
  cutoffA: number;
  /** ML_SION1: Gaussian width σ of the atomic density in Å (default 0.5). */
  smearingA: number;
  /** ML_MRB1: number of radial basis functions N_R⁰ (default 12). */
  nmax: number;
}

/** Angular (3-body) descriptor X⁽³⁾ — kind 'angular'. */
export interface AngularHypers {
  /** ML_RCUT2: cutoff radius R⁽³⁾ in Å (default 5). */
  cutoffA: number;
  /** ML_SION2: Gaussian width σ in Å (default 0.5). */
  smearingA: number;
  /** ML_MRB2: number of radial basis functions N_R^l (default 8). */
  nmax: number;
  /** ML_LMAX2: maximum angular momentum L_max (default 3 with the angular filter, 6 without). */
  lmax: number;
  /** ML_LAFILT2: apply the angular filter η_l = 1/(1 + a[l(l+1)]²) to every c_nlm (default true). */
  filter: boolean;
  /** ML_AFILT2: filter strength a (default 0.002). */
  filterStrength: number;
}

/** Full short-range descriptor X = (√β⁽²⁾ X⁽²⁾, √β⁽³⁾ X⁽³⁾) — kind 'sr'. */
export interface ShortRangeHypers {
  radial: RadialHypers;
  angular: AngularHypers;
  /** ML_W1: weight β⁽²⁾ of the radial block (default 0.1); features are scaled by √β. */
  radialWeight: number;
  /** β⁽³⁾, weight of the angular block (default 0.9; VASP uses 1 − ML_W1). */
  angularWeight: number;
}

export const RADIAL_DEFAULTS: Readonly<RadialHypers> = Object.freeze({ cutoffA: 8, smearingA: 0.5, nmax: 12 });
export const ANGULAR_DEFAULTS: Readonly<Omit<AngularHypers, 'lmax'>> = Object.freeze({ cutoffA: 5, smearingA: 0.5, nmax: 8, filter: true, filterStrength: 0.002 });

type Raw = Record<string, unknown>;

function asObject(raw: unknown, what: string): Raw {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FarfieldError('INVALID_INPUT', `${what}: hyperparameters must be an object`);
  return raw as Raw;
}

function checkKeys(raw: Raw, allowed: readonly string[], what: string): void {
  const bad = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (bad.length) throw new FarfieldError('INVALID_INPUT', `${what}: unknown hyperparameter(s) ${bad.join(', ')}${didYouMean(bad[0], allowed)} (expected: ${allowed.join(', ')})`);
}

function num(raw: Raw, key: string, def: number, what: string, check: (x: number) => boolean, expected: string): number {
  const v = raw[key] ?? def;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new FarfieldError('INVALID_INPUT', `${what}.${key} must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}

const positive = (x: number): boolean => x > 0;
const intIn = (lo: number, hi: number) => (x: number): boolean => Number.isInteger(x) && x >= lo && x <= hi;

export function resolveRadialHypers(input: unknown, what = 'radial descriptor'): RadialHypers {
  const raw = asObject(input, what);
  checkKeys(raw, ['cutoffA', 'smearingA', 'nmax'], what);
  return {
    cutoffA: num(raw, 'cutoffA', RADIAL_DEFAULTS.cutoffA, what, positive, 'a cutoff > 0 Å (ML_RCUT1)'),
    smearingA: num(raw, 'smearingA', RADIAL_DEFAULTS.smearingA, what, positive, 'a width > 0 Å (ML_SION1)'),
    nmax: num(raw, 'nmax', RADIAL_DEFAULTS.nmax, what, intIn(1, 64), 'an integer in 1..64 (ML_MRB1)'),
  };
}

export function resolveAngularHypers(input: unknown, what = 'angular descriptor'): AngularHypers {
  const raw = asObject(input, what);
  checkKeys(raw, ['cutoffA', 'smearingA', 'nmax', 'lmax', 'filter', 'filterStrength'], what);
  const filter = raw.filter ?? ANGULAR_DEFAULTS.filter;
  if (typeof filter !== 'boolean') throw new FarfieldError('INVALID_INPUT', `${what}.filter must be true or false (ML_LAFILT2), got ${JSON.stringify(filter)}`);
  return {
    cutoffA: num(raw, 'cutoffA', ANGULAR_DEFAULTS.cutoffA, what, positive, 'a cutoff > 0 Å (ML_RCUT2)'),
    smearingA: num(raw, 'smearingA', ANGULAR_DEFAULTS.smearingA, what, positive, 'a width > 0 Å (ML_SION2)'),
    nmax: num(raw, 'nmax', ANGULAR_DEFAULTS.nmax, what, intIn(1, 32), 'an integer in 1..32 (ML_MRB2)'),
    lmax: num(raw, 'lmax', filter ? 3 : 6, what, intIn(0, 12), 'an integer in 0..12 (ML_LMAX2)'),
    filter,
    filterStrength: num(raw, 'filterStrength', ANGULAR_DEFAULTS.filterStrength, what, (x) => x >= 0, 'a number ≥ 0 (ML_AFILT2)'),
  };
}

export function resolveShortRangeHypers(input: unknown, what = 'sr descriptor'): ShortRangeHypers {
  const raw = asObject(input, what);
  checkKeys(raw, ['radial', 'angular', 'radialWeight', 'angularWeight'], what);
  const nonneg = (x: number): boolean => x >= 0;
  return {
    radial: resolveRadialHypers(raw.radial, `${what}.radial`),
    angular: resolveAngularHypers(raw.angular, `${what}.angular`),
    radialWeight: num(raw, 'radialWeight', 0.1, what, nonneg, 'a weight ≥ 0 (ML_W1)'),
    angularWeight: num(raw, 'angularWeight', 0.9, what, nonneg, 'a weight ≥ 0'),
  };
}
