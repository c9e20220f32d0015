/**
 * One helper thread for the WebAssembly kernels, driven synchronously through a SharedArrayBuffer.
 *
 * The helper instantiates the same wasm module on the same shared `WebAssembly.Memory`. A job is a kernel name
 * (index into HELPER_KERNELS) plus numeric arguments written to a control block; the caller bumps a sequence
 * number, notifies, does its own share of the work, then blocks in `Atomics.wait` until the helper reports the
 * same sequence number as done. Blocking waits are allowed on Node's main thread and in browser workers.
 *
 * Portability: the helper's source is a plain-JavaScript string (no file, no bundler involvement) that runs
 * either as a Node `worker_threads` eval worker (`spawnNodeWorker`, math/worker.ts) or as a browser Web Worker
 * created from a Blob. Only `nodeSpawner` touches Node (through `process.getBuiltinModule`, so browser bundles never
 * see an import); a browser host can install its own spawner with `setHelperSpawner`. Until the helper signals it is ready,
 * callers run both shares themselves, so nothing ever waits on a thread that has not started.
 */
import { canBlock, spawnNodeWorker, type WorkerHandle } from '../worker.js';

/** Kernels the helper may run (the order is the wire format). */
export const HELPER_KERNELS = ['syrkUpper', 'gemm', 'cholPanel', 'cholUpdate', 'trsm', 'tredAccumulate', 'rotateBatch', 'gemmPacked', 'gemmPackedT'] as const;
export type HelperKernel = (typeof HELPER_KERNELS)[number];

// Control block layout: Int32 slots, then Float64 arguments from byte 64.
const SEQ = 0, DONE = 1, READY = 2, OP = 3, NARGS = 4, ERR = 5;
const ARG_BYTES = 64, MAX_ARGS = 24;

export interface HelperInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
}

/** Starts `source` (JavaScript) on a new thread and hands it `init`; returns null when threads are unavailable. */
export type HelperSpawner = (source: string, init: HelperInit) => WorkerHandle | null;

const HELPER_SOURCE = `'use strict';
const SEQ = ${SEQ}, DONE = ${DONE}, READY = ${READY}, OP = ${OP}, NARGS = ${NARGS}, ERR = ${ERR};
const NAMES = ${JSON.stringify(HELPER_KERNELS)};
function start(init) {
  const ex = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
  const i32 = new Int32Array(init.control, 0, ${ARG_BYTES / 4});
  const f64 = new Float64Array(init.control, ${ARG_BYTES}, ${MAX_ARGS});
  Atomics.store(i32, READY, 1);
  Atomics.notify(i32, READY);
  let seen = Atomics.load(i32, SEQ);
  for (;;) {
    Atomics.wait(i32, SEQ, seen);
    const seq = Atomics.load(i32, SEQ);
    if (seq === seen) continue;
    seen = seq;
    const op = i32[OP];
    if (op < 0) { Atomics.store(i32, READY, 0); return; }
    try {
      const args = [];
      for (let i = 0; i < i32[NARGS]; i++) args.push(f64[i]);
      ex[NAMES[op]](...args);
      Atomics.store(i32, ERR, 0);
    } catch (e) {
      Atomics.store(i32, ERR, 1);
    }
    Atomics.store(i32, DONE, seq);
    Atomics.notify(i32, DONE);
  }
}
if (typeof process === 'object' && typeof process.getBuiltinModule === 'function') {
  start(process.getBuiltinModule('node:worker_threads').workerData);
} else {
  self.onmessage = (e) => start(e.data);
}
`;

/** Node.js: a worker_threads eval worker (math/worker.ts), without the parent's Node options. */
export const nodeSpawner: HelperSpawner = (source, init) => spawnNodeWorker(source, init, { execArgv: [] });

let spawner: HelperSpawner = nodeSpawner;

/** Install the thread spawner (e.g. a browser Web Worker factory). Affects helpers created afterwards. */
export function setHelperSpawner(s: HelperSpawner): void {
  spawner = s;
}

export class HelperThread {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private seq = 0;
  private readonly handle: WorkerHandle;

  private constructor(control: SharedArrayBuffer, handle: WorkerHandle) {
    this.i32 = new Int32Array(control, 0, ARG_BYTES / 4);
    this.f64 = new Float64Array(control, ARG_BYTES, MAX_ARGS);
    this.handle = handle;
  }

  /** Start a helper on the shared memory, or return null (no SharedArrayBuffer, cannot block, no spawner). */
  static create(module: WebAssembly.Module, memory: WebAssembly.Memory): HelperThread | null {
    if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer) || !canBlock()) return null;
    const control = new SharedArrayBuffer(ARG_BYTES + 8 * MAX_ARGS);
    let handle: WorkerHandle | null = null;
    try {
      handle = spawner(HELPER_SOURCE, { module, memory, control });
    } catch {
      handle = null;
    }
    return handle ? new HelperThread(control, handle) : null;
  }

  /** True once the helper has instantiated the module and waits for jobs. Never blocks. */
  isReady(): boolean {
    return Atomics.load(this.i32, READY) === 1;
  }

  /** Start `kernel(...args)` on the helper; pair with `join()`. */
  start(kernel: HelperKernel, args: readonly number[]): void {
    if (args.length > MAX_ARGS) throw new Error(`helper job with ${args.length} arguments`);
    for (let i = 0; i < args.length; i++) this.f64[i] = args[i];
    this.i32[OP] = HELPER_KERNELS.indexOf(kernel);
    this.i32[NARGS] = args.length;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.i32, SEQ, this.seq);
    Atomics.notify(this.i32, SEQ);
  }

  /** Block until the job started last is done; throws if it failed on the helper. */
  join(): void {
    for (;;) {
      const d = Atomics.load(this.i32, DONE);
      if (d === this.seq) break;
      Atomics.wait(this.i32, DONE, d, 1000);
    }
    if (Atomics.load(this.i32, ERR) !== 0) throw new Error('linear-algebra helper thread failed');
  }

  /** Stop the helper thread. */
  terminate(): void {
    this.i32[OP] = -1;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.i32, SEQ, this.seq);
    Atomics.notify(this.i32, SEQ);
    this.handle.terminate();
  }
}
