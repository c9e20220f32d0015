/**
 * The worker side of the two-thread "leading/trailing split" used by the fit's parallel phases (parallelNormal.ts:
 * normal equations, parallelFeatures.ts: descriptors): the protocol of the shared control block, the worker's claim
 * and error report, the bootstrap source that loads the module in a worker thread, and the TypeScript loader a worker
 * needs when the library runs from its sources.
 *
 * Control block (Int32 slots): STATE (PENDING → WORKER_RUNNING → WORKER_DONE | WORKER_FAILED, or CALLER_TOOK when
 * the caller started the worker's share itself) and PROGRESS (structures done by the worker). The worker claims its
 * share with a compare-and-swap PENDING → WORKER_RUNNING, so exactly one thread computes it.
 */
import { setHelperSpawner } from '../math/index.js';

export const STATE = 0, PROGRESS = 1;
export const PENDING = 0, WORKER_RUNNING = 1, WORKER_DONE = 2, WORKER_FAILED = 3, CALLER_TOOK = 4;

/** What every split-worker init carries: the module to load, its loader, the control block and the error buffer. */
export interface SplitWorkerInit {
  url: string;
  loader?: string;
  control: SharedArrayBuffer;
  /** First bytes of the error message (UTF-8) when the worker fails. */
  error: SharedArrayBuffer;
}

/**
 * Worker side: claim the share (return at once when the caller took it), run `body` with a progress callback
 * (structures done), then report done or the error, and wake the caller.
 */
export function runClaimedShare(init: SplitWorkerInit, body: (progress: (done: number) => void) => void): void {
  const ctl = new Int32Array(init.control);
  if (Atomics.compareExchange(ctl, STATE, PENDING, WORKER_RUNNING) !== PENDING) return; // the caller took the work
  try {
    setHelperSpawner(() => null); // no linalg helper thread inside the worker
    body((done) => Atomics.store(ctl, PROGRESS, done));
    Atomics.store(ctl, STATE, WORKER_DONE);
  } catch (e) {
    const msg = new TextEncoder().encode(String(e instanceof Error ? e.stack ?? e.message : e));
    new Uint8Array(init.error).set(msg.subarray(0, init.error.byteLength));
    Atomics.store(ctl, STATE, WORKER_FAILED);
  }
  Atomics.notify(ctl, STATE);
}

/**
 * Source of the worker bootstrap: registers the loader when given, imports `init.url` and calls its export `entry`
 * with the init; a failure to load reports WORKER_FAILED the same way.
 */
export function splitWorkerBootstrap(entry: string): string {
  return `'use strict';
const wt = process.getBuiltinModule('node:worker_threads');
const init = wt.workerData;
const pre = init.loader ? import(init.loader).then((m) => m.register()) : Promise.resolve();
pre.then(() => import(init.url)).then((m) => m.${entry}(init)).catch((e) => {
  const ctl = new Int32Array(init.control);
  new Uint8Array(init.error).set(new TextEncoder().encode(String(e && e.stack || e)).subarray(0, init.error.byteLength));
  if (Atomics.compareExchange(ctl, ${STATE}, ${PENDING}, ${WORKER_FAILED}) === ${PENDING}) Atomics.notify(ctl, ${STATE});
});
`;
}

/** When `moduleUrl` is TypeScript source (run through tsx), the worker needs tsx's loader too. */
export function tsLoaderFor(moduleUrl: string): { loader?: string } {
  if (!moduleUrl.endsWith('.ts')) return {};
  try {
    return { loader: import.meta.resolve('tsx/esm/api') };
  } catch {
    return {};
  }
}

/** Structures the worker has finished so far (0 before it claimed its share, or without a worker). */
export function workerProgress(ctl: Int32Array | null): number {
  if (!ctl) return 0;
  const s = Atomics.load(ctl, STATE);
  return s === WORKER_RUNNING || s === WORKER_DONE ? Atomics.load(ctl, PROGRESS) : 0;
}

/**
 * Caller side, after its own share: wait for the worker (calling `tick` about every 200 ms), take the worker's share
 * back when the worker has not claimed it `startGraceMs` after the wait began, then terminate the worker. Returns
 * 'done' (the worker's results are in the shared buffers) or the caller must compute the share itself ('failed',
 * with the worker's error text, or 'taken').
 */
export function awaitWorkerShare(worker: { terminate(): unknown }, init: SplitWorkerInit, startGraceMs: number,
  tick: () => void): { outcome: 'done' | 'failed' | 'taken'; error: string } {
  const ctl = new Int32Array(init.control);
  const t0 = Date.now();
  for (;;) {
    const s = Atomics.load(ctl, STATE);
    if (s === WORKER_DONE || s === WORKER_FAILED) break;
    if (s === PENDING && Date.now() - t0 > startGraceMs && Atomics.compareExchange(ctl, STATE, PENDING, CALLER_TOOK) === PENDING) break;
    Atomics.wait(ctl, STATE, s, 200);
    tick();
  }
  const s = Atomics.load(ctl, STATE);
  worker.terminate();
  if (s === WORKER_DONE) return { outcome: 'done', error: '' };
  if (s === WORKER_FAILED) return { outcome: 'failed', error: errorText(init.error) || 'worker failed' };
  return { outcome: 'taken', error: '' };
}

function errorText(buf: SharedArrayBuffer): string {
  const b = new Uint8Array(buf);
  let e = b.indexOf(0);
  if (e < 0) e = b.length;
  return new TextDecoder().decode(b.slice(0, e));
}
