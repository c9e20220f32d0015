/**
 * Dense linear algebra for the normal equations of the kernel model (science.md §1.9): syrk/gemv to accumulate
 * ΦᵀΦ and Φᵀy block by block, gemm, Cholesky and triangular solves, and a symmetric eigensolver.
 * Two backends behind one synchronous `Linalg` contract: 'ts' (plain TypeScript, the reference) and 'wasm'
 * (AssemblyScript-built WebAssembly SIMD kernels, on up to 2 threads; see wasmBackend.ts and threads.ts).
 */
import { FarfieldError } from '../../core/index.js';
import type { Linalg } from './types.js';
import { tsLinalg } from './tsBackend.js';
import { WasmLinalg, WasmRuntime } from './wasmBackend.js';
import { symmetricEigenWith, type SymmetricEigen } from './eigen.js';

export type { Linalg, GemmOptions, PackedB, PackedGemmOptions, PackRowsProducer } from './types.js';
export type { SymmetricEigen } from './eigen.js';
export { setHelperSpawner, type HelperSpawner, type HelperInit } from './threads.js';
export { PowerSpectrumWasm, RadialPairsWasm, type PowerSpectrumBasis } from './powerSpectrumWasm.js';

export interface LinalgOptions {
  /** Threads for the wasm backend: 1, or 2 (default when the platform has ≥ 2 cores and shared memory). */
  threads?: 1 | 2;
}

let runtime: WasmRuntime | null | undefined;
const instances = new Map<number, WasmLinalg>();

function wasmRuntime(): WasmRuntime | null {
  if (runtime === undefined) runtime = WasmRuntime.create();
  return runtime;
}

/** Cap on the default thread count (setLinalgThreadCap); null: none. */
let threadCap: 1 | 2 | null = null;

/**
 * Caps the thread count that `getLinalg()` and `symmetricEigen` use when the caller does not ask for one (an explicit
 * `{ threads: 2 }` is still honoured). A thread that shares the cores with its own worker threads (the fit's two-thread
 * phases, model/parallelNormal.ts) sets 1, so library code deep inside (descriptor reverse passes, kernels) does not
 * start the linalg helper as a third busy thread. Returns the previous cap, for restoring it; null removes the cap.
 */
export function setLinalgThreadCap(cap: 1 | 2 | null): 1 | 2 | null {
  if (cap !== null && cap !== 1 && cap !== 2) throw new FarfieldError('INVALID_INPUT', `setLinalgThreadCap: expected 1, 2 or null, got ${String(cap)}`);
  const prev = threadCap;
  threadCap = cap;
  return prev;
}

/** Threads `getLinalg()` uses without options: the platform's default (defaultThreads) within the cap. */
export function linalgDefaultThreads(): 1 | 2 {
  return threadCap === 1 ? 1 : defaultThreads();
}

/** 2 when the platform reports ≥ 2 cores (browser: navigator.hardwareConcurrency; Node: os.availableParallelism). */
function defaultThreads(): 1 | 2 {
  const g = globalThis as {
    navigator?: { hardwareConcurrency?: number };
    process?: { getBuiltinModule?: (id: string) => unknown };
  };
  let cores = g.navigator?.hardwareConcurrency;
  if (cores === undefined) {
    const os = g.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
    cores = os?.availableParallelism?.() ?? 1;
  }
  return cores >= 2 ? 2 : 1;
}

/** True when the WebAssembly SIMD backend can run here. */
export function wasmLinalgAvailable(): boolean {
  return wasmRuntime() !== null;
}

/** Bytes of the wasm backend's linear memory, and of it the live packed operands (`packB`); zeros without wasm. */
export function wasmLinalgMemory(): { bytes: number; packedLive: number; packedSpan: number } {
  const rt = runtime ?? null;
  if (!rt) return { bytes: 0, packedLive: 0, packedSpan: 0 };
  const u = rt.persistentUsage();
  return { bytes: rt.memory.buffer.byteLength, packedLive: u.live, packedSpan: u.span };
}

/** Backend selection: 'auto' = wasm when available, else ts. */
export function getLinalg(preferred: 'auto' | 'ts' | 'wasm' = 'auto', options: LinalgOptions = {}): Linalg {
  if (preferred === 'ts') return tsLinalg;
  const rt = wasmRuntime();
  if (!rt) {
    if (preferred === 'auto') return tsLinalg;
    throw new FarfieldError('UNSUPPORTED', "getLinalg: backend 'wasm' is not available (no WebAssembly SIMD)");
  }
  let threads: number = options.threads ?? linalgDefaultThreads();
  if (threads !== 1 && threads !== 2) {
    throw new FarfieldError('INVALID_INPUT', `getLinalg: threads must be 1 or 2, got ${threads}`);
  }
  if (threads === 2 && !rt.startHelper()) threads = 1;
  let inst = instances.get(threads);
  if (!inst) {
    inst = new WasmLinalg(rt, threads);
    instances.set(threads, inst);
  }
  return inst;
}

/**
 * Resolves true once the wasm helper thread is running (starting it if needed), false if threads are unavailable.
 * Optional: before that, the wasm backend simply runs single-threaded.
 */
export async function linalgThreadsReady(timeoutMs = 5000): Promise<boolean> {
  const rt = wasmRuntime();
  if (!rt || !rt.startHelper()) return false;
  return rt.whenHelperReady(timeoutMs);
}

/**
 * Symmetric eigendecomposition (ascending eigenvalues; eigenvectors as COLUMNS of an n×n row-major matrix).
 * Householder tridiagonalisation + implicit QL (eigen.ts); the O(n³) loops run as wasm SIMD kernels when available
 * ('auto'; back-accumulation and QL rotations on 2 threads when the helper is ready), or in TS.
 * A must be symmetric (its upper triangle is read) and is not modified.
 */
export function symmetricEigen(a: Float64Array, n: number, backend: 'auto' | 'ts' | 'wasm' = 'auto',
  options: LinalgOptions = {}): SymmetricEigen {
  const rt = backend === 'ts' ? null : wasmRuntime();
  if (backend === 'wasm' && !rt) {
    throw new FarfieldError('UNSUPPORTED', "symmetricEigen: backend 'wasm' is not available (no WebAssembly SIMD)");
  }
  const threads = rt && (options.threads ?? linalgDefaultThreads()) === 2 && rt.startHelper() ? 2 : 1;
  return symmetricEigenWith(a, n, rt ? (x, k) => rt.eigenWorkspace(x, k, threads) : null);
}
