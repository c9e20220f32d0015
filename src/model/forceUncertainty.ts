/**
 * Per-atom force uncertainty of a kernel model from its posterior covariance (issue 15, VASP's "Bayesian error").
 *
 * The model is linear in its unknowns u = (w, e): E(r) = φ(r)·u, φ = Σ_i φ_i (kernel rows summed over atoms as the
 * model sums them, 1 on e_t per atom of species t). With the posterior Σ = C Cᵀ (C: M × rank, from the fit):
 *   F_c = −∂E/∂r_c = −J_c·u,  J = ∂φ/∂r (3N × M),
 *   σ²(F_c) = J_c Σ J_cᵀ = Σ_k (∂(φ·c_k)/∂r_c)²                                               (eV²/Å²)
 * over the columns c_k of C. Each term is a force evaluation with the weights c_k: the upstream gradient
 * dE_k/dX_i = Σ_b c_kb ∂K(X_i, X_b)/∂X_i goes through the descriptor's batched reverse pass (vector–Jacobian
 * products only; no N×N or 3N×M Jacobian is formed). The reference energies e_t do not move with r and drop out.
 *
 * Directions (`ForceUncertaintyOptions`):
 * - `exact`: all rank columns of C. Cost ≈ rank × (one kernel gradient GEMM, N·m·D, + one batched reverse pass).
 * - `sketch`: p probes. Ω (rank × p) has orthonormal random columns (Gram–Schmidt of a seeded Gaussian matrix)
 *   scaled by √(rank/p), so E[Ω Ωᵀ] = I and Σ̃ = (CΩ)(CΩ)ᵀ is an unbiased estimate of Σ. Because Ω is fixed per
 *   model (seeded), Σ̃ is one fixed positive semi-definite covariance: the estimate is smooth along a trajectory and
 *   exactly rotation/permutation covariant. For a component whose variance is spread evenly over many directions
 *   the relative standard deviation of σ̃² is ≈ √(2/p) (χ²_p/p; less with orthogonal probes when p is not ≪ rank);
 *   it is exact when p ≥ rank. Cost ≈ p × (N·m·D GEMM + one reverse-pass entry).
 * - `auto` (default): exact when rank ≤ probes, else sketch.
 * What is returned: σ(F_cα) per Cartesian component (eV/Å, 3N) and max_c |σ_c| with |σ_c| = √(σ²_cx + σ²_cy + σ²_cz)
 * (the per-atom norm of the σ vector; VASP's "Bayesian error" of a step is the largest over atoms).
 */
import { Rng, type Structure } from '../core/index.js';
import { backwardManyOf, type ComputeContext, type Descriptor, type FactoredUpstream } from '../descriptors/index.js';
import { getLinalg } from '../math/index.js';
import type { KernelRows } from './kernels.js';
import type { ReferenceSet } from './design.js';

export interface ForceUncertaintyOptions {
  /** 'exact' (every column of C), 'sketch' (p probes), 'auto' (default: exact when rank ≤ probes). */
  method?: 'auto' | 'exact' | 'sketch';
  /** Probes of the sketch (default 16). */
  probes?: number;
  /** Seed of the probe matrix (default 1). */
  seed?: number;
}

export const DEFAULT_FORCE_PROBES = 16;

/** Weight vectors w_j (count × M, row-major) with Σ̃ = Σ_j w_j w_jᵀ. */
export interface UncertaintyDirections {
  method: 'exact' | 'sketch';
  count: number;
  /** count × M. */
  weights: Float64Array;
}

/** The directions for a covariance factor C (M × rank, row-major). */
export function uncertaintyDirections(factor: { rank: number; data: Float64Array }, m: number, options: ForceUncertaintyOptions = {}): UncertaintyDirections {
  const r = factor.rank;
  const p = Math.max(1, Math.floor(options.probes ?? DEFAULT_FORCE_PROBES));
  const method = options.method ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && r <= p) || p >= r;
  const out = new Float64Array((exact ? r : p) * m);
  if (exact) {
    for (let j = 0; j < m; j++) for (let k = 0; k < r; k++) out[k * m + j] = factor.data[j * r + k];
    return { method: 'exact', count: r, weights: out };
  }
  // Ω: r × p orthonormal columns (modified Gram–Schmidt on Gaussian columns), scaled by √(r/p); stored p × r.
  const rng = new Rng(options.seed ?? 1);
  const om = new Float64Array(p * r);
  for (let k = 0; k < p * r; k++) om[k] = rng.normal();
  for (let a = 0; a < p; a++) {
    const va = om.subarray(a * r, (a + 1) * r);
    for (let b = 0; b < a; b++) {
      const vb = om.subarray(b * r, (b + 1) * r);
      let s = 0;
      for (let k = 0; k < r; k++) s += va[k] * vb[k];
      for (let k = 0; k < r; k++) va[k] -= s * vb[k];
    }
    let nrm = 0;
    for (let k = 0; k < r; k++) nrm += va[k] * va[k];
    const f = Math.sqrt(r / p) / Math.sqrt(nrm);
    for (let k = 0; k < r; k++) va[k] *= f;
  }
  // W = Ωᵀ Cᵀ (p × M)
  getLinalg().gemm(p, m, r, om, factor.data, out, { transB: true });
  return { method: 'sketch', count: p, weights: out };
}

/** Per-species data the model already has after its forward pass. */
export interface SpeciesPass {
  /** Atom indices of this species. */
  atoms: Int32Array;
  /** Prepared rows of those atoms (kernel.prepare). */
  rows: KernelRows;
  /** Kernel matrix atoms × references of this species. */
  kmat: Float64Array;
}

/** Memory for one chunk of upstream gradients (count × N × D doubles). */
const UPSTREAM_BYTES = 64 * 2 ** 20;

/**
 * σ²(F) (3N, eV²/Å²) = Σ_j (∂(φ·w_j)/∂r)² over the directions, by batched reverse passes (see the module header).
 * `saved`/`ctx` come from the model's descriptor forward pass on `structure`.
 */
export function forceVariance(
  structure: Structure, descriptor: Descriptor, ctx: ComputeContext, saved: unknown, refs: ReferenceSet,
  passes: readonly (SpeciesPass | null)[], dirs: UncertaintyDirections,
): Float64Array {
  const n = structure.species.length, d = descriptor.width, m = refs.nColumns;
  const variance = new Float64Array(3 * n);
  if (n === 0 || dirs.count === 0) return variance;
  const kernel = refs.kernel;
  const la = getLinalg();
  // factored per-reference upstreams (all references of a species at once), when the kernel has them
  const factored: (FactoredUpstream | null)[] = passes.map((ps, t) =>
    ps && refs.counts[t] > 0 && kernel.factoredGradient ? kernel.factoredGradient(ps.rows, refs.prepared[t], 0, refs.counts[t], ps.kmat, ps.atoms, n) : null);
  const chunk = Math.max(1, Math.min(dirs.count, Math.floor(UPSTREAM_BYTES / (8 * n * d))));
  const up = new Float64Array(chunk * n * d);
  for (let j0 = 0; j0 < dirs.count; j0 += chunk) {
    const q = Math.min(chunk, dirs.count - j0);
    up.fill(0, 0, q * n * d);
    for (let t = 0; t < passes.length; t++) {
      const ps = passes[t];
      const mt = refs.counts[t];
      if (!ps || mt === 0) continue;
      const nt = ps.atoms.length, off = refs.offsets[t];
      const fac = factored[t];
      if (fac) {
        // upstream_j[i] = Σ_r Σ_b w_jb P_r[b,i] T_r[b] + (Σ_b w_jb Q[b,i]) U[i]: one GEMM (q·nt × mt) × (mt × D) per term
        const lhs = new Float64Array(q * nt * mt);
        const tmp = new Float64Array(q * nt * d);
        for (const term of fac.terms) {
          for (let j = 0; j < q; j++) {
            const w = dirs.weights.subarray((j0 + j) * m + off, (j0 + j) * m + off + mt);
            for (let i = 0; i < nt; i++) {
              const at = ps.atoms[i], row = (j * nt + i) * mt;
              for (let b = 0; b < mt; b++) lhs[row + b] = w[b] * term.coef[b * n + at];
            }
          }
          la.gemm(q * nt, d, mt, lhs, term.rows, tmp);
          for (let j = 0; j < q; j++)
            for (let i = 0; i < nt; i++) {
              const o = (j * n + ps.atoms[i]) * d, s = (j * nt + i) * d;
              for (let k = 0; k < d; k++) up[o + k] += tmp[s + k];
            }
        }
        if (fac.own) {
          const own = fac.own;
          for (let j = 0; j < q; j++) {
            const w = dirs.weights.subarray((j0 + j) * m + off, (j0 + j) * m + off + mt);
            for (let i = 0; i < nt; i++) {
              const at = ps.atoms[i];
              let c = 0;
              for (let b = 0; b < mt; b++) c += w[b] * own.coef[b * n + at];
              if (c === 0) continue;
              const o = (j * n + at) * d, u = at * d;
              for (let k = 0; k < d; k++) up[o + k] += c * own.rows[u + k];
            }
          }
        }
      } else {
        // generic: one kernel gradient per direction with the weights broadcast over the atoms
        const coef = new Float64Array(nt * mt);
        const g = new Float64Array(nt * d);
        for (let j = 0; j < q; j++) {
          const w = dirs.weights.subarray((j0 + j) * m + off, (j0 + j) * m + off + mt);
          for (let i = 0; i < nt; i++) coef.set(w, i * mt);
          g.fill(0);
          kernel.gradient(ps.rows, refs.prepared[t], coef, g, ps.kmat);
          for (let i = 0; i < nt; i++) up.set(g.subarray(i * d, (i + 1) * d), (j * n + ps.atoms[i]) * d);
        }
      }
    }
    const gr = backwardManyOf(descriptor, structure, ctx, saved, up.subarray(0, q * n * d), q);
    for (let j = 0; j < q; j++)
      for (let c = 0; c < 3 * n; c++) {
        const x = gr.positions[j * 3 * n + c];
        variance[c] += x * x;
      }
  }
  return variance;
}

/** σ per component (√ of the variance, in place) and the largest per-atom norm √(σ²_x + σ²_y + σ²_z), eV/Å. */
export function forceSigma(variance: Float64Array): { forcesEvPerA: Float64Array; maxForceEvPerA: number } {
  let max = 0;
  for (let i = 0; i < variance.length / 3; i++) {
    const s = variance[3 * i] + variance[3 * i + 1] + variance[3 * i + 2];
    if (s > max) max = s;
  }
  for (let k = 0; k < variance.length; k++) variance[k] = Math.sqrt(Math.max(0, variance[k]));
  return { forcesEvPerA: variance, maxForceEvPerA: Math.sqrt(max) };
}
