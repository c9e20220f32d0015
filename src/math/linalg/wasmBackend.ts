/**
 * WebAssembly SIMD backend of the `Linalg` contract (kernels: assembly/linalg.ts, built into wasmBinary.ts).
 *
 * Memory: one `WebAssembly.Memory` (shared when SharedArrayBuffer exists, so a helper thread can work on it),
 * grown on demand and never shrunk. Each call copies its operands in at fixed offsets, runs the kernels and copies
 * the results out (copies are O(mn + n²) against O(mn²) work: ~3 % of a 20000 × 1000 syrk, see bench/linalg).
 * Threads: with a ready helper (threads.ts) each kernel's output panels are split in two equal-work ranges —
 * syrk/gemm by column panels, Cholesky panel solve and trailing update by row panels, triangular solves by
 * right-hand-side columns. Every output element is computed by the same code in the same order whatever the split,
 * so results are bitwise identical with 1 or 2 threads.
 * Small problems where copying dominates (gemv; triangular solves with < 8 right-hand sides) use the TS kernels.
 * Pre-packed right operands (`packB`, issue 17): op(B) packed once into gemm's panel layout and kept in a persistent
 * region of the memory, so repeated products with the same B (a model's reference rows, every force call) copy and
 * pack only A. Persistent regions sit at the bottom ([BASE, top), first-fit free list, freed by `free()` or a
 * FinalizationRegistry when the pack is collected); each call's scratch starts above them (`scratchBase`).
 */
import { FarfieldError } from '../../core/index.js';
import type { GemmOptions, Linalg, PackedB, PackedGemmOptions, PackRowsProducer } from './types.js';
import type { EigenWorkspace } from './eigen.js';
import { checkDim, checkGemm, checkGemmPacked, checkPackB, checkSolve, checkSquare, checkSyrk, notSpd } from './check.js';
import { checkDiagonal, gemvTransposeAccumulateTs, triangularSolveTs } from './tsBackend.js';
import { HelperThread, type HelperKernel } from './threads.js';
import { WASM_PLAIN_BASE64, WASM_SHARED_BASE64 } from './wasmBinary.js';

interface Kernels {
  syrkUpper(a: number, m: number, n: number, c: number, alpha: number, pack: number, jp0: number, jp1: number): void;
  mirrorUpper(c: number, n: number): void;
  gemm(m: number, n: number, k: number, a: number, lda: number, transA: number, b: number, ldb: number, transB: number,
    c: number, ldc: number, alpha: number, beta: number, packA: number, packB: number): void;
  cholDiag(a: number, n: number, j0: number, jb: number, info: number): number;
  cholPanel(a: number, n: number, j0: number, jb: number, pack: number, p0: number, p1: number): void;
  cholUpdate(a: number, n: number, j0: number, jb: number, pack: number, p0: number, p1: number): void;
  zeroUpper(a: number, n: number): void;
  trsm(l: number, n: number, b: number, ldb: number, w: number, transpose: number, packA: number, packB: number): void;
  tredSymv(w: number, n: number, i: number, d: number, e: number): void;
  tredRank2(w: number, n: number, i: number, d: number, e: number): void;
  tredAccumulate(w: number, n: number, i: number, d: number, j0: number, j1: number): void;
  rotateBatch(w: number, n: number, ns: number, desc: number, cs: number, sn: number, k0: number, k1: number,
    ch: number): void;
  packB(k: number, n: number, b: number, ldb: number, transB: number, dst: number): void;
  gemmPacked(m: number, n: number, k: number, a: number, lda: number, transA: number, pb: number, jp0: number, jp1: number,
    c: number, ldc: number, alpha: number, beta: number, packA: number): void;
  gemmPackedT(m: number, n: number, k: number, a: number, lda: number, transA: number, pb: number, jp0: number, jp1: number,
    c: number, ldc: number, alpha: number, beta: number, packA: number, panel: number): void;
}

/** Must match the constants of assembly/linalg.ts. */
const KC = 256, MC = 128;
/** Rows of B staged per piece by packBTransposedFrom (a multiple of 4: whole panels). */
const PACK_ROWS = 64;
/** Cholesky block size (columns per panel). */
const CHOL_NB = 96;
/** First byte the JS side hands out (the module has no static data; keep a page for safety). */
const BASE = 65536;
const PAGE = 65536;
const MAX_PAGES = 65536;
/** Below this many flops a job is not split between threads (thread hand-off costs ~10–50 µs). */
const PARALLEL_MIN_FLOPS = 4e6;
/** Eigensolver steps are split between threads above this many flops (there are O(n) steps). */
const EIGEN_PARALLEL_MIN_FLOPS = 5e5;
/** QL sweeps recorded per rotation batch. */
const MAX_SWEEPS = 256;
/** Triangular solves with fewer right-hand sides run in TS (copying L would cost more than the solve). */
const TRSM_MIN_NRHS = 8;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export class WasmRuntime {
  readonly kernels: Kernels;
  private helper: HelperThread | null = null;
  /** End of the persistent regions (packed operands); per-call scratch starts here. */
  private persistentTop = BASE;
  /** Free persistent regions [offset, bytes], sorted by offset, adjacent ones merged. */
  private readonly holes: [number, number][] = [];
  /** Bytes held by live persistent regions. */
  private persistentLive = 0;
  private readonly finalizer = typeof FinalizationRegistry === 'undefined' ? null
    : new FinalizationRegistry<[number, number]>(([off, bytes]) => this.release(off, bytes));

  private constructor(readonly module: WebAssembly.Module, readonly memory: WebAssembly.Memory, readonly shared: boolean) {
    this.kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
  }

  /** Compile and instantiate (shared memory when possible); null when WebAssembly SIMD is unavailable. */
  static create(): WasmRuntime | null {
    if (typeof WebAssembly === 'undefined') return null;
    if (typeof SharedArrayBuffer !== 'undefined') {
      try {
        const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
        return new WasmRuntime(new WebAssembly.Module(decodeBase64(WASM_SHARED_BASE64)), memory, true);
      } catch {
        // fall through to the plain variant
      }
    }
    try {
      const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES });
      return new WasmRuntime(new WebAssembly.Module(decodeBase64(WASM_PLAIN_BASE64)), memory, false);
    } catch {
      return null;
    }
  }

  /** Start the helper thread (once); it becomes usable when ready. Returns false if threads are unavailable. */
  startHelper(): boolean {
    if (this.helper) return true;
    if (!this.shared) return false;
    this.helper = HelperThread.create(this.module, this.memory);
    return this.helper !== null;
  }

  helperReady(): boolean {
    return this.helper !== null && this.helper.isReady();
  }

  /** Resolves true once the helper is ready (false if none or not ready within timeoutMs). */
  async whenHelperReady(timeoutMs = 5000): Promise<boolean> {
    if (!this.helper) return false;
    const t0 = Date.now();
    while (!this.helper.isReady()) {
      if (Date.now() - t0 > timeoutMs) return false;
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  /** First byte of per-call scratch (above every persistent region). */
  get scratchBase(): number {
    return this.persistentTop;
  }

  /** Bytes held by live persistent regions (packed operands), and the span they and their holes occupy. */
  persistentUsage(): { live: number; span: number } {
    return { live: this.persistentLive, span: this.persistentTop - BASE };
  }

  /** A persistent region of `bytes` (multiple of 64): first fit in a hole, else on top (memory grown). */
  reserve(bytes: number): number {
    this.persistentLive += bytes;
    for (let h = 0; h < this.holes.length; h++) {
      const [off, size] = this.holes[h];
      if (size < bytes) continue;
      if (size === bytes) this.holes.splice(h, 1);
      else this.holes[h] = [off + bytes, size - bytes];
      return off;
    }
    const off = this.persistentTop;
    this.ensure(off + bytes);
    this.persistentTop = off + bytes;
    return off;
  }

  /** Give a persistent region back (merged with neighbouring holes; the top shrinks when it was the last). */
  release(off: number, bytes: number): void {
    this.persistentLive -= bytes;
    const holes = this.holes;
    let h = 0;
    while (h < holes.length && holes[h][0] < off) h++;
    holes.splice(h, 0, [off, bytes]);
    if (h + 1 < holes.length && holes[h][0] + holes[h][1] === holes[h + 1][0]) {
      holes[h][1] += holes[h + 1][1];
      holes.splice(h + 1, 1);
    }
    if (h > 0 && holes[h - 1][0] + holes[h - 1][1] === holes[h][0]) {
      holes[h - 1][1] += holes[h][1];
      holes.splice(h, 1);
      h--;
    }
    const last = holes[holes.length - 1];
    if (last && last[0] + last[1] === this.persistentTop) {
      this.persistentTop = last[0];
      holes.pop();
    }
  }

  /** Register a pack for release when it is garbage-collected without free(). */
  track(pack: object, off: number, bytes: number): void {
    this.finalizer?.register(pack, [off, bytes], pack);
  }

  untrack(pack: object): void {
    this.finalizer?.unregister(pack);
  }

  /** Grow memory so that [0, bytes) is addressable. */
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) {
      throw new FarfieldError('INVALID_INPUT', `linalg (wasm): problem needs ${(bytes / 2 ** 30).toFixed(2)} GiB, more than the 4 GiB of a wasm32 memory`);
    }
    this.memory.grow(pages);
  }

  /** Eigensolver workspace in wasm memory holding a copy of a (views stay valid: nothing grows meanwhile). */
  eigenWorkspace(a: Float64Array, n: number, threads: number): EigenWorkspace {
    const L = new Layout(this.scratchBase);
    const pw = L.take(n * n), pd = L.take(n), pe = L.take(n), pcs = L.take(n), psn = L.take(n);
    // rotation log: QL sweeps are recorded and applied in batches (rotateBatch)
    const cap = Math.max(16 * n, 1 << 16);
    const plc = L.take(cap), pls = L.take(cap), pdesc = L.take((3 * MAX_SWEEPS) / 2);
    this.ensure(L.end);
    const w = this.view(pw, n * n);
    w.set(a.subarray(0, n * n));
    const d = this.view(pd, n), e = this.view(pe, n);
    d.fill(0);
    e.fill(0);
    const k = this.kernels;
    const cs = this.view(pcs, n), sn = this.view(psn, n);
    const logC = this.view(plc, cap), logS = this.view(pls, cap);
    const desc = new Int32Array(this.memory.buffer, pdesc, 3 * MAX_SWEEPS);
    // column chunk: the rows a batch spans (≤ n) × chunk × 8 bytes ≈ 512 KiB, within L2
    const ch = Math.min(256, Math.max(16, 2 * Math.floor(32768 / Math.max(n, 1))));
    const half = 2 * (n >> 2);
    let nSweeps = 0, top = 0, rotations = 0;
    const flush = (): void => {
      if (nSweeps === 0) return;
      const ns = nSweeps;
      this.split(6 * rotations * n, 'rotateBatch', [pw, n, ns, pdesc, plc, pls, half, n, ch],
        () => k.rotateBatch(pw, n, ns, pdesc, plc, pls, 0, half, ch), threads, EIGEN_PARALLEL_MIN_FLOPS);
      nSweeps = 0;
      top = 0;
      rotations = 0;
    };
    return {
      n, w, d, e, cs, sn, flush,
      symv: (i) => k.tredSymv(pw, n, i, pd, pe),
      rank2: (i) => k.tredRank2(pw, n, i, pd, pe),
      // rows j (accumulation) and columns (rotations) are independent: split in halves between the threads
      accumulate: (i) => {
        const h = (i + 1) >> 1;
        this.split(2 * (i + 1) * (i + 1), 'tredAccumulate', [pw, n, i, pd, h, i + 1], () => k.tredAccumulate(pw, n, i, pd, 0, h),
          threads, EIGEN_PARALLEL_MIN_FLOPS);
      },
      rotate: (lo, hi) => {
        const len = hi - lo;
        if (len <= 0) return;
        if (nSweeps === MAX_SWEEPS || top + len > cap) flush();
        logC.set(cs.subarray(lo, hi), top);
        logS.set(sn.subarray(lo, hi), top);
        desc[3 * nSweeps] = lo;
        desc[3 * nSweeps + 1] = hi;
        desc[3 * nSweeps + 2] = top;
        nSweeps++;
        top += len;
        rotations += len;
      },
    };
  }

  view(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset, length);
  }

  /**
   * Run `mine()` here and `kernel(...helperArgs)` on the helper when it is ready and the job is big enough,
   * otherwise both here (same results either way).
   */
  split(flops: number, kernel: HelperKernel, helperArgs: readonly number[], mine: () => void, threads: number,
    minFlops = PARALLEL_MIN_FLOPS): void {
    const h = this.helper;
    if (threads > 1 && h && flops >= minFlops && h.isReady()) {
      h.start(kernel, helperArgs);
      try {
        mine();
      } finally {
        h.join();
      }
    } else {
      mine();
      (this.kernels[kernel] as (...a: number[]) => void)(...helperArgs);
    }
  }
}

/** Bump allocator over the wasm memory for one call: 64-byte aligned regions from the runtime's scratch base. */
class Layout {
  constructor(private top: number) {}
  take(doubles: number): number {
    const off = this.top;
    this.top += Math.ceil((doubles * 8) / 64) * 64;
    return off;
  }
  get end(): number {
    return this.top;
  }
}

/** Split index s in [0, np] so that Σ_{p<s}(p+1) ≈ half of Σ_{p<np}(p+1) (triangular work). */
function triangularSplit(np: number): number {
  return Math.min(np, Math.max(0, Math.round(np / Math.SQRT2)));
}

export class WasmLinalg implements Linalg {
  readonly backend = 'wasm' as const;
  constructor(private readonly rt: WasmRuntime, readonly threads: number) {}

  syrkAccumulate(a: Float64Array, m: number, n: number, c: Float64Array, alpha = 1): void {
    checkSyrk(a, m, n, c);
    if (n === 0) return;
    const rt = this.rt, np = (n + 3) >> 2;
    const L = new Layout(rt.scratchBase);
    const pa = L.take(m * n), pc = L.take(n * n), pk0 = L.take(KC * 4 * np), pk1 = L.take(KC * 4 * np);
    rt.ensure(L.end);
    rt.view(pa, m * n).set(a.subarray(0, m * n));
    rt.view(pc, n * n).set(c.subarray(0, n * n));
    if (m > 0 && alpha !== 0) {
      const s = triangularSplit(np);
      const k = rt.kernels;
      rt.split(m * n * n, 'syrkUpper', [pa, m, n, pc, alpha, pk1, s, np], () => k.syrkUpper(pa, m, n, pc, alpha, pk0, 0, s),
        this.threads);
    }
    rt.kernels.mirrorUpper(pc, n);
    c.set(rt.view(pc, n * n));
  }

  gemvTransposeAccumulate(a: Float64Array, m: number, n: number, y: Float64Array, b: Float64Array, alpha = 1): void {
    gemvTransposeAccumulateTs(a, m, n, y, b, alpha);
  }

  gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, opts: GemmOptions = {}): void {
    const transA = opts.transA ?? false, transB = opts.transB ?? false;
    const alpha = opts.alpha ?? 1, beta = opts.beta ?? 0;
    checkGemm(m, n, k, a, b, c, transA, transB);
    if (m === 0 || n === 0) return;
    const rt = this.rt, np = (n + 3) >> 2;
    const L = new Layout(rt.scratchBase);
    const pa = L.take(m * k), pb = L.take(k * n), pc = L.take(m * n);
    const kc = Math.min(KC, Math.max(k, 1));
    const pA0 = L.take(MC * kc), pA1 = L.take(MC * kc), pB0 = L.take(kc * 4 * np), pB1 = L.take(kc * 4 * np);
    rt.ensure(L.end);
    rt.view(pa, m * k).set(a.subarray(0, m * k));
    rt.view(pb, k * n).set(b.subarray(0, k * n));
    if (beta !== 0) rt.view(pc, m * n).set(c.subarray(0, m * n));
    const lda = transA ? m : k, ldb = transB ? k : n;
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const alphaEff = k === 0 ? 0 : alpha;
    // columns [0, 4s) here, [4s, n) on the helper
    const s = np >> 1, j1 = Math.min(n, 4 * s);
    const bOff = (j: number): number => pb + 8 * (transB ? j * ldb : j);
    const ker = rt.kernels;
    rt.split(2 * m * n * k, 'gemm',
      [m, n - j1, k, pa, lda, tA, bOff(j1), ldb, tB, pc + 8 * j1, n, alphaEff, beta, pA1, pB1],
      () => { if (j1 > 0) ker.gemm(m, j1, k, pa, lda, tA, pb, ldb, tB, pc, n, alphaEff, beta, pA0, pB0); },
      this.threads);
    c.set(rt.view(pc, m * n));
  }

  cholesky(a: Float64Array, n: number): void {
    checkSquare('cholesky', a, n);
    if (n === 0) return;
    const rt = this.rt, ker = rt.kernels;
    const L = new Layout(rt.scratchBase);
    const pa = L.take(n * n), info = L.take(8), pk = L.take((((n + 3) >> 2) + 1) * 4 * CHOL_NB);
    rt.ensure(L.end);
    rt.view(pa, n * n).set(a.subarray(0, n * n));
    for (let j0 = 0; j0 < n; j0 += CHOL_NB) {
      const jb = Math.min(CHOL_NB, n - j0);
      const bad = ker.cholDiag(pa, n, j0, jb, info);
      if (bad >= 0) throw notSpd(n, bad, rt.view(info, 1)[0]);
      const nr = n - j0 - jb;
      if (nr === 0) break;
      const npr = (nr + 3) >> 2;
      const s1 = npr >> 1;
      rt.split(nr * jb * jb, 'cholPanel', [pa, n, j0, jb, pk, s1, npr], () => ker.cholPanel(pa, n, j0, jb, pk, 0, s1),
        this.threads);
      const s2 = triangularSplit(npr);
      rt.split(nr * nr * jb, 'cholUpdate', [pa, n, j0, jb, pk, s2, npr], () => ker.cholUpdate(pa, n, j0, jb, pk, 0, s2),
        this.threads);
    }
    ker.zeroUpper(pa, n);
    a.set(rt.view(pa, n * n));
  }

  triangularSolve(l: Float64Array, n: number, b: Float64Array, nrhs: number, transpose: boolean): void {
    if (nrhs < TRSM_MIN_NRHS) {
      triangularSolveTs(l, n, b, nrhs, transpose);
      return;
    }
    checkSolve('triangularSolve', l, n, b, nrhs);
    checkDiagonal('triangularSolve', l, n);
    if (n === 0) return;
    const rt = this.rt, ker = rt.kernels;
    const L = new Layout(rt.scratchBase);
    const pl = L.take(n * n), pb = L.take(n * nrhs);
    const np = (nrhs + 3) >> 2;
    const pA0 = L.take(MC * KC), pA1 = L.take(MC * KC), pB0 = L.take(KC * 4 * np), pB1 = L.take(KC * 4 * np);
    rt.ensure(L.end);
    rt.view(pl, n * n).set(l.subarray(0, n * n));
    rt.view(pb, n * nrhs).set(b.subarray(0, n * nrhs));
    const tr = transpose ? 1 : 0;
    const w0 = 4 * (np >> 1);
    rt.split(n * n * nrhs, 'trsm', [pl, n, pb + 8 * w0, nrhs, nrhs - w0, tr, pA1, pB1],
      () => { if (w0 > 0) ker.trsm(pl, n, pb, nrhs, w0, tr, pA0, pB0); }, this.threads);
    b.set(rt.view(pb, n * nrhs));
  }

  choleskySolve(l: Float64Array, n: number, b: Float64Array, nrhs: number): void {
    this.triangularSolve(l, n, b, nrhs, false);
    this.triangularSolve(l, n, b, nrhs, true);
  }

  /** The packed-B block for a k × n op(B) (panels of 4 columns, 64-byte aligned), reserved and tracked; empty when 0. */
  private reservePack(k: number, n: number, transB: boolean): WasmPackedB {
    const rt = this.rt, np = (n + 3) >> 2;
    const bytes = Math.ceil((k * 4 * np * 8) / 64) * 64;
    const ptr = bytes > 0 ? rt.reserve(bytes) : 0;
    const pack = new WasmPackedB(rt, k, n, transB, ptr, bytes);
    if (bytes > 0) rt.track(pack, ptr, bytes);
    return pack;
  }

  packB(b: Float64Array, k: number, n: number, transB = false): PackedB {
    checkPackB(b, k, n, transB);
    const rt = this.rt, np = (n + 3) >> 2, pack = this.reservePack(k, n, transB), { ptr, bytes } = pack;
    if (bytes === 0) return pack;
    // one depth block (KC rows of op(B)) at a time through the scratch: ≤ KC·n doubles copied in, not all of B
    const L = new Layout(rt.scratchBase);
    const kcMax = Math.min(KC, k);
    const pb = L.take(kcMax * n);
    rt.ensure(L.end);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc), blk = rt.view(pb, kc * n);
      if (transB) for (let j = 0; j < n; j++) blk.set(b.subarray(j * k + pc, j * k + pc + kc), j * kc); // B[j][pc…]
      else blk.set(b.subarray(pc * n, (pc + kc) * n));
      rt.kernels.packB(kc, n, pb, transB ? kc : n, transB ? 1 : 0, ptr + pc * np * 32);
    }
    return pack;
  }

  packBTransposedFrom(k: number, n: number, rows: PackRowsProducer): PackedB {
    checkDim('packB', 'k', k);
    checkDim('packB', 'n', n);
    const rt = this.rt, np = (n + 3) >> 2, pack = this.reservePack(k, n, true), { ptr, bytes } = pack;
    if (bytes === 0) return pack;
    // as packB, but PACK_ROWS rows of one depth block at a time staged by the producer (a small, warm staging area
    // instead of a whole depth block): rows j0 … (j0 a multiple of 4) are the panels from j0/4 on, so packing the
    // piece as its own B at the panel's offset writes the bytes packB writes (zero padding of the last panel included)
    const L = new Layout(rt.scratchBase);
    const pb = L.take(Math.min(KC, k) * Math.min(PACK_ROWS, n));
    rt.ensure(L.end);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      for (let j0 = 0; j0 < n; j0 += PACK_ROWS) {
        const nj = Math.min(PACK_ROWS, n - j0);
        rows(j0, nj, pc, kc, rt.view(pb, nj * kc));
        rt.kernels.packB(kc, nj, pb, kc, 1, ptr + pc * np * 32 + (j0 >> 2) * kc * 32);
      }
    }
    return pack;
  }

  /** A packed product's checks, naming a pack of another backend or of another WASM runtime. */
  private checkOwnPacked(m: number, k: number, n: number, a: Float64Array, c: Float64Array, transA: boolean, packed: PackedB): void {
    const own = packed instanceof WasmPackedB && packed.rt === this.rt;
    checkGemmPacked(m, k, n, a, c, transA, 'wasm', own ? 'wasm' : packed.backend === 'wasm' ? 'wasm of another runtime' : packed.backend,
      packed.freed);
  }

  gemmPacked(m: number, a: Float64Array, packed: PackedB, c: Float64Array, opts: PackedGemmOptions = {}): void {
    const transA = opts.transA ?? false, alpha = opts.alpha ?? 1, beta = opts.beta ?? 0;
    const { k, n } = packed;
    this.checkOwnPacked(m, k, n, a, c, transA, packed);
    if (m === 0 || n === 0) return;
    const rt = this.rt, np = (n + 3) >> 2;
    const L = new Layout(rt.scratchBase);
    const pa = L.take(m * k), pc = L.take(m * n);
    const kc = Math.min(KC, Math.max(k, 1));
    const pA0 = L.take(MC * kc), pA1 = L.take(MC * kc);
    rt.ensure(L.end);
    rt.view(pa, m * k).set(a.subarray(0, m * k));
    if (beta !== 0) rt.view(pc, m * n).set(c.subarray(0, m * n));
    const lda = transA ? m : k, tA = transA ? 1 : 0;
    // column panels [0, s) here, [s, np) on the helper (gemm's split: the same panels, so the same bits)
    const s = np >> 1, pb = (packed as WasmPackedB).ptr;
    const ker = rt.kernels;
    rt.split(2 * m * n * k, 'gemmPacked', [m, n, k, pa, lda, tA, pb, s, np, pc, n, alpha, beta, pA1],
      () => ker.gemmPacked(m, n, k, pa, lda, tA, pb, 0, s, pc, n, alpha, beta, pA0), this.threads);
    c.set(rt.view(pc, m * n));
  }

  gemmPackedT(m: number, a: Float64Array, packed: PackedB, c: Float64Array, opts: PackedGemmOptions = {}): void {
    const transA = opts.transA ?? false, alpha = opts.alpha ?? 1, beta = opts.beta ?? 0;
    // the product with op(B)ᵀ: depth = the pack's n, columns = its k
    const k = packed.n, n = packed.k;
    this.checkOwnPacked(m, k, n, a, c, transA, packed);
    if (m === 0 || n === 0) return;
    const rt = this.rt, np = (n + 3) >> 2;
    const L = new Layout(rt.scratchBase);
    const pa = L.take(m * k), pc = L.take(m * n);
    const kc = Math.min(KC, Math.max(k, 1));
    const pA0 = L.take(MC * kc), pA1 = L.take(MC * kc), pP0 = L.take(4 * kc), pP1 = L.take(4 * kc);
    rt.ensure(L.end);
    rt.view(pa, m * k).set(a.subarray(0, m * k));
    if (beta !== 0) rt.view(pc, m * n).set(c.subarray(0, m * n));
    const lda = transA ? m : k, tA = transA ? 1 : 0;
    // column panels [0, s) here, [s, np) on the helper, as gemmPacked
    const s = np >> 1, pb = (packed as WasmPackedB).ptr;
    const ker = rt.kernels;
    rt.split(2 * m * n * k, 'gemmPackedT', [m, n, k, pa, lda, tA, pb, s, np, pc, n, alpha, beta, pA1, pP1],
      () => ker.gemmPackedT(m, n, k, pa, lda, tA, pb, 0, s, pc, n, alpha, beta, pA0, pP0), this.threads);
    c.set(rt.view(pc, m * n));
  }
}

/** A pack of op(B) in a persistent region of the runtime's memory (wasm side of `PackedB`). */
class WasmPackedB implements PackedB {
  readonly backend = 'wasm' as const;
  private released = false;
  constructor(readonly rt: WasmRuntime, readonly k: number, readonly n: number, readonly transB: boolean,
    readonly ptr: number, readonly bytes: number) {}
  get freed(): boolean {
    return this.released;
  }
  free(): void {
    if (this.released) return;
    this.released = true;
    if (this.bytes === 0) return;
    this.rt.untrack(this);
    this.rt.release(this.ptr, this.bytes);
  }
}
