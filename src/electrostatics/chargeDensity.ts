/**
 * Charge moments and the local charge-squared density of a system, for the error models of the planner (tune.ts for
 * Coulomb, planner.ts for every kernel: the density around the atoms, which exceeds Σq²/V when the cell holds vacuum).
 */
import { cellVolume, cellWidths, inv3 } from '../core/index.js';
import type { ElectrostaticsSystem } from './solve.js';

/** Charge moments of a system for the error model: ⟨q²⟩, ⟨q⁴⟩ (per atom, channels summed) and ρ_q = Σq²/V. */
export interface ChargeMoments { q2: number; q4: number; rho: number }

export function chargeMoments(charges: Float64Array, n: number, volume: number): ChargeMoments {
  const C = Math.max(1, Math.round(charges.length / Math.max(n, 1)));
  let s2 = 0, s4 = 0;
  for (let i = 0; i < n; i++) {
    let a = 0;
    for (let c = 0; c < C; c++) a += charges[i * C + c] ** 2;
    s2 += a; s4 += a * a;
  }
  return { q2: s2 / Math.max(n, 1), q4: s4 / Math.max(n, 1), rho: s2 / volume };
}

/**
 * q²-weighted local charge-squared density seen by an error whose pair kernel has a finite range: the real-space
 * truncation (pairs near r_c; scale 2r_c/3) and the PME pair error (within ≈ 1.5/α; scale 1/α):
 *   ρ_eff = Σ_i q_i² ρ_i / Σ_i q_i²,  ρ_i = (Σ_{j ≠ i in the window of i} q_j²) / V_window + q_i²/V (own images),
 * windows of 3 × 3 × 3 bins (fractional bins of perpendicular size ≈ `scale`, at most 48 per direction; fewer than
 * three bins: the whole direction). Equals Σq²/V for a uniform system; larger when the ions share the cell with
 * vacuum (a slab filling 5 % of the cell: up to 20×). O(N + occupied bins).
 */
export function localChargeDensity(sys: ElectrostaticsSystem, charges: Float64Array, scale: number): number {
  return chargeDensityProbe(sys, charges)(scale);
}

/**
 * localChargeDensity as a function of the scale for one system: fractional coordinates and q² computed once, results
 * memoised per bin grid (bins per direction from DENSITY_BINS, ≤ 48; window sums separable, O(bins)).
 */
const DENSITY_BINS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48];

export function chargeDensityProbe(sys: ElectrostaticsSystem, charges: Float64Array): (scale: number) => number {
  const n = sys.positions.length / 3;
  const C = Math.max(1, Math.round(charges.length / Math.max(n, 1)));
  const V = cellVolume(sys.cell), widths = cellWidths(sys.cell), ainv = inv3(sys.cell);
  const frac = new Float64Array(3 * n), q2 = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 3; d++) {
      const f = sys.positions[3 * i] * ainv[d] + sys.positions[3 * i + 1] * ainv[3 + d] + sys.positions[3 * i + 2] * ainv[6 + d];
      frac[3 * i + d] = f - Math.floor(f);
    }
    let a = 0;
    for (let c = 0; c < C; c++) a += charges[i * C + c] ** 2;
    q2[i] = a; total += a;
  }
  const memo = new Map<string, number>();
  return (scale: number): number => {
    if (total === 0) return 0;
    // bins per direction from a short ladder, so that nearby scales share one grid (tune asks for many)
    const nb = widths.map((w) => { const k = Math.floor(w / scale); let best = 1; for (const c of DENSITY_BINS) if (c <= k) best = c; return best; });
    const key = nb.join(',');
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const [n1, n2, n3] = nb;
    const win = nb.map((k) => Math.min(3, k));
    const vWin = (V * win[0] * win[1] * win[2]) / (n1 * n2 * n3);
    let grid = new Float64Array(n1 * n2 * n3);
    const bin = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const b = (Math.min(n1 - 1, Math.floor(frac[3 * i] * n1)) * n2 + Math.min(n2 - 1, Math.floor(frac[3 * i + 1] * n2))) * n3 + Math.min(n3 - 1, Math.floor(frac[3 * i + 2] * n3));
      bin[i] = b;
      grid[b] += q2[i];
    }
    // separable periodic window sums: 3 neighbouring bins per direction (the whole direction when it has fewer)
    const strides = [n2 * n3, n3, 1];
    for (let d = 0; d < 3; d++) {
      const K = nb[d], st = strides[d];
      if (K === 1) continue;
      const next = new Float64Array(grid.length);
      for (let idx = 0; idx < grid.length; idx++) {
        const c = Math.floor(idx / st) % K, base = idx - c * st;
        if (K < 3) { let acc = 0; for (let k = 0; k < K; k++) acc += grid[base + k * st]; next[idx] = acc; }
        else next[idx] = grid[base + ((c + K - 1) % K) * st] + grid[idx] + grid[base + ((c + 1) % K) * st];
      }
      grid = next;
    }
    let weighted = 0;
    // the atom's own images count with their mean density q_i²/V (as in the uniform formula)
    for (let i = 0; i < n; i++) weighted += q2[i] * (Math.max(0, grid[bin[i]] - q2[i]) / vWin + q2[i] / V);
    const out = weighted / total;
    memo.set(key, out);
    return out;
  };
}
