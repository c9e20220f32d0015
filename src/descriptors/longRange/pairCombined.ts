/**
 * The FKK real-space reverse pass for an upstream gradient that depends on the atom's species only (what a linear
 * kernel on the FKK block gives, e.g. the sr+lr models' lr block in MD): then the reverse weight of a pair (i, k),
 *   dsum(d) = Σ_r (g[i, t(k), n_r] + g[k, t(i), n_r]) f′_r(d) = Σ_r c^{t(i)t(k)}_r f′_r(d),
 *   c^{ab}_r = a[a, b, n_r] + a[b, a, n_r]   (a[t, J, n]: the upstream row of species t),
 * is ONE function of d per ordered species pair, h_ab(d) = Σ_r c^{ab}_r f′_r(d). Its quintic pieces are the same
 * combination of the channels' pieces (the spline of a sum is the sum of the splines), so one derivative evaluation
 * per pair replaces one per channel; the result differs from the channel-by-channel sum by rounding only.
 * Channels end at their own cutoffs R_r ≤ the table's end: an interval wholly below R_r takes channel r, one wholly at
 * or above leaves it out, and the few intervals a cutoff falls in are marked for the channel-by-channel path.
 */
import type { HermiteSplineSet } from '../../math/index.js';

/**
 * Upstream rows per species on the columns of `cols` (a, T × W: row of the first atom of each species, absent
 * species 0) if every atom's row equals its species' row there, else null. g: N × W (one upstream).
 */
export function speciesConstantRows(g: Float64Array, types: Int32Array, T: number, W: number, Nn: number, cols: Int32Array): Float64Array | null {
  const N = types.length, rep = new Int32Array(T).fill(-1);
  for (let i = 0; i < N; i++) if (rep[types[i]] < 0) rep[types[i]] = i;
  for (let i = 0; i < N; i++) {
    const r = rep[types[i]];
    if (r === i) continue;
    const a = i * W, b = r * W;
    for (let J = 0; J < T; J++)
      for (let q = 0; q < cols.length; q++) {
        const o = J * Nn + cols[q];
        if (g[a + o] !== g[b + o]) return null;
      }
  }
  const rows = new Float64Array(T * W);
  for (let t = 0; t < T; t++) if (rep[t] >= 0) rows.set(g.subarray(rep[t] * W, (rep[t] + 1) * W), t * W);
  return rows;
}

/** Combined derivative pieces per ordered species pair, and the intervals left to the channel-by-channel path. */
export interface CombinedDerivative {
  /** Pieces of h_ab at ((a·T + b)·intervals + k)·6: a₀ … a₅ of the combined quintic (value coefficients). */
  coef: Float64Array;
  /** 1 where some channel's cutoff falls inside interval k. */
  mixed: Uint8Array;
  intervals: number;
  invStep: number;
  x0: number;
}

/**
 * h_ab from the channel table (functions r = 0 … R−1 of `table`, channel r ending at `cutoffs[r]`) and the species
 * rows (speciesConstantRows): c^{ab}_r = rows[a, b·Nn + n_r] + rows[b, a·Nn + n_r].
 */
export function combinedDerivative(table: HermiteSplineSet, cutoffs: Float64Array, rows: Float64Array, T: number, W: number, Nn: number, cols: Int32Array): CombinedDerivative {
  const { coefficients: c, invStep } = table.packed();
  const K = table.intervals, F = table.functions, st = table.degree + 1, step = table.step, x0 = table.x0;
  const R = cols.length, tol = 1e-9 * step;
  // per interval and channel: 1 wholly inside the channel's cutoff, 0 wholly outside, mixed otherwise
  const mixed = new Uint8Array(K), inside = new Uint8Array(K * R);
  for (let k = 0; k < K; k++) {
    const lo = x0 + k * step, hi = x0 + (k + 1) * step;
    for (let r = 0; r < R; r++) {
      if (hi + tol <= cutoffs[r]) inside[k * R + r] = 1;
      else if (lo - tol < cutoffs[r]) mixed[k] = 1;
    }
  }
  const coef = new Float64Array(T * T * K * 6), w = new Float64Array(R);
  for (let a = 0; a < T; a++)
    for (let b = 0; b < T; b++) {
      for (let r = 0; r < R; r++) w[r] = rows[a * W + b * Nn + cols[r]] + rows[b * W + a * Nn + cols[r]];
      const base = (a * T + b) * K * 6;
      for (let k = 0; k < K; k++) {
        if (mixed[k]) continue;
        const o = base + k * 6;
        for (let r = 0; r < R; r++) {
          if (!inside[k * R + r] || w[r] === 0) continue;
          const s = (k * F + r) * st;
          for (let j = 0; j < st; j++) coef[o + j] += w[r] * c[s + j];
        }
      }
    }
  return { coef, mixed, intervals: K, invStep, x0 };
}
