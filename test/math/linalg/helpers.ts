/** Shared fixtures for the linear-algebra tests: seeded random matrices and naive reference products. */
import { Rng } from '../../../src/core/index.js';

export function randomMatrix(rng: Rng, rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

/** Random SPD matrix AᵀA/m + shift·I (well conditioned for shift ~ 1). */
export function randomSpd(rng: Rng, n: number, shift = 0.5): Float64Array {
  const m = n + 3;
  const a = randomMatrix(rng, m, n);
  const c = new Float64Array(n * n);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) c[i * n + j] += (a[r * n + i] * a[r * n + j]) / m;
    }
  }
  for (let i = 0; i < n; i++) c[i * n + i] += shift;
  return c;
}

/** Naive C = op(A)·op(B), op(A) m×k, op(B) k×n. */
export function naiveGemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, transA: boolean,
  transB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

/** max |x − y| / max(1, max |y|). */
export function relErr(x: Float64Array, y: Float64Array): number {
  let num = 0, den = 1;
  for (let i = 0; i < y.length; i++) {
    num = Math.max(num, Math.abs(x[i] - y[i]));
    den = Math.max(den, Math.abs(y[i]));
  }
  return num / den;
}
