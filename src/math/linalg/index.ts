/**
 * Dense linear algebra for the normal equations of the kernel model (science.md §1.9): syrk/gemv to accumulate
 * ΦᵀΦ and Φᵀy block by block, gemm, Cholesky and triangular solves, and a symmetric eigensolver.
 * Two backends behind one synchronous `Linalg` contract: 'ts' (plain TypeScript, the reference) and 'wasm'
 * (AssemblyScript-built WebAssembly SIMD kernels, optionally on 2 threads).
 */
import { FarfieldError } from '../../core/index.js';
import type { Linalg } from './types.js';
import { tsLinalg } from './tsBackend.js';

export type { Linalg, GemmOptions } from './types.js';
export { symmetricEigen, type SymmetricEigen } from './eigen.js';

/** Backend selection: 'auto' = wasm when available, else ts. */
export function getLinalg(preferred: 'auto' | 'ts' | 'wasm' = 'auto'): Linalg {
  if (preferred === 'ts' || preferred === 'auto') return tsLinalg;
  throw new FarfieldError('UNSUPPORTED', `getLinalg: backend '${preferred}' is not available`);
}
