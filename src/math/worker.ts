/**
 * The one worker-thread primitive shared by every multi-threaded path (the linear-algebra helper thread in
 * linalg/threads.ts, the parallel normal equations in model/parallelNormal.ts).
 *
 * A worker runs a plain-JavaScript source string (no file, no bundler involvement) as a Node `worker_threads` eval
 * worker and receives `workerData` by structured clone; results and state travel through SharedArrayBuffers, and the
 * caller blocks in `Atomics.wait` — hence `canBlock`. Node is reached only through `process.getBuiltinModule`, so
 * browser bundles never see a `node:*` import (a browser host installs its own spawner where a caller accepts one).
 * The worker is unref'd (it never keeps the process alive) and its 'error' events are swallowed: every caller detects
 * a worker that never starts or fails through its shared control block and then does the work itself.
 */

/** A started worker thread. */
export interface WorkerHandle {
  terminate(): void;
}

export interface SpawnWorkerOptions {
  /** Node options of the worker (default: the parent's execArgv, e.g. a `--import` loader). */
  execArgv?: string[];
}

interface NodeWorkerLike {
  unref(): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  terminate(): unknown;
}
interface WorkerThreadsLike {
  Worker: new (source: string, opts: { eval: boolean; workerData: unknown; execArgv?: string[] }) => NodeWorkerLike;
}

/**
 * Start `source` on a new Node worker thread with `workerData`; null when worker threads or shared memory are
 * unavailable (browser, old runtime) or the worker cannot be constructed.
 */
export function spawnNodeWorker(source: string, workerData: unknown, options: SpawnWorkerOptions = {}): WorkerHandle | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsLike | undefined;
  if (!wt?.Worker || typeof SharedArrayBuffer === 'undefined') return null;
  try {
    const w = new wt.Worker(source, { eval: true, workerData, ...(options.execArgv ? { execArgv: options.execArgv } : {}) });
    w.unref();
    w.on('error', () => { /* reported through the caller's control block; the caller falls back */ });
    return { terminate: () => void w.terminate() };
  } catch {
    return null;
  }
}

/** Can this thread block in Atomics.wait (false on a browser's main thread, or without SharedArrayBuffer)? */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
