/**
 * Tabulated real-space pair functions of the FKK descriptor (the 'real' channels' 𝒮_ζ,σ(d) and the 'split'
 * channels' short part r(d) = 𝒮_ζ,σ(d) − l(d), pairFunction.ts), as the electrostatics real space tabulates its
 * kernel: evaluated analytically each costs two to six erfcx/exp per pair and channel; from the table, one quintic
 * polynomial per channel.
 *
 * Table: one quintic Hermite spline per channel (math/spline.ts) on a uniform grid d ∈ [0, r_c], built from the exact
 * f, f′ and a five-point central difference of f′ for f″ (step δ = h/16; f is even in d, so f′(−d) = −f′(d) near 0).
 * The functions are premultiplied by the channel prefactor √β Y₀₀ N_n. Forces use the derivative of the same
 * piece, so they are exact derivatives of the tabulated features.
 * Grid step h = min(σ, 1/ζ_max)/PAIR_TABLE_POINTS_PER_WIDTH: every function varies on a length ≥ min(σ, 1/ζ) (the
 * split's long part is smoother, width σ′ > σ). Quintic Hermite error ≤ h⁶ max|f⁽⁶⁾|/46080 in f and O(h⁵) in f′;
 * with 40 points per width that is ≈ 1e-14 of max|f| (test/descriptors/longRange/pairTable.test.ts checks the table
 * against the analytic form at random distances, and that a table 8× coarser fails the same check).
 * Memory: 6 doubles per interval and channel (r_c = 10 Å, h = 0.0125 Å, 8 channels: 300 kB).
 */
import { HermiteSplineSet } from '../../math/index.js';

/** Grid points per smallest length scale min(σ, 1/ζ_max) of the tabulated functions. */
export const PAIR_TABLE_POINTS_PER_WIDTH = 40;

/** f(d) into out[0], f′(d) into out[1]. */
export type PairFunction = (d: number, out: Float64Array) => void;

/** Quintic Hermite table of several pair functions on [0, cutoffA] with the given grid step. */
export function tabulatePairFunctions(functions: readonly PairFunction[], prefactors: ArrayLike<number>, cutoffA: number, stepA: number): HermiteSplineSet {
  const F = functions.length, intervals = Math.max(4, Math.ceil(cutoffA / stepA));
  const h = cutoffA / intervals, delta = h / 16, tmp = new Float64Array(2);
  const slope = (f: PairFunction, d: number): number => {
    f(Math.abs(d), tmp);
    return d < 0 ? -tmp[1] : tmp[1];
  };
  return HermiteSplineSet.tabulate(0, cutoffA, intervals, F, 5, (d, v, d1, d2) => {
    for (let n = 0; n < F; n++) {
      const f = functions[n], p = prefactors[n];
      f(d, tmp);
      v[n] = p * tmp[0];
      d1[n] = p * tmp[1];
      const s = (-slope(f, d + 2 * delta) + 8 * slope(f, d + delta) - 8 * slope(f, d - delta) + slope(f, d - 2 * delta)) / (12 * delta);
      d2[n] = p * s;
    }
  });
}

/** Grid step for functions whose smallest length scale is min(σ, 1/ζ_max). */
export function pairTableStep(sigmaA: number, zetaMaxPerA: number): number {
  const width = Math.min(sigmaA > 0 ? sigmaA : Infinity, 1 / zetaMaxPerA);
  return width / PAIR_TABLE_POINTS_PER_WIDTH;
}
