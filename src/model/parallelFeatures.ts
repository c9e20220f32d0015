/**
 * Descriptor features of a training set (fit.ts step 1) on up to two cores.
 *
 * Same scheme as the normal equations (parallelNormal.ts): the structures are split once into a leading and a trailing
 * part of about equal atom count (`splitPoint`); the calling thread computes the leading part, one `worker_threads`
 * worker the trailing part, writing each structure's N_s × D rows straight into one SharedArrayBuffer (the returned
 * arrays of the trailing structures are views of it: no copy). Every structure's features are computed by the same
 * code from the same descriptor spec (the worker rebuilds the descriptor from `toJSON()`), independently of the other
 * structures, so the result is bitwise the single-threaded one. The caller blocks in `Atomics.wait` after its share
 * and keeps reporting progress. Robustness as in parallelNormal.ts: the worker claims its share with a
 * compare-and-swap; if it has not started within START_GRACE_MS after the caller's share, or fails, the caller
 * computes the trailing part itself. No workers (browser page, no SharedArrayBuffer) or a small set → one thread.
 */
import { type ProgressCallback, type Structure } from '../core/index.js';
import { ComputeContext, createDescriptor, type Descriptor, type DescriptorSpec } from '../descriptors/index.js';
import { canBlock, setLinalgThreadCap, spawnNodeWorker, type WorkerHandle } from '../math/index.js';
import { awaitWorkerShare, runClaimedShare, splitWorkerBootstrap, tsLoaderFor, workerProgress } from './splitWorker.js';
import { splitPoint } from './parallelNormal.js';

/**
 * Tunables. `minAtoms`: the worker is used only for at least this many atoms in all (its start-up, 0.3–3 s with module
 * loading and its own FKK plans, would dominate small sets; sr+lr features cost ~0.2 ms per atom, ~1 ms with a new
 * FKK plan per frame: `npm run bench -- fitFeatures`).
 */
export const parallelFeaturesSettings = { minAtoms: 10000 };

const START_GRACE_MS = 20000;
export interface FeaturesOptions {
  /** 2 (default): one worker when available and the set is large enough; 1: this thread. */
  threads?: 1 | 2;
  onProgress?: ProgressCallback;
}

interface FeaturesWorkerInit {
  url: string;
  loader?: string;
  structures: readonly Structure[];
  descriptor: DescriptorSpec;
  lo: number;
  hi: number;
  /** Row offset (atoms) of structure lo + k in `rows`, k = 0..hi−lo. */
  rowOffsets: Int32Array;
  width: number;
  control: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  error: SharedArrayBuffer;
}

/** Features of structures [lo, hi) into `out(k)` (the single-threaded code path of both threads). */
function featureRange(structures: readonly Structure[], descriptor: Descriptor, lo: number, hi: number,
  out: (k: number, x: Float64Array) => void, done: (k: number) => void): void {
  for (let k = lo; k < hi; k++) {
    const s = structures[k];
    out(k, descriptor.compute(s, new ComputeContext(s)).features.data);
    done(k);
  }
}

/** Worker side (called by the bootstrap below in a worker thread). */
export function runFeaturesWorker(init: FeaturesWorkerInit): void {
  runClaimedShare(init, (progress) => {
    const descriptor = createDescriptor(init.descriptor);
    const D = init.width;
    featureRange(init.structures, descriptor, init.lo, init.hi,
      (k, x) => new Float64Array(init.rows, 8 * init.rowOffsets[k - init.lo] * D, x.length).set(x),
      (k) => progress(k + 1 - init.lo));
  });
}

const BOOTSTRAP = splitWorkerBootstrap('runFeaturesWorker');

type Spawn = (init: FeaturesWorkerInit) => WorkerHandle | null;
const nodeSpawn: Spawn = (init) => spawnNodeWorker(BOOTSTRAP, init);
let spawn: Spawn = nodeSpawn;

/** Replace the worker spawner (tests: `() => null` forces the single-threaded fallback). Returns the previous one. */
export function setFeaturesSpawner(s: Spawn | null): Spawn {
  const prev = spawn;
  spawn = s ?? nodeSpawn;
  return prev;
}

export interface FeaturesResult {
  /** N_s × D per structure (bitwise those of `computeFeatures`). */
  features: Float64Array[];
  /** Threads that did the work (1 or 2). */
  threads: number;
  /** Why the worker failed, when it did (its share was then computed on the calling thread). */
  workerError?: string;
}

/** Descriptor features of every structure, split between this thread and one worker (see the file comment). */
export function computeFeaturesParallel(structures: readonly Structure[], descriptor: Descriptor, options: FeaturesOptions = {}): FeaturesResult {
  const n = structures.length, D = descriptor.width;
  const onProgress = options.onProgress ?? (() => {});
  const features: Float64Array[] = new Array<Float64Array>(n);
  let atoms = 0;
  for (const s of structures) atoms += s.species.length;
  const h = (options.threads ?? 2) === 2 && n >= 2 && atoms >= parallelFeaturesSettings.minAtoms && canBlock() ? splitPoint(structures) : n;
  let worker: WorkerHandle | null = null;
  let init: FeaturesWorkerInit | null = null;
  if (h < n) {
    const rowOffsets = new Int32Array(n - h + 1);
    for (let k = h; k < n; k++) rowOffsets[k - h + 1] = rowOffsets[k - h] + structures[k].species.length;
    init = {
      url: import.meta.url, ...tsLoaderFor(import.meta.url), structures: structures.slice(h, n), descriptor: descriptor.toJSON(), lo: 0, hi: n - h,
      rowOffsets, width: D, control: new SharedArrayBuffer(16), rows: new SharedArrayBuffer(8 * rowOffsets[n - h] * D),
      error: new SharedArrayBuffer(2048),
    };
    worker = spawn(init);
  }
  const ctl = init ? new Int32Array(init.control) : null;
  const workerDone = (): number => workerProgress(ctl);
  const lead = worker ? h : n;
  const keep = (k: number, x: Float64Array): void => { features[k] = x; };
  // while the worker runs, no linalg helper thread on this side either (parallelNormal.ts)
  const cap = worker ? setLinalgThreadCap(1) : null;
  try {
    featureRange(structures, descriptor, 0, lead, keep, (k) => onProgress({ phase: 'descriptors', done: k + 1 + workerDone(), total: n }));
  } finally {
    if (worker) setLinalgThreadCap(cap);
  }
  let threads = 1, workerError = '';
  if (worker && init) {
    const r = awaitWorkerShare(worker, init, START_GRACE_MS, () => onProgress({ phase: 'descriptors', done: lead + workerDone(), total: n }));
    if (r.outcome === 'done') {
      for (let k = h; k < n; k++) features[k] = new Float64Array(init.rows, 8 * init.rowOffsets[k - h] * D, structures[k].species.length * D);
      threads = 2;
    } else {
      workerError = r.error;
      featureRange(structures, descriptor, h, n, keep, (k) => onProgress({ phase: 'descriptors', done: k + 1, total: n }));
    }
  }
  return { features, threads, ...(workerError ? { workerError } : {}) };
}
