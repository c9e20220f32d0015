/**
 * Cheap two-sided bounds on the per-atom (and total) energy σ of a kernel model, O(N·m·K) instead of O(N·m·rank)
 * (issue 15: a proxy cheap enough for every MD step; the exact force σ is then needed only at candidate steps).
 *
 * With the posterior Σ = C Cᵀ = Σ_k s_k² v_k v_kᵀ (eigen-decomposition, v_k orthonormal in R^M, s_k² ascending) and
 * a feature row φ (φ_i of one atom, or φ = Σ_i φ_i for the total energy), split the directions into a kept set S
 * (K directions) and the rest R:
 *   σ² = φᵀΣφ = Σ_{k∈S} s_k² (φ·v_k)² + Σ_{k∈R} s_k² (φ·v_k)²,   Σ_{k∈R} (φ·v_k)² = q := |φ|² − Σ_{k∈S} (φ·v_k)²
 * (when the v_k span R^M; otherwise the missing directions have s² = 0 and carry the rest of |φ|²). Hence
 *   σ²_S + s²_lo·q ≤ σ² ≤ σ²_S + s²_hi·q,   s²_lo = min_R s² (0 when rank < M), s²_hi = max_R s²,
 * a rigorous bound for every structure up to round-off: both bounds are widened by a = 8·√rank·ε_mach·|φ|²·s²_max,
 * because q is a difference of large numbers when φ lies almost entirely in the well-determined directions (the
 * total energy's φ: σ(E) is then tiny next to |φ|·s_max; measured discrepancies ≈ 1e-5 relative on σ, of the same
 * size as the round-off of the exact path itself). |φ_i|² = 1 + Σ_b K(X_i, X_b)² comes from the kernel
 * matrix the force call already has, so the cost is the N × m × K GEMM for the projections φ_i·v_k.
 * S is chosen to make s²_hi − s²_lo smallest: the a smallest and K − a largest eigenvalues for the best a. For the
 * Bayesian posterior (Σ = (βA + αI)⁻¹, solvers.ts) the top of the spectrum is flat at 1/α (directions the data do
 * not determine) and the bottom holds the well-determined directions, so S is mostly the bottom and the bound
 * width is (1/α − s²_{K+1})·q: tight when a structure's φ lies in the span of the kept well-determined directions
 * or in the undetermined ones, loosest in between. The point estimate uses the mean of s² over R.
 * The eigen-decomposition is computed once per model from the rank × rank Gram matrix CᵀC (columns of C that are
 * already orthogonal, as the Bayesian and SVD solvers store them, are used directly).
 */
import { getLinalg, symmetricEigen } from '../math/index.js';

/** Σ = V diag(values) Vᵀ, values ascending, V: M × rank (row-major), orthonormal columns. */
export interface CovarianceSpectrum {
  m: number;
  rank: number;
  values: Float64Array;
  vectors: Float64Array;
}

/** Eigen-decomposition of Σ = C Cᵀ from the factor C (M × rank, row-major). */
export function covarianceSpectrum(factor: { rank: number; data: Float64Array }, m: number): CovarianceSpectrum {
  const r = factor.rank, c = factor.data;
  const g = new Float64Array(r * r);
  getLinalg().gemm(r, r, m, c, c, g, { transA: true });
  let orthogonal = true;
  for (let a = 0; a < r && orthogonal; a++)
    for (let b = a + 1; b < r; b++)
      if (Math.abs(g[a * r + b]) > 1e-9 * Math.sqrt(g[a * r + a] * g[b * r + b]) + 1e-300) {
        orthogonal = false;
        break;
      }
  let vals: Float64Array, vecs: Float64Array; // vecs: M × r, column k ↔ vals[k]
  if (orthogonal) {
    vals = new Float64Array(r);
    vecs = new Float64Array(m * r);
    for (let k = 0; k < r; k++) vals[k] = g[k * r + k];
    for (let j = 0; j < m; j++)
      for (let k = 0; k < r; k++) vecs[j * r + k] = vals[k] > 0 ? c[j * r + k] / Math.sqrt(vals[k]) : 0;
  } else {
    const e = symmetricEigen(g, r); // G = W Λ Wᵀ; Σ's eigenvectors v_k = C w_k / √λ_k
    vals = Float64Array.from(e.values, (x) => Math.max(0, x));
    vecs = new Float64Array(m * r);
    getLinalg().gemm(m, r, r, c, e.vectors, vecs);
    for (let k = 0; k < r; k++) {
      const f = vals[k] > 0 ? 1 / Math.sqrt(vals[k]) : 0;
      for (let j = 0; j < m; j++) vecs[j * r + k] *= f;
    }
  }
  // sort ascending, drop zero directions (they carry no variance; the rest of |φ|² then sits at s² = 0)
  const order = Array.from(vals.keys()).filter((k) => vals[k] > 0).sort((a, b) => vals[a] - vals[b]);
  const rank = order.length;
  const values = Float64Array.from(order, (k) => vals[k]);
  const vectors = new Float64Array(m * rank);
  for (let j = 0; j < m; j++) for (let q = 0; q < rank; q++) vectors[j * rank + q] = vecs[j * r + order[q]];
  return { m, rank, values, vectors };
}

/** The kept directions and the spectral range of the rest (see the module header). */
export interface EnergyBoundPlan {
  /** K kept directions. */
  count: number;
  /** Their s² (K). */
  values: Float64Array;
  /** M × K, row-major: v_k for the kept k. */
  vectors: Float64Array;
  /** min / mean / max of s² over the rest (0 for directions outside the factor's span). */
  restLow: number;
  restMean: number;
  restHigh: number;
  /** a / |φ|² of the round-off allowance (module header). */
  roundOff: number;
}

/** Keep `directions` eigen-directions chosen to make the rest's spectral range smallest. */
export function energyBoundPlan(sp: CovarianceSpectrum, directions: number): EnergyBoundPlan {
  const r = sp.rank, m = sp.m, v = sp.values;
  const k = Math.max(0, Math.min(r, Math.floor(directions)));
  const complete = r === m;
  let best = 0, width = Infinity;
  for (let a = 0; a <= k; a++) {
    const lo = a, hi = r - (k - a); // rest = [lo, hi)
    const low = complete ? (hi > lo ? v[lo] : 0) : 0;
    const high = hi > lo ? v[hi - 1] : 0;
    if (high - low < width) {
      width = high - low;
      best = a;
    }
  }
  const lo = best, hi = r - (k - best);
  const kept = [...Array.from({ length: best }, (_, i) => i), ...Array.from({ length: k - best }, (_, i) => hi + i)];
  const vectors = new Float64Array(m * k);
  for (let j = 0; j < m; j++) for (let q = 0; q < k; q++) vectors[j * k + q] = sp.vectors[j * r + kept[q]];
  let sum = 0;
  for (let q = lo; q < hi; q++) sum += v[q];
  const restCount = hi - lo + (m - r);
  return {
    count: k, values: Float64Array.from(kept, (q) => v[q]), vectors,
    restLow: complete ? (hi > lo ? v[lo] : 0) : 0, restHigh: hi > lo ? v[hi - 1] : 0, restMean: restCount > 0 ? sum / restCount : 0,
    roundOff: 8 * Math.sqrt(r) * 2.220446049250313e-16 * (r > 0 ? v[r - 1] : 0),
  };
}

/** Per-atom σ² bounds of one species block, accumulated into the caller's arrays (indexed by atom). */
export interface EnergyBoundsOut {
  lower: Float64Array;
  estimate: Float64Array;
  upper: Float64Array;
  /** Σ_i φ_i·v_k over all atoms (K) and |Σ_i φ_i|² parts, for the total energy. */
  totalProjection: Float64Array;
  /** Σ_t (Σ_{i∈t} K(X_i, ·)) per reference column and the per-species atom counts enter |φ|² of the total. */
  totalNorm2: { value: number };
}

export function newEnergyBoundsOut(n: number, plan: EnergyBoundPlan): EnergyBoundsOut {
  return { lower: new Float64Array(n), estimate: new Float64Array(n), upper: new Float64Array(n), totalProjection: new Float64Array(plan.count), totalNorm2: { value: 0 } };
}

/**
 * Add the bounds of the atoms `atoms` of one species: kmat (nt × mt) their kernel rows over the species' references
 * (columns off..off+mt of u), `energyColumn` the column of the species' reference energy.
 */
export function accumulateEnergyBounds(plan: EnergyBoundPlan, atoms: Int32Array, kmat: Float64Array, mt: number, off: number, energyColumn: number, out: EnergyBoundsOut): void {
  const nt = atoms.length, k = plan.count;
  const proj = new Float64Array(nt * k);
  if (k > 0 && mt > 0) getLinalg().gemm(nt, k, mt, kmat, plan.vectors.subarray(off * k, (off + mt) * k), proj);
  const erow = energyColumn * k;
  const colSum = new Float64Array(mt);
  for (let i = 0; i < nt; i++) {
    let norm2 = 1, kept = 0, p2 = 0;
    for (let b = 0; b < mt; b++) {
      const x = kmat[i * mt + b];
      norm2 += x * x;
      colSum[b] += x;
    }
    for (let q = 0; q < k; q++) {
      const p = proj[i * k + q] + plan.vectors[erow + q];
      kept += plan.values[q] * p * p;
      p2 += p * p;
      out.totalProjection[q] += p;
    }
    const rest = Math.max(0, norm2 - p2), a = plan.roundOff * norm2;
    const at = atoms[i];
    out.lower[at] = Math.max(0, kept + plan.restLow * rest - a);
    out.estimate[at] = kept + plan.restMean * rest;
    out.upper[at] = kept + plan.restHigh * rest + a;
  }
  let t2 = nt * nt;
  for (let b = 0; b < mt; b++) t2 += colSum[b] * colSum[b];
  out.totalNorm2.value += t2;
}

/** σ (eV) bounds of the total energy from the accumulated projections. */
export function totalEnergyBounds(plan: EnergyBoundPlan, out: EnergyBoundsOut): { lower: number; estimate: number; upper: number } {
  let kept = 0, p2 = 0;
  for (let q = 0; q < plan.count; q++) {
    const p = out.totalProjection[q];
    kept += plan.values[q] * p * p;
    p2 += p * p;
  }
  const rest = Math.max(0, out.totalNorm2.value - p2), a = plan.roundOff * out.totalNorm2.value;
  return { lower: Math.sqrt(Math.max(0, kept + plan.restLow * rest - a)), estimate: Math.sqrt(kept + plan.restMean * rest), upper: Math.sqrt(kept + plan.restHigh * rest + a) };
}
