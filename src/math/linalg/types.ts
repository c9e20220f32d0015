/**
 * The dense linear-algebra contract shared by the TypeScript reference backend and the WebAssembly SIMD backend.
 * All matrices are row-major Float64Array; buffers may be longer than needed (only the leading part is used).
 */

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

/** Options of `gemmPacked` (op(B) was fixed when it was packed). */
export interface PackedGemmOptions {
  transA?: boolean;
  alpha?: number;
  beta?: number;
}

/**
 * A right operand op(B) (k×n) packed once by `Linalg.packB` for repeated `gemmPacked` products (e.g. a model's
 * reference rows): a snapshot of B at packing time (later changes to B are not seen — pack again). The wasm backend
 * keeps it in its linear memory (released by `free()`, or when the pack is garbage-collected); the TS backend keeps a
 * copy. A pack works only with the backend that made it.
 */
export interface PackedB {
  readonly backend: 'ts' | 'wasm';
  readonly k: number;
  readonly n: number;
  readonly transB: boolean;
  /** Bytes held by the pack (panels zero-padded to 4 columns on the wasm side). */
  readonly bytes: number;
  readonly freed: boolean;
  /** Release the memory now (idempotent); the pack is unusable afterwards. */
  free(): void;
}

/** Producer of a piece of B for `Linalg.packBTransposedFrom`. */
export type PackRowsProducer = (j0: number, nj: number, pc: number, kc: number, out: Float64Array) => void;

export interface Linalg {
  readonly backend: 'ts' | 'wasm';
  /** C (n×n, row-major, full symmetric storage) += alpha·AᵀA for A (m×n, row-major). Default alpha = 1.
   *  Like BLAS dsyrk, only the upper triangle of C is read; on return C is fully symmetric. */
  syrkAccumulate(a: Float64Array, m: number, n: number, c: Float64Array, alpha?: number): void;
  /** b (n) += alpha·Aᵀy for A (m×n row-major), y (m). */
  gemvTransposeAccumulate(a: Float64Array, m: number, n: number, y: Float64Array, b: Float64Array, alpha?: number): void;
  /** C = alpha·op(A)·op(B) + beta·C, row-major; op(A) m×k, op(B) k×n. beta = 0 ignores C's contents (NaN-safe). */
  gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, opts?: GemmOptions): void;
  /** In-place Cholesky A = L·Lᵀ of a symmetric positive-definite n×n matrix (row-major); L in the lower triangle,
   *  the strict upper triangle zeroed. Only the lower triangle of A is read.
   *  Throws FarfieldError('NUMERIC') naming the failing pivot if not SPD. */
  cholesky(a: Float64Array, n: number): void;
  /** Solve op(L)·X = B in place, L lower triangular n×n, B n×nrhs row-major; op = L or Lᵀ. */
  triangularSolve(l: Float64Array, n: number, b: Float64Array, nrhs: number, transpose: boolean): void;
  /** Solve (L·Lᵀ)·X = B in place given the Cholesky factor. */
  choleskySolve(l: Float64Array, n: number, b: Float64Array, nrhs: number): void;
  /** Pack op(B) (k×n; B is n×k row-major when transB) once for `gemmPacked`. */
  packB(b: Float64Array, k: number, n: number, transB?: boolean): PackedB;
  /**
   * `packB(b, k, n, true)` for a B (n×k row-major) produced piece by piece instead of held whole:
   * `rows(j0, nj, pc, kc, out)` writes columns [pc, pc + kc) of rows j0 … j0 + nj − 1 of B to out[(j − j0)·kc …]
   * (the pieces cover B once). The same pack bit for bit; only the pack (and on the wasm side a small staging area of
   * at most 64 rows × 256 columns) is allocated.
   */
  packBTransposedFrom(k: number, n: number, rows: PackRowsProducer): PackedB;
  /** C (m×n) = alpha·op(A)·op(B) + beta·C with op(B) from `packB` (k×n): bitwise the `gemm` with that B. */
  gemmPacked(m: number, a: Float64Array, b: PackedB, c: Float64Array, opts?: PackedGemmOptions): void;
  /**
   * C (m × b.k) = alpha·op(A)·op(B)ᵀ + beta·C with op(B) (k×n) from `packB` and op(A) m × b.n: the transposed product
   * from the same pack, bitwise the `gemm` with op(B)ᵀ (one pack of a matrix serves both A·Rᵀ and P·R).
   */
  gemmPackedT(m: number, a: Float64Array, b: PackedB, c: Float64Array, opts?: PackedGemmOptions): void;
}
