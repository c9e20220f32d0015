/**
 * Normal equations ΦᵀΦ, Φᵀy of the kernel regression (fit.ts step 5) on up to two cores.
 *
 * Scheme: the structures are split once, statically, into a leading and a trailing part of about equal atom count.
 * The calling thread accumulates the leading part, one `worker_threads` worker the trailing part, each with the same
 * code (`accumulateNormalRange`: descriptor → design rows → syrk/gemv, rows of several structures buffered per syrk)
 * into its own ΦᵀΦ (the worker's lives in a SharedArrayBuffer). The result is ΦᵀΦ_lead + ΦᵀΦ_trail, summed in this
 * fixed order after both are done, so it does not depend on timing (reproducible bit for bit from run to run); it
 * differs from the single-threaded sum only by the grouping of floating-point additions (~1e-16 relative).
 *
 * The worker rebuilds everything from plain data: the descriptor and kernel from their JSON specs (the fitted
 * kernel data such as whitening transforms are part of the spec), the references from their feature rows, the
 * structures by structured clone; the thread itself is math's `spawnNodeWorker`. The calling thread stays
 * synchronous: it blocks in `Atomics.wait` on a shared control block (progress counter, state) after its own share,
 * and keeps reporting progress (its own structures plus the worker's counter). Robustness: the worker claims its
 * share with a compare-and-swap when it starts; if it has not started when the caller is done with its own share (+ START_GRACE_MS), or it fails, the caller computes
 * the trailing part itself (single-threaded result; a genuine error such as invalid input is then thrown from the
 * caller, with its message). No workers (browser page, no `process.getBuiltinModule`, no SharedArrayBuffer) → the
 * whole range on the calling thread. The worker is unref'd and terminated at the end; it never keeps the process
 * alive. In the worker the wasm linear algebra runs single-threaded (no linalg helper thread: two busy threads on
 * two cores); the caller's linear algebra runs single-threaded while the worker runs, including the GEMMs inside the
 * descriptor's reverse pass and the kernels (math's setLinalgThreadCap(1) around the caller's share; before, those
 * started the linalg helper as a third busy thread, which slowed the worker and left a core idle at the end).
 */
import { type ProgressCallback, type Structure } from '../core/index.js';
import { ComputeContext, createDescriptor, type Descriptor, type DescriptorSpec } from '../descriptors/index.js';
import { canBlock, getLinalg, setLinalgThreadCap, spawnNodeWorker, type Linalg, type WorkerHandle } from '../math/index.js';
import { awaitWorkerShare, runClaimedShare, splitWorkerBootstrap, tsLoaderFor, workerProgress } from './splitWorker.js';
import { DesignWorkspace, ReferenceSet, designBlock, type DesignOptions, type RowScaling } from './design.js';
import { createKernel, type KernelSpec } from './kernels.js';
import './blockKernel.js'; // registers the 'linear' and 'block' kernels (the worker imports only this module)

/** Everything needed to build the normal equations, as plain (structured-cloneable) data. */
export interface NormalEquationsJob {
  structures: readonly Structure[];
  descriptor: DescriptorSpec;
  kernel: KernelSpec;
  species: readonly string[];
  /** Reference feature rows per species (count_t × width). */
  refFeatures: readonly Float64Array[];
  width: number;
  scaling: RowScaling;
  opts: DesignOptions;
}

export interface NormalEquationsResult {
  /** M × M, full symmetric storage. */
  ata: Float64Array;
  atb: Float64Array;
  /** yᵀy. */
  yy: number;
  rows: number;
  rowCount: { energy: number; forces: number; stress: number };
  /** Threads that did the work (1 or 2). */
  threads: number;
  /** Why the worker failed, when it did (its share was then computed on the calling thread). */
  workerError?: string;
  /** Seconds the caller waited for the worker after its own share (two threads; the imbalance of the split). */
  callerWaitS?: number;
}

export interface NormalEquationsOptions {
  /** 2 (default): one worker when available and the work is large enough (parallelNormalSettings); 1: this thread. */
  threads?: 1 | 2;
  onProgress?: ProgressCallback;
}

/**
 * Tunables. `minWork`: the worker is used only when Σ_s atoms_s × references ≥ minWork (its start-up, 0.3–3 s with
 * module loading, would dominate small fits; ~1e-5 s per atom·reference were measured on the full benchmark).
 * `capCallerThreads`: the caller's default linalg is capped to one thread while the worker runs (true; false only for
 * the A/B in bench/fitNormal.bench.ts — the helper thread then competes with the worker for the cores).
 */
export const parallelNormalSettings = { minWork: 1e6, capCallerThreads: true };

/** Rows buffered per syrk call. */
const BUF_ROWS = 512;
/** How long the caller waits for the worker to start after finishing its own share before doing the rest itself. */
const START_GRACE_MS = 20000;

interface RangeStats {
  yy: number;
  rows: number;
  energy: number;
  forces: number;
  stress: number;
}

/**
 * ΦᵀΦ (ata, M×M) and Φᵀy (atb) += the design rows of structures [lo, hi); `done(k)` after each structure.
 * The single-threaded code path of both threads.
 */
export function accumulateNormalRange(job: NormalEquationsJob, descriptor: Descriptor, refs: ReferenceSet, lo: number,
  hi: number, ata: Float64Array, atb: Float64Array, la: Linalg, done: (k: number) => void = () => {}): RangeStats {
  const m = refs.nColumns;
  const st: RangeStats = { yy: 0, rows: 0, energy: 0, forces: 0, stress: 0 };
  let buf = new Float64Array(0);
  let bufY = new Float64Array(0);
  let filled = 0;
  const flush = (): void => {
    if (filled === 0) return;
    la.syrkAccumulate(buf, filled, m, ata);
    la.gemvTransposeAccumulate(buf, filled, m, bufY, atb);
    filled = 0;
  };
  const workspace = new DesignWorkspace();
  for (let k = lo; k < hi; k++) {
    const s = job.structures[k];
    const ctx = new ComputeContext(s);
    const out = descriptor.compute(s, ctx);
    const blk = designBlock(s, descriptor, ctx, out.features.data, out.saved, refs, job.scaling, job.opts, workspace);
    st.energy += blk.energyRows;
    st.forces += blk.forceRows;
    st.stress += blk.stressRows;
    st.rows += blk.rows;
    for (let r = 0; r < blk.rows; r++) st.yy += blk.y[r] * blk.y[r];
    if (filled + blk.rows > BUF_ROWS) flush();
    if (blk.rows > BUF_ROWS) {
      la.syrkAccumulate(blk.phi, blk.rows, m, ata);
      la.gemvTransposeAccumulate(blk.phi, blk.rows, m, blk.y, atb);
    } else {
      if (buf.length < BUF_ROWS * m) {
        buf = new Float64Array(BUF_ROWS * m);
        bufY = new Float64Array(BUF_ROWS);
      }
      buf.set(blk.phi, filled * m);
      bufY.set(blk.y, filled);
      filled += blk.rows;
    }
    done(k);
  }
  flush();
  return st;
}

/** Structures [0, h) for the caller, [h, n) for the worker: about half of the atoms each. */
export function splitPoint(structures: readonly Structure[]): number {
  let total = 0;
  for (const s of structures) total += s.species.length;
  let acc = 0;
  for (let k = 0; k < structures.length; k++) {
    acc += structures[k].species.length;
    if (2 * acc >= total) return k + 1;
  }
  return structures.length;
}

function build(job: NormalEquationsJob): { descriptor: Descriptor; refs: ReferenceSet } {
  const descriptor = createDescriptor(job.descriptor);
  const refs = new ReferenceSet(createKernel(job.kernel), job.species, job.refFeatures.slice(), job.width);
  return { descriptor, refs };
}

interface WorkerInit {
  /** This module (the worker imports it and calls runNormalEquationsWorker). */
  url: string;
  /** Running from TypeScript sources (tsx): tsx's ESM API, registered in the worker before importing `url`. */
  loader?: string;
  job: NormalEquationsJob;
  lo: number;
  hi: number;
  control: SharedArrayBuffer;
  ata: SharedArrayBuffer;
  atb: SharedArrayBuffer;
  /** yy, rows, energy, forces, stress */
  stats: SharedArrayBuffer;
  /** First bytes of the error message (UTF-8) when the worker fails. */
  error: SharedArrayBuffer;
}

/** Worker side (called by the bootstrap below in a worker thread). */
export function runNormalEquationsWorker(init: WorkerInit): void {
  runClaimedShare(init, (progress) => {
    const { descriptor, refs } = build(init.job);
    const ata = new Float64Array(init.ata), atb = new Float64Array(init.atb);
    const st = accumulateNormalRange(init.job, descriptor, refs, init.lo, init.hi, ata, atb, getLinalg('auto', { threads: 1 }),
      (k) => progress(k + 1 - init.lo));
    new Float64Array(init.stats).set([st.yy, st.rows, st.energy, st.forces, st.stress]);
  });
}

const BOOTSTRAP = splitWorkerBootstrap('runNormalEquationsWorker');

/** Hook for tests: spawn the worker (returns null when unavailable). */
type Spawn = (init: WorkerInit) => WorkerHandle | null;

const nodeSpawn: Spawn = (init) => spawnNodeWorker(BOOTSTRAP, init);

let spawn: Spawn = nodeSpawn;

/** Replace the worker spawner (tests: `() => null` forces the single-threaded fallback). Returns the previous one. */
export function setNormalEquationsSpawner(s: Spawn | null): Spawn {
  const prev = spawn;
  spawn = s ?? nodeSpawn;
  return prev;
}

/** ΦᵀΦ, Φᵀy, yᵀy of all structures (see the file comment for the two-thread scheme). */
export function buildNormalEquations(job: NormalEquationsJob, options: NormalEquationsOptions = {}): NormalEquationsResult {
  const n = job.structures.length;
  const onProgress = options.onProgress ?? (() => {});
  const { descriptor, refs } = build(job);
  const m = refs.nColumns;
  const ata = new Float64Array(m * m);
  const atb = new Float64Array(m);
  let work = 0;
  for (const s of job.structures) work += s.species.length * refs.nRefs;
  const h = (options.threads ?? 2) === 2 && n >= 2 && work >= parallelNormalSettings.minWork && canBlock() ? splitPoint(job.structures) : n;
  let worker: WorkerHandle | null = null;
  let init: WorkerInit | null = null;
  if (h < n) {
    init = {
      url: import.meta.url, ...tsLoaderFor(import.meta.url), job, lo: h, hi: n,
      control: new SharedArrayBuffer(16), ata: new SharedArrayBuffer(8 * m * m), atb: new SharedArrayBuffer(8 * m),
      stats: new SharedArrayBuffer(8 * 5), error: new SharedArrayBuffer(2048),
    };
    worker = spawn(init);
  }
  const ctl = init ? new Int32Array(init.control) : null;
  const workerDone = (): number => workerProgress(ctl);
  const lead = worker ? h : n;
  // while the worker runs, all of the caller's linear algebra stays on this thread: the syrk here, and (through the
  // thread cap) every getLinalg() inside the descriptor's reverse pass and the kernels — no helper thread competing
  // with the worker for the two cores
  const la = worker ? getLinalg('auto', { threads: 1 }) : getLinalg();
  const capped = worker !== null && parallelNormalSettings.capCallerThreads;
  const cap = capped ? setLinalgThreadCap(1) : null;
  let st: RangeStats;
  try {
    st = accumulateNormalRange(job, descriptor, refs, 0, lead, ata, atb, la,
      (k) => onProgress({ phase: 'normal equations', done: k + 1 + workerDone(), total: n }));
  } finally {
    if (capped) setLinalgThreadCap(cap);
  }
  let threads = 1;
  let workerError = '';
  let callerWaitS = 0;
  if (worker && init) {
    const w0 = performance.now();
    const r = awaitWorkerShare(worker, init, START_GRACE_MS, () => onProgress({ phase: 'normal equations', done: lead + workerDone(), total: n }));
    callerWaitS = (performance.now() - w0) / 1000;
    if (r.outcome === 'done') {
      const wa = new Float64Array(init.ata), wb = new Float64Array(init.atb);
      for (let k = 0; k < m * m; k++) ata[k] += wa[k];
      for (let k = 0; k < m; k++) atb[k] += wb[k];
      const ws = new Float64Array(init.stats);
      st.yy += ws[0];
      st.rows += ws[1];
      st.energy += ws[2];
      st.forces += ws[3];
      st.stress += ws[4];
      threads = 2;
    } else {
      workerError = r.error;
      // the worker never started or failed: the trailing part here (a genuine error is thrown again, from here)
      const more = accumulateNormalRange(job, descriptor, refs, h, n, ata, atb, getLinalg(),
        (k) => onProgress({ phase: 'normal equations', done: k + 1, total: n }));
      st.yy += more.yy;
      st.rows += more.rows;
      st.energy += more.energy;
      st.forces += more.forces;
      st.stress += more.stress;
    }
  }
  onProgress({ phase: 'normal equations', done: n, total: n });
  return {
    ata, atb, yy: st.yy, rows: st.rows, rowCount: { energy: st.energy, forces: st.forces, stress: st.stress }, threads,
    ...(workerError ? { workerError } : {}), ...(threads === 2 ? { callerWaitS } : {}),
  };
}
