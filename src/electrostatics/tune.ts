/**
 * Accuracy → numerical parameters, in one place (DESIGN rule 4; LAMMPS's accuracy_relative idea).
 *
 * The user gives a relative RMS force accuracy ε (default 1e-6), relative to the force between two unit charges
 * 1 Å apart: absolute target ΔF = ε · k_e (eV/Å), split as ΔF/√2 for each of the real and reciprocal parts. With q² = k_e Σ_i Σ_c (q_i^c)², N atoms, volume V
 * (Kolafa & Perram, Mol. Simul. 9, 351 (1992), as used by LAMMPS ewald.cpp / science.md §3.4):
 *   real space        ΔF_r = 2 q² e^{−α² r_c²} / √(N r_c V)
 *   reciprocal space  ΔF_k = (2 q² α / L) √(1/(π m N)) e^{−(π m/(α L))²}  per direction (L = perpendicular width,
 *                     m = largest index), i.e. with k_c = 2π m / L the spherical cutoff e^{−k_c²/(4α²)} governs it.
 * Ewald: α = √π (N/V²)^{1/6} · f (cost balance of the two O(N^{3/2}) sums, f = EWALD_BALANCE measured by the bench),
 *        r_c from ΔF_r = ΔF, k_c from ΔF_k = ΔF.
 * PME:   candidate real cutoffs r_c around the density rule (≈ REAL_NEIGHBOURS neighbours, clamped to 5 … 12 Å);
 *        for each, α from ΔF_r = ΔF, then for each order p = 4 … 8 the mesh spacing from the measured SPME error
 *          ΔF/k_e ≈ S · c_p(αh) · α · (αh)^p · √(ρ_q / 0.032),   ρ_q = Σq²/V (e²/Å³), α in Å⁻¹, h = max_d L_d/K_d,
 *        c_p(αh) a table (PME_ERROR_TABLE) of the largest RMS reciprocal force error seen against a converged Ewald
 *        sum at the same α — random 512-ion ±1 melts at minimum separation 2 Å, cubic and triclinic, α = 0.36 and
 *        0.45 Å⁻¹ — and S = PME_SAFETY. K_d = smallest 2^a 3^b 5^c ≥ L_d/h (even, math/fftMixed.ts).
 *        Among all (r_c, p) the smallest estimated time wins (PME_COST, measured with the bench):
 *          t ≈ c_pair·(pairs tested) + C·(c_spline·N p³ + c_fft·M log₂ M),   pairs ≈ N · 3.7 · (4π/3) ρ r_c³ / 2.
 * Auto: Ewald below AUTO_PME_ATOMS atoms, else PME (crossover measured with `npm run bench -- electrostatics` at 1e-6:
 *       equal CPU time at 64 ions, PME 1.3× faster at 216 and 10× at 512);
 *       open boundaries → direct sum.
 * Every value can be overridden; the result records estimates of the real- and reciprocal-space errors (eV/Å).
 */
import { COULOMB_EV_A, FarfieldError, cellVolume, cellWidths } from '../core/index.js';
import { nextFftSize } from '../math/index.js';
import type { ElectrostaticsSystem, Method, SolverParameters } from './solve.js';

export const EWALD_BALANCE = 1.0;
export const REAL_NEIGHBOURS = 120;
export const AUTO_PME_ATOMS = 100;
export const DEFAULT_ORDER = 6;
/** Requested accuracies at or above this use the tabulated real-space kernel (its error is ≲ 1e-7 relative). */
export const TABLE_MIN_ACCURACY = 1e-7;
/** Safety factor on the measured SPME error (the requested accuracy is an RMS bound, not a typical value). */
export const PME_SAFETY = 1.5;
/**
 * Measured c_p(αh) (see the module doc): rows p = 4 … 8, columns αh = 0.15, 0.19, 0.24, 0.30, 0.38, 0.46, 0.57.
 * Linear interpolation in αh; below 0.15 c grows as (0.15/αh)^½ (the error decays a little slower than h^p for
 * small p), above 0.57 the last value ×2 (not used at practical accuracies).
 */
export const PME_ERROR_TABLE: { x: number[]; c: Record<number, number[]> } = {
  x: [0.15, 0.19, 0.24, 0.3, 0.38, 0.46, 0.57],
  c: {
    4: [0.102, 0.086, 0.073, 0.062, 0.053, 0.05, 0.048],
    5: [0.032, 0.028, 0.025, 0.023, 0.023, 0.025, 0.034],
    6: [0.02, 0.018, 0.016, 0.015, 0.016, 0.019, 0.024],
    7: [0.0087, 0.0082, 0.0079, 0.009, 0.011, 0.017, 0.033],
    8: [0.0066, 0.0062, 0.0064, 0.0075, 0.0098, 0.016, 0.028],
  },
};
/** Time constants (ns) of the cost model: per real-space pair tested, per N·p³ (spread + gather), per M log₂ M. */
export const PME_COST = { pair: 15, spline: 5, fft: 2.5 };

/** c_p(αh) of the SPME error model (orders outside 4 … 8 use the nearest tabulated order; odd orders below 4 use 4). */
export function pmeErrorConstant(order: number, alphaH = 0.3): number {
  const p = Math.min(8, Math.max(4, Math.round(order)));
  const { x, c } = PME_ERROR_TABLE;
  const row = c[p];
  if (alphaH <= x[0]) return row[0] * Math.sqrt(x[0] / Math.max(alphaH, 1e-6)) * (order < 4 ? 10 : 1);
  for (let k = 1; k < x.length; k++)
    if (alphaH <= x[k]) return (row[k - 1] + ((alphaH - x[k - 1]) / (x[k] - x[k - 1])) * (row[k] - row[k - 1])) * (order < 4 ? 10 : 1);
  return 2 * row[row.length - 1] * (order < 4 ? 10 : 1);
}

/** Estimated RMS reciprocal-space force error relative to k_e for order p, splitting α and spacing h. */
export function pmeRelativeError(order: number, alpha: number, h: number, chargeDensity: number): number {
  const x = alpha * h;
  return PME_SAFETY * pmeErrorConstant(order, x) * alpha * Math.pow(x, order) * Math.sqrt(Math.max(chargeDensity, 1e-12) / 0.032);
}

/** Mesh for order p meeting the relative accuracy (lengths 2^a 3^b 5^c, even, ≥ p). */
export function pmeMesh(widths: readonly number[], alpha: number, order: number, accuracy: number, chargeDensity: number): [number, number, number] {
  // the error grows monotonically with h: bisect on αh
  let lo = 1e-4, hi = 1.5;
  if (pmeRelativeError(order, alpha, hi / alpha, chargeDensity) <= accuracy) lo = hi;
  else
    for (let it = 0; it < 60; it++) {
      const mid = 0.5 * (lo + hi);
      if (pmeRelativeError(order, alpha, mid / alpha, chargeDensity) <= accuracy) lo = mid;
      else hi = mid;
    }
  const h = lo / alpha;
  return widths.map((L) => nextFftSize(Math.max(Math.ceil(L / h - 1e-9), order), true)) as [number, number, number];
}

export interface TuneOptions {
  /** Relative RMS force accuracy (default 1e-6). */
  accuracy?: number;
  method?: Method | 'auto';
  alpha?: number;
  realCutoffA?: number;
  kCutoff?: number;
  mesh?: [number, number, number];
  order?: number;
}

export interface TunedParameters extends SolverParameters {
  accuracy: number;
  /** Estimated RMS force errors (eV/Å) of the two parts, where defined. */
  realErrorEvPerA?: number;
  reciprocalErrorEvPerA?: number;
}

function realError(q2: number, alpha: number, rc: number, n: number, V: number): number {
  return (2 * q2 * Math.exp(-alpha * alpha * rc * rc)) / Math.sqrt(n * rc * V);
}

function kError(q2: number, alpha: number, kc: number, L: number, n: number): number {
  const m = Math.max(1, (kc * L) / (2 * Math.PI));
  return ((2 * q2 * alpha) / L) * Math.sqrt(1 / (Math.PI * m * n)) * Math.exp(-(kc * kc) / (4 * alpha * alpha));
}

/** Resolve solver parameters for the charges (N × channels) of a system. */
export function tuneElectrostatics(sys: ElectrostaticsSystem, charges: Float64Array, options: TuneOptions = {}): TunedParameters {
  const accuracy = options.accuracy ?? 1e-6;
  if (!(accuracy > 0 && accuracy < 1)) throw new FarfieldError('INVALID_INPUT', `accuracy must be a relative force accuracy in (0, 1), got ${accuracy}`);
  const n = sys.positions.length / 3;
  const periodic = sys.pbc[0] && sys.pbc[1] && sys.pbc[2];
  let method = options.method ?? 'auto';
  if (method === 'auto') method = !(sys.pbc[0] || sys.pbc[1] || sys.pbc[2]) ? 'direct' : n < AUTO_PME_ATOMS ? 'ewald' : 'pme';
  if (method === 'direct') return { method, accuracy };
  if (!periodic) throw new FarfieldError('UNSUPPORTED', `${method} needs a 3-D periodic cell; use method 'direct' for open systems`);
  const V = cellVolume(sys.cell);
  const widths = cellWidths(sys.cell);
  let q2 = 0;
  for (let k = 0; k < charges.length; k++) q2 += charges[k] * charges[k];
  q2 = Math.max(q2, 1e-30) * COULOMB_EV_A;
  // each of the two independent parts gets ΔF/√2 so that the combined RMS error meets the request
  const target = (accuracy * COULOMB_EV_A) / Math.SQRT2;

  const rcFor = (alpha: number): number => {
    let rc = Math.sqrt(-Math.log(accuracy)) / alpha;
    for (let it = 0; it < 30; it++) {
      const arg = (target * Math.sqrt(n * rc * V)) / (2 * q2);
      const next = arg >= 1 ? 1 / alpha : Math.sqrt(-Math.log(arg)) / alpha;
      if (Math.abs(next - rc) < 1e-10 * rc) break;
      rc = next;
    }
    return rc;
  };
  const kcFor = (alpha: number): number => {
    let kc = 0;
    for (const L of widths) {
      let m = 1;
      while (kError(q2, alpha, (2 * Math.PI * m) / L, L, n) > target && m < 100000) m++;
      kc = Math.max(kc, (2 * Math.PI * m) / L);
    }
    return kc * (1 + 1e-9);
  };

  let alpha: number, rc: number;
  const channels = Math.max(1, Math.round(charges.length / Math.max(n, 1)));
  const rho = q2 / COULOMB_EV_A / V;
  const acc2 = accuracy / Math.SQRT2;
  const alphaFor = (r: number): number => {
    const arg = (target * Math.sqrt(n * r * V)) / (2 * q2);
    return arg >= 1 ? 1 / r : Math.sqrt(-Math.log(arg)) / r;
  };
  let order = options.order ?? DEFAULT_ORDER;
  let mesh = options.mesh;
  if (method === 'ewald') {
    alpha = options.alpha ?? Math.sqrt(Math.PI) * Math.pow(n / (V * V), 1 / 6) * EWALD_BALANCE;
    rc = options.realCutoffA ?? rcFor(alpha);
  } else {
    const density = n / V;
    const rc0 = Math.min(12, Math.max(5, Math.cbrt((3 * REAL_NEIGHBOURS) / (4 * Math.PI * density))));
    const rcs = options.realCutoffA !== undefined ? [options.realCutoffA] : options.alpha !== undefined ? [rc0] : [0.8, 0.9, 1, 1.1, 1.25].map((f) => f * rc0);
    const orders = options.order !== undefined ? [options.order] : [4, 5, 6, 7, 8];
    let best = Infinity;
    rc = rcs[0];
    alpha = options.alpha ?? alphaFor(rc);
    for (const r of rcs) {
      const a = options.alpha ?? alphaFor(r);
      const pairs = (n * 3.7 * (4 * Math.PI / 3) * density * r * r * r) / 2;
      for (const p of orders) {
        const m = options.mesh ?? pmeMesh(widths, a, p, acc2, rho);
        const M = m[0] * m[1] * m[2];
        const cost = PME_COST.pair * pairs + channels * (PME_COST.spline * n * p * p * p + PME_COST.fft * M * Math.log2(Math.max(M, 2)));
        if (cost < best) { best = cost; rc = r; alpha = a; order = p; mesh = m; }
      }
    }
  }
  const out: TunedParameters = { method, accuracy, alpha, realCutoffA: rc, realErrorEvPerA: realError(q2, alpha, rc, n, V) };
  if (accuracy >= TABLE_MIN_ACCURACY) out.realSpaceTable = true;
  if (method === 'ewald') {
    const kc = options.kCutoff ?? kcFor(alpha);
    out.kCutoff = kc;
    out.reciprocalErrorEvPerA = Math.max(...widths.map((L) => kError(q2, alpha, kc, L, n)));
  } else {
    mesh = mesh ?? pmeMesh(widths, alpha, order, acc2, rho);
    out.order = order;
    out.mesh = mesh;
    const h = Math.max(...widths.map((L, d) => L / mesh![d]));
    out.reciprocalErrorEvPerA = COULOMB_EV_A * pmeRelativeError(order, alpha, h, rho);
  }
  return out;
}

/** One line per parameter, for CLI output. */
export function describeParameters(p: TunedParameters | SolverParameters): string {
  const parts = [`method ${p.method}`];
  if (p.alpha !== undefined) parts.push(`alpha ${p.alpha.toFixed(5)} Å⁻¹`);
  if (p.realCutoffA !== undefined) parts.push(`real cutoff ${p.realCutoffA.toFixed(4)} Å`);
  if (p.kCutoff !== undefined) parts.push(`k cutoff ${p.kCutoff.toFixed(4)} Å⁻¹`);
  if (p.mesh) parts.push(`mesh ${p.mesh.join('×')} order ${p.order}`);
  if (p.realSpaceTable) parts.push('tabulated real space');
  const t = p as TunedParameters;
  if (t.accuracy !== undefined) parts.push(`accuracy ${t.accuracy}`);
  if (t.realErrorEvPerA !== undefined) parts.push(`est. real error ${t.realErrorEvPerA.toExponential(2)} eV/Å`);
  if (t.reciprocalErrorEvPerA !== undefined) parts.push(`est. k-space error ${t.reciprocalErrorEvPerA.toExponential(2)} eV/Å`);
  return parts.join(', ');
}
