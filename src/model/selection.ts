/**
 * Sparse selection of local reference configurations (LRCs) for one species (science.md §1.10).
 *
 * - `cur` (polipy4vasp's "modified CUR", Mahoney & Drineas PNAS 106, 697 (2009)): kernel matrix K of the pool,
 *   K = U Λ Uᵀ, keep the eigenvectors with λ_ν ≥ ε λ_max (ε = 1e-10, ML_EPS_LOW) — and at most the `count` largest
 *   (the rank-k leverage scores of Mahoney & Drineas; with every eigenvector kept all scores would be 1) — leverage
 *   ω_a = Σ_ν kept U_aν², keep the `count` largest ω (ties: lower index). Large candidate sets are processed in blocks
 *   (current selection ∪ next block → re-select), as polipy does structure by structure, so the eigenproblem never
 *   exceeds `count + block`. Cost per block O((count+block)³) (one symmetric eigendecomposition).
 * - `fps`: farthest-point sampling with the kernel distance d²(a,b) = K_aa + K_bb − 2K_ab, seeded first point.
 *   Cost O(n·count·D).
 * - `random`: seeded uniform subset.
 * All return sorted candidate indices; if count ≥ number of candidates every candidate is returned.
 */
import { FarfieldError, Rng } from '../core/index.js';
import { symmetricEigen } from '../math/index.js';
import type { Kernel } from './kernels.js';

export type SelectionMethod = 'cur' | 'fps' | 'random';

export interface SelectionOptions {
  method: SelectionMethod;
  count: number;
  seed: number;
  /** CUR eigenvalue threshold relative to λ_max (default 1e-10). */
  epsCur?: number;
  /** CUR block size (candidates added per re-selection; default max(count, 500)). */
  blockSize?: number;
  /** Called after each block/step with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Select `count` rows of x (n×d) for the given kernel. */
export function selectReferences(x: Float64Array, n: number, d: number, kernel: Kernel, opts: SelectionOptions): Int32Array {
  if (!Number.isInteger(opts.count) || opts.count < 1)
    throw new FarfieldError('INVALID_INPUT', `reference selection: count must be a positive integer, got ${opts.count}`);
  if (opts.count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  switch (opts.method) {
    case 'random':
      return selectRandom(n, opts.count, opts.seed);
    case 'fps':
      return selectFps(x, n, d, kernel, opts);
    case 'cur':
      return selectCur(x, n, d, kernel, opts);
    default:
      throw new FarfieldError('INVALID_INPUT', `unknown selection method '${String(opts.method)}' (known: cur, fps, random)`);
  }
}

function selectRandom(n: number, count: number, seed: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(idx);
  return idx.slice(0, count).sort();
}

function rowsOf(x: Float64Array, d: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length * d);
  for (let k = 0; k < idx.length; k++) out.set(x.subarray(idx[k] * d, idx[k] * d + d), k * d);
  return out;
}

function selectFps(x: Float64Array, n: number, d: number, kernel: Kernel, opts: SelectionOptions): Int32Array {
  const all = kernel.prepare(x, n, d);
  // K_aa for every candidate, block by block (diagonal of K(all, all) without forming it).
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = kernel.prepare(x.subarray(i * d, i * d + d), 1, d);
    diag[i] = kernel.matrix(r, r)[0];
  }
  const dist = new Float64Array(n).fill(Infinity);
  const chosen = new Uint8Array(n);
  const out: number[] = [];
  let next = new Rng(opts.seed).int(n);
  const col = new Float64Array(n);
  for (let k = 0; k < opts.count; k++) {
    out.push(next);
    chosen[next] = 1;
    const r = kernel.prepare(x.subarray(next * d, next * d + d), 1, d);
    kernel.matrix(all, r, col);
    let best = -1, bestD = -Infinity;
    for (let i = 0; i < n; i++) {
      const di = diag[i] + diag[next] - 2 * col[i];
      if (di < dist[i]) dist[i] = di;
      if (!chosen[i] && dist[i] > bestD) {
        bestD = dist[i];
        best = i;
      }
    }
    opts.onProgress?.(k + 1, opts.count);
    if (best < 0) break;
    next = best;
  }
  return Int32Array.from(out).sort();
}

function selectCur(x: Float64Array, n: number, d: number, kernel: Kernel, opts: SelectionOptions): Int32Array {
  const eps = opts.epsCur ?? 1e-10;
  const block = Math.max(1, opts.blockSize ?? Math.max(opts.count, 500));
  let selected: number[] = [];
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    const pool = selected.concat(Array.from({ length: end - start }, (_, i) => start + i));
    if (pool.length <= opts.count) {
      selected = pool;
    } else {
      const rows = kernel.prepare(rowsOf(x, d, pool), pool.length, d);
      const k = kernel.matrix(rows, rows);
      const scores = leverageScores(k, pool.length, eps, opts.count);
      const order = Array.from({ length: pool.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || pool[a] - pool[b]);
      selected = order.slice(0, opts.count).map((i) => pool[i]);
    }
    opts.onProgress?.(end, n);
  }
  return Int32Array.from(selected).sort();
}

/**
 * Rank-k leverage scores of a symmetric PSD matrix K (m×m): ω_a = Σ_{ν ∈ top k, λ_ν ≥ ε λ_max} U_aν².
 * Exported for tests.
 */
export function leverageScores(k: Float64Array, m: number, eps: number, maxRank: number): Float64Array {
  const { values, vectors } = symmetricEigen(k, m); // ascending, eigenvectors as columns
  const lmax = values[m - 1];
  const scores = new Float64Array(m);
  let kept = 0;
  for (let nu = m - 1; nu >= 0 && kept < maxRank; nu--) {
    if (!(values[nu] >= eps * lmax)) break;
    kept++;
    for (let a = 0; a < m; a++) scores[a] += vectors[a * m + nu] ** 2;
  }
  return scores;
}
