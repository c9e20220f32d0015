/** Boundary validation shared by the linear-algebra backends (sizes and buffer lengths). */
import { FarfieldError } from '../../core/index.js';

export function checkDim(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) {
    throw new FarfieldError('INVALID_INPUT', `${fn}: ${name} must be a non-negative integer, got ${v}`);
  }
}

export function checkLen(fn: string, name: string, arr: Float64Array, needed: number, shape: string): void {
  if (!(arr instanceof Float64Array)) {
    throw new FarfieldError('INVALID_INPUT', `${fn}: ${name} must be a Float64Array`);
  }
  if (arr.length < needed) {
    throw new FarfieldError('INVALID_INPUT', `${fn}: ${name} has length ${arr.length}, expected at least ${needed} (${shape})`);
  }
}

export function notSpd(n: number, pivot: number, value: number): FarfieldError {
  return new FarfieldError(
    'NUMERIC',
    `cholesky: matrix (${n}×${n}) is not positive definite: pivot ${pivot} (0-based) is ${value} (expected > 0)`,
  );
}

export function checkSyrk(a: Float64Array, m: number, n: number, c: Float64Array): void {
  checkDim('syrkAccumulate', 'm', m);
  checkDim('syrkAccumulate', 'n', n);
  checkLen('syrkAccumulate', 'A', a, m * n, `${m}×${n}`);
  checkLen('syrkAccumulate', 'C', c, n * n, `${n}×${n}`);
}

export function checkGemv(a: Float64Array, m: number, n: number, y: Float64Array, b: Float64Array): void {
  checkDim('gemvTransposeAccumulate', 'm', m);
  checkDim('gemvTransposeAccumulate', 'n', n);
  checkLen('gemvTransposeAccumulate', 'A', a, m * n, `${m}×${n}`);
  checkLen('gemvTransposeAccumulate', 'y', y, m, `${m}`);
  checkLen('gemvTransposeAccumulate', 'b', b, n, `${n}`);
}

export function checkGemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array,
  transA: boolean, transB: boolean): void {
  checkDim('gemm', 'm', m);
  checkDim('gemm', 'n', n);
  checkDim('gemm', 'k', k);
  checkLen('gemm', 'A', a, m * k, transA ? `${k}×${m} (transposed)` : `${m}×${k}`);
  checkLen('gemm', 'B', b, k * n, transB ? `${n}×${k} (transposed)` : `${k}×${n}`);
  checkLen('gemm', 'C', c, m * n, `${m}×${n}`);
}

export function checkSquare(fn: string, a: Float64Array, n: number): void {
  checkDim(fn, 'n', n);
  checkLen(fn, 'matrix', a, n * n, `${n}×${n}`);
}

export function checkSolve(fn: string, l: Float64Array, n: number, b: Float64Array, nrhs: number): void {
  checkDim(fn, 'n', n);
  checkDim(fn, 'nrhs', nrhs);
  checkLen(fn, 'L', l, n * n, `${n}×${n}`);
  checkLen(fn, 'B', b, n * nrhs, `${n}×${nrhs}`);
}

/** Validation of packB's operand. */
export function checkPackB(b: Float64Array, k: number, n: number, transB: boolean): void {
  checkDim('packB', 'k', k);
  checkDim('packB', 'n', n);
  checkLen('packB', 'B', b, k * n, transB ? `${n}×${k} (transposed)` : `${k}×${n}`);
}

/** Validation of gemmPacked's operands against a pack of op(B) (k×n). */
export function checkGemmPacked(m: number, k: number, n: number, a: Float64Array, c: Float64Array, transA: boolean,
  backend: string, packBackend: string, freed: boolean): void {
  checkDim('gemmPacked', 'm', m);
  if (freed) throw new FarfieldError('INVALID_INPUT', 'gemmPacked: the packed B was freed; pack it again (packB)');
  if (backend !== packBackend)
    throw new FarfieldError('INVALID_INPUT', `gemmPacked: B was packed by the '${packBackend}' backend, not this '${backend}' one; pack it with the backend that multiplies`);
  checkLen('gemmPacked', 'A', a, m * k, transA ? `${k}×${m} (transposed)` : `${m}×${k}`);
  checkLen('gemmPacked', 'C', c, m * n, `${m}×${n}`);
}
