/**
 * Plain-TypeScript reference backend of the `Linalg` contract.
 *
 * Straightforward loops over contiguous rows of row-major Float64Arrays (no per-element accessors), written for
 * clarity and as the oracle the WebAssembly backend is tested against; ~1–5 GFLOP/s.
 *   syrk   C += α·AᵀA as a sum of rank-4 row updates of the upper triangle (4 rows of A per pass over C), mirrored.
 *          Cost m·n·(n+1) flops.
 *   gemm   row-axpy (i-p-j) or dot-product form depending on the transposes; 2·m·n·k flops.
 *   chol   Cholesky–Crout by rows: L[i][j] = (A[i][j] − L[i,:j]·L[j,:j]) / L[j][j]; n³/3 flops.
 *   trsm   forward substitution by row axpys for L·X = B; column-oriented back substitution for Lᵀ·X = B; n²·nrhs.
 * Hand-written because npm matrix libraries are < 1 GFLOP/s (per-element get/set) and none has a WASM SIMD path.
 */
import type { GemmOptions, Linalg, PackedB, PackedGemmOptions, PackRowsProducer } from './types.js';
import { FarfieldError } from '../../core/index.js';
import { checkGemm, checkGemmPacked, checkGemv, checkPackB, checkSolve, checkSquare, checkSyrk, notSpd } from './check.js';

/** Mirror the upper triangle of an n×n row-major matrix into the lower triangle. */
export function mirrorUpper(c: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j++) c[ri + j] = c[j * n + i];
  }
}

export function syrkAccumulateTs(a: Float64Array, m: number, n: number, c: Float64Array, alpha = 1): void {
  checkSyrk(a, m, n, c);
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const o0 = r * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    for (let i = 0; i < n; i++) {
      const x0 = alpha * a[o0 + i], x1 = alpha * a[o1 + i], x2 = alpha * a[o2 + i], x3 = alpha * a[o3 + i];
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const ci = i * n;
      for (let j = i; j < n; j++) {
        c[ci + j] += x0 * a[o0 + j] + x1 * a[o1 + j] + x2 * a[o2 + j] + x3 * a[o3 + j];
      }
    }
  }
  for (; r < m; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) {
      const x = alpha * a[o + i];
      if (x === 0) continue;
      const ci = i * n;
      for (let j = i; j < n; j++) c[ci + j] += x * a[o + j];
    }
  }
  mirrorUpper(c, n);
}

export function gemvTransposeAccumulateTs(a: Float64Array, m: number, n: number, y: Float64Array, b: Float64Array,
  alpha = 1): void {
  checkGemv(a, m, n, y, b);
  for (let r = 0; r < m; r++) {
    const x = alpha * y[r];
    if (x === 0) continue;
    const o = r * n;
    for (let j = 0; j < n; j++) b[j] += x * a[o + j];
  }
}

export function gemmTs(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array,
  opts: GemmOptions = {}): void {
  const transA = opts.transA ?? false, transB = opts.transB ?? false;
  const alpha = opts.alpha ?? 1, beta = opts.beta ?? 0;
  checkGemm(m, n, k, a, b, c, transA, transB);
  const mn = m * n;
  if (beta === 0) c.fill(0, 0, mn);
  else if (beta !== 1) for (let i = 0; i < mn; i++) c[i] *= beta;
  if (alpha === 0 || k === 0) return;
  if (!transB) {
    // C[i,:] += α·op(A)[i,p] · B[p,:]  (B rows contiguous)
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const x = alpha * (transA ? a[p * m + i] : a[i * k + p]);
        if (x === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) c[ci + j] += x * b[bp + j];
      }
    }
  } else if (!transA) {
    // C[i,j] += α·A[i,:]·B[j,:]  (both rows contiguous)
    for (let i = 0; i < m; i++) {
      const ai = i * k, ci = i * n;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        c[ci + j] += alpha * s;
      }
    }
  } else {
    // C[i,j] += α·Σ_p A[p,i]·B[j,p]: axpy of A's row p into the strided column j of C
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      for (let p = 0; p < k; p++) {
        const x = alpha * b[bj + p];
        if (x === 0) continue;
        const ap = p * m;
        for (let i = 0; i < m; i++) c[i * n + j] += x * a[ap + i];
      }
    }
  }
}

export function choleskyTs(a: Float64Array, n: number): void {
  checkSquare('cholesky', a, n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let p = 0; p < j; p++) s -= a[ri + p] * a[rj + p];
      if (j === i) {
        if (!(s > 0) || !Number.isFinite(s)) throw notSpd(n, i, s);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
}

/** Diagonal of a triangular factor must be non-zero and finite (otherwise the solve divides by zero). */
export function checkDiagonal(fn: string, l: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const d = l[i * n + i];
    if (d === 0 || !Number.isFinite(d)) {
      throw new FarfieldError('NUMERIC', `${fn}: triangular matrix (${n}×${n}) has diagonal element ${i} = ${d}`);
    }
  }
}

export function triangularSolveTs(l: Float64Array, n: number, b: Float64Array, nrhs: number, transpose: boolean): void {
  checkSolve('triangularSolve', l, n, b, nrhs);
  checkDiagonal('triangularSolve', l, n);
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      const li = i * n, bi = i * nrhs;
      for (let p = 0; p < i; p++) {
        const x = l[li + p];
        if (x === 0) continue;
        const bp = p * nrhs;
        for (let j = 0; j < nrhs; j++) b[bi + j] -= x * b[bp + j];
      }
      const inv = 1 / l[li + i];
      for (let j = 0; j < nrhs; j++) b[bi + j] *= inv;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const li = i * n, bi = i * nrhs;
      const inv = 1 / l[li + i];
      for (let j = 0; j < nrhs; j++) b[bi + j] *= inv;
      for (let p = 0; p < i; p++) {
        const x = l[li + p];
        if (x === 0) continue;
        const bp = p * nrhs;
        for (let j = 0; j < nrhs; j++) b[bp + j] -= x * b[bi + j];
      }
    }
  }
}

export function choleskySolveTs(l: Float64Array, n: number, b: Float64Array, nrhs: number): void {
  triangularSolveTs(l, n, b, nrhs, false);
  triangularSolveTs(l, n, b, nrhs, true);
}

/** TS pack: a copy of B (the TS gemm reads B in place, so packing only snapshots it). */
class TsPackedB implements PackedB {
  readonly backend = 'ts' as const;
  private data: Float64Array | null;
  constructor(b: Float64Array, readonly k: number, readonly n: number, readonly transB: boolean, copy = true) {
    this.data = copy ? b.slice(0, k * n) : b;
  }
  get bytes(): number {
    return this.data ? this.data.byteLength : 0;
  }
  get freed(): boolean {
    return this.data === null;
  }
  free(): void {
    this.data = null;
  }
  /** The snapshot of B (throws when freed). */
  values(): Float64Array {
    if (!this.data) throw new FarfieldError('INVALID_INPUT', 'gemmPacked: the packed B was freed; pack it again (packB)');
    return this.data;
  }
}

export function packBTs(b: Float64Array, k: number, n: number, transB = false): PackedB {
  checkPackB(b, k, n, transB);
  return new TsPackedB(b, k, n, transB);
}

/** packBTransposedFrom: the whole B in one block (the TS pack is B itself). */
export function packBTransposedFromTs(k: number, n: number, rows: PackRowsProducer): PackedB {
  const b = new Float64Array(k * n);
  if (k > 0 && n > 0) rows(0, n, 0, k, b);
  return new TsPackedB(b, k, n, true, false);
}

export function gemmPackedTs(m: number, a: Float64Array, pb: PackedB, c: Float64Array, opts: PackedGemmOptions = {}): void {
  checkGemmPacked(m, pb.k, pb.n, a, c, opts.transA ?? false, 'ts', pb.backend, pb.freed);
  gemmTs(m, pb.n, pb.k, a, (pb as TsPackedB).values(), c, { ...opts, transB: pb.transB });
}

/** C (m × pb.k) = op(A)·op(B)ᵀ: the snapshot read with the other transposition (the same gemm as with op(B)ᵀ). */
export function gemmPackedTTs(m: number, a: Float64Array, pb: PackedB, c: Float64Array, opts: PackedGemmOptions = {}): void {
  checkGemmPacked(m, pb.n, pb.k, a, c, opts.transA ?? false, 'ts', pb.backend, pb.freed);
  gemmTs(m, pb.k, pb.n, a, (pb as TsPackedB).values(), c, { ...opts, transB: !pb.transB });
}

export const tsLinalg: Linalg = Object.freeze({
  backend: 'ts' as const,
  syrkAccumulate: syrkAccumulateTs,
  gemvTransposeAccumulate: gemvTransposeAccumulateTs,
  gemm: gemmTs,
  cholesky: choleskyTs,
  triangularSolve: triangularSolveTs,
  choleskySolve: choleskySolveTs,
  packB: packBTs,
  packBTransposedFrom: packBTransposedFromTs,
  gemmPacked: gemmPackedTs,
  gemmPackedT: gemmPackedTTs,
});
