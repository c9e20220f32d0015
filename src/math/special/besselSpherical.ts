/**
 * Spherical Bessel functions of the first kind j_l(x) (real x ≥ 0), their derivatives, and their positive zeros.
 *
 *   j_0(x) = sin x / x,  j_1(x) = sin x / x² − cos x / x,  j_{l+1}(x) = (2l+1)/x · j_l(x) − j_{l−1}(x).
 *   j_l'(x) = [l j_{l−1}(x) − (l+1) j_{l+1}(x)] / (2l+1)   (no 1/x: regular at x = 0; j_0' = −j_1).
 *
 * Method (all orders 0..lmax at once, `sphericalBesselJArray`):
 * - x < 1: power series j_l(x) = x^l/(2l+1)!! Σ_k (−x²/2)^k / (k! (2l+3)(2l+5)…(2l+2k+1)) (terms fall fast);
 * - x ≥ lmax (and ≥ 1): upward recurrence from j_0, j_1 (stable while l ≤ x);
 * - 1 ≤ x < lmax: the upward recurrence up to l ≈ x, then Miller's downward recurrence for the orders above,
 *   started well beyond lmax and normalised to the upward value at the hand-over order.
 * Accuracy: ~1e-15 relative where |j_l| is not near a zero (checked against mpmath in test/math).
 * Zeros: the n-th positive zero of j_l is bracketed by consecutive zeros of j_{l−1} (interlacing) and found by Brent;
 * j_0's zeros are nπ. Reference: Abramowitz & Stegun §10.1; DLMF §10.49, §10.51, §10.21(i).
 */
import { brent } from '../roots.js';

/** j_l(x) for l = 0..lmax into out (length ≥ lmax+1). x ≥ 0. Returns out. */
export function sphericalBesselJArray(lmax: number, x: number, out: Float64Array = new Float64Array(lmax + 1)): Float64Array {
  if (x < 1) {
    seriesJ(lmax, x, out);
    return out;
  }
  const s = Math.sin(x), c = Math.cos(x);
  out[0] = s / x;
  if (lmax === 0) return out;
  out[1] = s / (x * x) - c / x;
  // upward while stable (l < x)
  const lUp = Math.min(lmax, Math.max(1, Math.floor(x)));
  for (let l = 1; l < lUp; l++) out[l + 1] = ((2 * l + 1) / x) * out[l] - out[l - 1];
  if (lUp === lmax) return out;
  // Miller downward recurrence for orders lUp..lmax: unnormalised t_l from a start far above lmax, then scaled to
  // the upward value at lUp or lUp−1 (whichever is larger, so a zero of one of them does not spoil the scale).
  const start = lmax + 24 + Math.ceil(Math.sqrt(40 * lmax));
  const t = new Float64Array(lmax + 1);
  let hi = 0, cur = 1e-300;
  for (let l = start; l >= lUp; l--) {
    const lo = ((2 * l + 1) / x) * cur - hi;
    if (l <= lmax) t[l] = cur;
    if (l === lUp) t[l - 1] = lo;
    hi = cur;
    cur = lo;
    if (Math.abs(cur) > 1e250) {
      hi *= 1e-250; cur *= 1e-250;
      for (let k = Math.max(l, lUp - 1); k <= lmax; k++) t[k] *= 1e-250;
    }
  }
  const a = out[lUp], b = out[lUp - 1];
  const scale = Math.abs(a) > Math.abs(b) ? a / t[lUp] : b / t[lUp - 1];
  for (let l = lUp + 1; l <= lmax; l++) out[l] = t[l] * scale;
  return out;
}

function seriesJ(lmax: number, x: number, out: Float64Array): void {
  const x2 = 0.5 * x * x;
  let pref = 1; // x^l / (2l+1)!!
  for (let l = 0; l <= lmax; l++) {
    if (l > 0) pref *= x / (2 * l + 1);
    let term = 1, sum = 1;
    for (let k = 1; k < 40; k++) {
      term *= -x2 / (k * (2 * l + 2 * k + 1));
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    out[l] = pref * sum;
  }
}

/** j_l(x) for one order. */
export function sphericalBesselJ(l: number, x: number): number {
  return sphericalBesselJArray(l, x)[l];
}

/**
 * j_l(x) and j_l'(x) for l = 0..lmax (`values`, `derivs`, length ≥ lmax+1). Uses j_{lmax+1} internally.
 */
export function sphericalBesselJWithDerivative(lmax: number, x: number, values: Float64Array, derivs: Float64Array): void {
  const j = sphericalBesselJArray(lmax + 1, x);
  for (let l = 0; l <= lmax; l++) {
    values[l] = j[l];
    derivs[l] = l === 0 ? -j[1] : (l * j[l - 1] - (l + 1) * j[l + 1]) / (2 * l + 1);
  }
}

/** j_l'(x) for one order. */
export function sphericalBesselJDerivative(l: number, x: number): number {
  const v = new Float64Array(l + 1), d = new Float64Array(l + 1);
  sphericalBesselJWithDerivative(l, x, v, d);
  return d[l];
}

/**
 * The first `count` positive zeros of j_l, ascending. Zeros of j_l and j_{l+1} interlace (DLMF 10.21(i)):
 * between two consecutive zeros of j_{l−1} lies exactly one zero of j_l; start from j_0's zeros nπ.
 * Accuracy: Brent to ~1e-15 relative.
 */
export function sphericalBesselJZeros(l: number, count: number): Float64Array {
  if (!Number.isInteger(l) || l < 0 || !Number.isInteger(count) || count < 0) throw new RangeError(`sphericalBesselJZeros: need integer l ≥ 0, count ≥ 0 (got ${l}, ${count})`);
  let z = Float64Array.from({ length: count + l }, (_, k) => (k + 1) * Math.PI);
  for (let ll = 1; ll <= l; ll++) {
    const next = new Float64Array(z.length - 1);
    const f = (x: number): number => sphericalBesselJ(ll, x);
    for (let k = 0; k < next.length; k++) next[k] = brent(f, z[k], z[k + 1], 1e-15);
    z = next;
  }
  return z.slice(0, count);
}
