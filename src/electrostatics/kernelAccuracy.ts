/**
 * Accuracy → numerical parameters for a general radial Fourier kernel F(G) (the per-channel kernels of the FKK and
 * LODE descriptors), the counterpart of tune.ts (which is specific to Coulomb with Gaussian screening).
 * Estimates per feature (absolute error of one coefficient), ρ = atoms per Å³:
 *  - G-cutoff tail of a kernel whose magnitude decays with a Gaussian envelope e^{−s²G²/2}:
 *      ε_k(G) = G f/(s² 2π²) + √(ρ G f² / (2 s² · 2π²)),   f = |F(G)|   (systematic + random-phase parts of the
 *      omitted shell integral, the same reasoning as Kolafa–Perram for Ewald);
 *  - smooth-PME aliasing at mesh spacing h and B-spline order p: with x = G h, the per-mode aliasing factor
 *      e_p(x) = 2 (x/(2π − x))^p over G < π/h, plus the tail beyond the Nyquist wavenumber:
 *      ε_pme(h) = ∫ G² |F| e_p /(2π²) dG + √(ρ ∫ G² F² e_p² /(2π²) dG) + ε_k(π/h)   (64-point midpoint rule).
 * `pmeMeshForError` turns ε_pme into the coarsest mesh meeting a target, sized on the reduced basis of the lattice
 * (reduceCell.ts, as tune.ts does for Coulomb): the mesh pass must run on `reduceCell(cell)` too. The planner
 * (planner.ts) calls these for every kernel, with the density of the error's range (planner.ts planDensity).
 */
import { nextFftSize } from '../math/index.js';
import { reduceCell } from './reduceCell.js';

/** ε_k: error of cutting a Gaussian-enveloped kernel's G sum at G, where |F(G)| = f and the envelope width is s (Å). */
export function kernelTailError(f: number, s: number, G: number, rho: number): number {
  const a = Math.abs(f);
  return (G * a) / (s * s) / (2 * Math.PI * Math.PI) + Math.sqrt((rho * G * a * a) / (2 * s * s) / (2 * Math.PI * Math.PI));
}

/**
 * ε_pme(h) of kernel F (function of |G|) on a mesh of spacing h with order-p B-splines; `envelope(G)` bounds |F| for
 * the tail beyond π/h (pass F itself when it is its own envelope), s its Gaussian width.
 */
export function kernelPmeError(F: (G: number) => number, envelope: (G: number) => number, s: number, h: number, order: number, rho: number): number {
  const gN = Math.PI / h, n = 64, dg = gN / n;
  let i1 = 0, i2 = 0;
  for (let k = 0; k < n; k++) {
    const g = (k + 0.5) * dg, x = g * h;
    const e = 2 * Math.pow(x / (2 * Math.PI - x), order);
    const f = Math.abs(F(g));
    i1 += g * g * f * e;
    i2 += g * g * f * f * e * e;
  }
  i1 *= dg / (2 * Math.PI * Math.PI);
  i2 *= dg / (2 * Math.PI * Math.PI);
  return i1 + Math.sqrt(rho * i2) + kernelTailError(envelope(gN), s, gN, rho);
}

/**
 * The coarsest PME mesh whose error `errorAt(h)` (increasing in h) meets `target`: largest spacing h ∈ [1e-3, 4] Å by
 * geometric bisection, then per row a_d of the REDUCED cell (reduceCell: the same lattice with the shortest rows; a
 * sheared cell written with long rows would otherwise need up to several times more points) the smallest even
 * FFT-friendly size ≥ max(order, |a_d|/h). h bounds the phase step G·a_d/K_d ≤ |G| h of every mode, so the estimate
 * holds for any basis; the mesh pass must use the reduced cell.
 */
export function pmeMeshForError(errorAt: (h: number) => number, target: number, order: number, cellRows: ArrayLike<number>): [number, number, number] {
  const cell = reduceCell(Float64Array.from(cellRows));
  let lo = 1e-3, hi = 4;
  if (errorAt(hi) > target) {
    for (let it = 0; it < 30; it++) {
      const m = Math.sqrt(lo * hi);
      if (errorAt(m) <= target) lo = m;
      else hi = m;
    }
  } else lo = hi;
  return [0, 1, 2].map((d) => nextFftSize(Math.max(order, Math.ceil(Math.hypot(cell[3 * d], cell[3 * d + 1], cell[3 * d + 2]) / lo)), true)) as [number, number, number];
}
