/**
 * WebAssembly SIMD kernels of the Ewald/PME solvers (assembly/pme.ts; reference loops: realspace.ts tabulatedPairs,
 * pme.ts spread and gather). Each instance owns a private wasm memory; the caller writes its inputs into the typed
 * views, runs a kernel, reads the outputs. Views are replaced when a layout grows the memory: read them after the
 * layout call, never keep them across one.
 * - RealPairsWasm: the tabulated one-channel pair sum over a skinned pair list (the list and the table are copied in
 *   only when they change: a rebuild, a new table), per-call slot-ordered positions, weights, probes, outputs.
 * - PmeMeshWasm: spline data, one or two meshes and spectra, gathered values; spreadAll / gatherAll over all atoms;
 *   the real-to-complex 3-D transform of math/fftMixed.ts RealFft3d (same stages, twiddles and operations in the same
 *   order: bitwise its results) on those meshes, for even K3 and lengths 2^a 3^b 5^c.
 * Results equal the TS loops up to summation order (two lanes of partial sums): tests compare them to ~1e-13.
 * `wasmAvailable()` is false where WebAssembly SIMD is missing; callers then keep the TS loops.
 */
import { FarfieldError } from '../core/index.js';
import { FFT_RADIX5_CONSTANTS, FftPlan, fftBlockLines, fftFactors } from '../math/index.js';
import { PME_WASM_BASE64 } from './pmeWasmBinary.js';

interface PmeKernels {
  realPairs(n: number, start: number, J: number, T: number, x: number, w: number, u: number, phi: number, grad: number,
    coef: number, rLo: number, inv: number, last: number, rc2: number, st: number, skip: number, cap: number, out: number): void;
  spreadAll(n: number, p: number, K3: number, th: number, i1: number, i2: number, i3: number, flat3: number,
    w: number, C: number, col: number, grid: number, rev: number): void;
  gatherAll(n: number, p: number, K3: number, th: number, dth: number, i1: number, i2: number, i3: number, flat3: number,
    grid: number, out: number, rev: number): void;
  fftStage(r: number, L: number, m: number, tw: number, n: number, x: number, xo: number, xr: number, xl: number,
    y: number, yo: number, yr: number, yl: number, B: number, dir: number, k5: number): void;
  r2cSplit(lines: number, h: number, real: number, spec: number, wk: number): void;
  splinesAll(n: number, p: number, x: number, ainv: number, mesh: number, th: number, dth: number, i1: number, i2: number, i3: number, flat3: number): void;
  convolveSelf(S: number, spec: number, infl: number, fs: number): number;
  c2rMerge(lines: number, h: number, spec: number, real: number, wk: number): void;
}

const PAGE = 65536;

/** The module, compiled once at import (4 KB; null where WebAssembly SIMD is missing). Immutable: no state between calls. */
const MODULE: WebAssembly.Module | null = compile();

function compile(): WebAssembly.Module | null {
  try {
    const bin = atob(PME_WASM_BASE64);
    const bytes = new Uint8Array(new ArrayBuffer(bin.length));
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new WebAssembly.Module(bytes);
  } catch {
    return null;
  }
}

function module(): WebAssembly.Module | null {
  return MODULE;
}

/** True when the PME wasm module compiles here (WebAssembly with SIMD). */
export function wasmAvailable(): boolean {
  return module() !== null;
}

/** A private memory with a bump layout of 16-byte aligned blocks. */
class Arena {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  readonly kernels: PmeKernels;
  private top = 0;
  constructor(mod: WebAssembly.Module) {
    this.kernels = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as PmeKernels;
  }
  reset(): void {
    this.top = 0;
  }
  /** Reserves `bytes` (16-byte aligned) and returns the offset; grows the memory (views must be re-made after). */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = at + Math.ceil(bytes / 16) * 16 + 16;
    const need = Math.ceil(this.top / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (need > have) this.memory.grow(need - have);
    return at;
  }
  f64(at: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, length);
  }
  i32(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length);
  }
}

const SKIP_CAP = 1024;

/**
 * Real-space pair loop (see the module doc). `layout(n, pairs, intervals)` sizes the memory; `setList` / `setTable`
 * copy a pair list or a table when their version changes; `run` sums (returns L and the skipped-pair count).
 */
export class RealPairsWasm {
  private readonly a: Arena;
  private off = { start: 0, J: 0, T: 0, x: 0, w: 0, u: 0, phi: 0, grad: 0, coef: 0, st: 0, skip: 0, out: 0 };
  private dims = { n: -1, pairs: -1, intervals: -1 };
  /** Identity and version of the list / table now in memory. */
  private listTag: { list: unknown; version: number } | null = null;
  private tableTag: unknown = null;
  x: Float64Array = new Float64Array(0);
  w: Float64Array = new Float64Array(0);
  u: Float64Array = new Float64Array(0);
  phi: Float64Array = new Float64Array(0);
  grad: Float64Array = new Float64Array(0);
  st: Float64Array = new Float64Array(0);
  skip: Int32Array = new Int32Array(0);
  private out: Float64Array = new Float64Array(0);

  private constructor(mod: WebAssembly.Module) {
    this.a = new Arena(mod);
  }

  static create(): RealPairsWasm | null {
    const m = module();
    return m ? new RealPairsWasm(m) : null;
  }

  /** Memory for n atoms, `pairs` listed pairs and a table of `intervals` (re-lays out only when one grows). */
  layout(n: number, pairs: number, intervals: number): void {
    const d = this.dims;
    if (n === d.n && pairs <= d.pairs && intervals <= d.intervals) return;
    // headroom for the list to grow along a trajectory without a re-layout
    const P = pairs <= d.pairs ? d.pairs : Math.ceil(pairs * 1.25) + 64, I = Math.max(intervals, d.intervals);
    const a = this.a;
    a.reset();
    const o = this.off;
    o.start = a.alloc(4 * (n + 1)); o.J = a.alloc(4 * P); o.T = a.alloc(24 * P);
    o.x = a.alloc(24 * n); o.w = a.alloc(8 * n); o.u = a.alloc(8 * n); o.phi = a.alloc(8 * n); o.grad = a.alloc(24 * n);
    o.coef = a.alloc(32 * I); o.st = a.alloc(48); o.skip = a.alloc(4 * SKIP_CAP); o.out = a.alloc(16);
    this.dims = { n, pairs: P, intervals: I };
    this.listTag = null;
    this.tableTag = null;
    this.views();
  }

  private views(): void {
    const a = this.a, o = this.off, n = this.dims.n;
    this.x = a.f64(o.x, 3 * n); this.w = a.f64(o.w, n); this.u = a.f64(o.u, n); this.phi = a.f64(o.phi, n);
    this.grad = a.f64(o.grad, 3 * n); this.st = a.f64(o.st, 6); this.skip = a.i32(o.skip, SKIP_CAP); this.out = a.f64(o.out, 2);
  }

  /** Copies the list (second slots, translations, group starts) unless this version is already in memory. */
  setList(list: unknown, version: number, count: number, second: Int32Array, translation: Float64Array, start: Int32Array): void {
    const t = this.listTag;
    if (t && t.list === list && t.version === version) return;
    const a = this.a, o = this.off;
    a.i32(o.J, count).set(second.subarray(0, count));
    a.f64(o.T, 3 * count).set(translation.subarray(0, 3 * count));
    a.i32(o.start, start.length).set(start);
    this.listTag = { list, version };
  }

  /** Copies a table's coefficients unless this table is already in memory. */
  setTable(table: { coef: Float64Array }): void {
    if (this.tableTag === table.coef) return;
    this.a.f64(this.off.coef, table.coef.length).set(table.coef);
    this.tableTag = table.coef;
  }

  /** Runs the pair loop; phi and st are only written when asked (their views must be zeroed by the caller). */
  run(n: number, table: { rLo: number; invDelta: number; intervals: number }, rc2: number, potentials: boolean, strain: boolean): { L: number; skipped: number } {
    const o = this.off;
    this.a.kernels.realPairs(n, o.start, o.J, o.T, o.x, o.w, o.u, potentials ? o.phi : 0, o.grad, o.coef, table.rLo, table.invDelta,
      table.intervals - 1, rc2, strain ? o.st : 0, o.skip, SKIP_CAP, o.out);
    return { L: this.out[0], skipped: this.out[1] };
  }
}

/** One axis of the transform in wasm memory: its stages (twiddles copied in) and block scratch. */
interface WasmAxis {
  n: number;
  B: number;
  stages: { r: number; L: number; m: number; tw: number }[];
  a: number;
  b: number;
}

/**
 * PME spline data, meshes and spectra in wasm memory. `layout(n, p, mesh)` sizes it for n atoms, order p and a mesh
 * (two real meshes Q, U and their half spectra); the SplineSet arrays, meshes, spectra and gathered values are views
 * (re-made by layout). `fft` is false when the mesh has an odd K3 or a factor above 5 (callers then transform the
 * views with the TS transform).
 */
export class PmeMeshWasm {
  private readonly a: Arena;
  private off = { th: 0, dth: 0, i1: 0, i2: 0, i3: 0, flat3: 0, w: 0, grid0: 0, grid1: 0, spec0: 0, spec1: 0, out: 0, rev: 0, wk: 0, k5: 0,
    x: 0, ainv: 0, mesh: 0, infl: 0, fs: 0 };
  /** The influence function whose filter is in memory (identity of its array). */
  private inflTag: Float64Array | null = null;
  private dims = { n: -1, p: -1, K1: -1, K2: -1, K3: -1, spectra: -1, meshes: -1, filter: true };
  /** Byte offsets of the half spectra (specOff[0], [1] are spec0, spec1). */
  private specOff: number[] = [];
  private axes: WasmAxis[] = [];
  th: Float64Array = new Float64Array(0);
  dth: Float64Array = new Float64Array(0);
  i1: Int32Array = new Int32Array(0);
  i2: Int32Array = new Int32Array(0);
  i3: Int32Array = new Int32Array(0);
  flat3: Int32Array = new Int32Array(0);
  /** Spread weights (N, one column). */
  w: Float64Array = new Float64Array(0);
  grids: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  /** Half spectra K1 × K2 × (K3/2 + 1) complex (interleaved), or full K1 × K2 × K3 when K3 is odd. */
  specs: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  /** Every half spectrum of the layout (`spectra` of them; [0], [1] the same memory as specs). */
  spectra: Float64Array[] = [];
  /** Gathered (value, ∂/∂u1, ∂/∂u2, ∂/∂u3) per atom. */
  out: Float64Array = new Float64Array(0);
  /** The wasm transform runs for this mesh. */
  fft = false;

  private constructor(mod: WebAssembly.Module) {
    this.a = new Arena(mod);
  }

  static create(): PmeMeshWasm | null {
    const m = module();
    return m ? new PmeMeshWasm(m) : null;
  }

  /**
   * `options` (defaults: the Coulomb PME's layout): `spectra` half spectra (≥ 1; `specs[s]`, s ≥ 2 only through the
   * spectrum arguments of forward/inverse), `meshes` real meshes (1: no U mesh, `grids[1]` empty), `filter` false: no
   * room for convolveSelf's influence function (the multi-channel PME filters in JS on the views).
   */
  layout(n: number, p: number, mesh: readonly [number, number, number], options: { spectra?: number; meshes?: 1 | 2; filter?: boolean } = {}): void {
    const d = this.dims, [K1, K2, K3] = mesh;
    const nSpec = Math.max(1, options.spectra ?? 2), nMesh = options.meshes ?? 2, filter = options.filter ?? true;
    if (d.n === n && d.p === p && d.K1 === K1 && d.K2 === K2 && d.K3 === K3 && d.spectra === nSpec && d.meshes === nMesh && d.filter === filter) return;
    const a = this.a, o = this.off;
    const M = K1 * K2 * K3, H = K3 % 2 === 0 ? K3 / 2 + 1 : K3, S = K1 * K2 * H;
    this.fft = K3 % 2 === 0 && [K1, K2, K3 / 2].every((k) => fftFactors(k).every((f) => f <= 5));
    a.reset();
    o.th = a.alloc(24 * n * p); o.dth = a.alloc(24 * n * p);
    o.i1 = a.alloc(4 * n * p); o.i2 = a.alloc(4 * n * p); o.i3 = a.alloc(4 * n * p); o.flat3 = a.alloc(4 * n);
    o.w = a.alloc(8 * n); o.grid0 = a.alloc(8 * M); o.grid1 = nMesh > 1 ? a.alloc(8 * M) : o.grid0;
    const specOff: number[] = [];
    for (let s = 0; s < nSpec; s++) specOff.push(a.alloc(16 * S));
    o.spec0 = specOff[0]; o.spec1 = nSpec > 1 ? specOff[1] : specOff[0];
    o.out = a.alloc(32 * n); o.rev = a.alloc(16 * p);
    o.x = a.alloc(24 * n); o.ainv = a.alloc(72); o.mesh = a.alloc(12);
    o.infl = filter ? a.alloc(8 * S) : 0; o.fs = filter ? a.alloc(8 * S) : 0;
    this.inflTag = null;
    const axes: WasmAxis[] = [];
    if (this.fft) {
      o.wk = a.alloc(16 * (K3 / 2 + 1));
      o.k5 = a.alloc(32);
      for (const len of [K3 / 2, K1, K2]) {
        const plan = new FftPlan(len), B = fftBlockLines(len);
        const stages = plan.stageData().map((st) => ({ r: st.r, L: st.L, m: st.m, tw: a.alloc(8 * Math.max(st.tw.length, 1)), data: st.tw }));
        const ax = { n: len, B, stages: stages.map(({ r, L, m, tw }) => ({ r, L, m, tw })), a: a.alloc(16 * len * B), b: a.alloc(16 * len * B) };
        axes.push(ax);
        for (const st of stages) a.f64(st.tw, st.data.length).set(st.data);
      }
      const h = K3 / 2, wk = a.f64(o.wk, 2 * (h + 1));
      for (let k = 0; k <= h; k++) { wk[2 * k] = Math.cos((-2 * Math.PI * k) / K3); wk[2 * k + 1] = Math.sin((-2 * Math.PI * k) / K3); }
      a.f64(o.k5, 4).set(FFT_RADIX5_CONSTANTS);
    }
    this.axes = axes;
    this.dims = { n, p, K1, K2, K3, spectra: nSpec, meshes: nMesh, filter };
    this.specOff = specOff;
    this.th = a.f64(o.th, 3 * n * p); this.dth = a.f64(o.dth, 3 * n * p);
    this.i1 = a.i32(o.i1, n * p); this.i2 = a.i32(o.i2, n * p); this.i3 = a.i32(o.i3, n * p); this.flat3 = a.i32(o.flat3, n);
    this.w = a.f64(o.w, n); this.grids = [a.f64(o.grid0, M), nMesh > 1 ? a.f64(o.grid1, M) : new Float64Array(0)]; this.out = a.f64(o.out, 4 * n);
    this.specs = [a.f64(o.spec0, 2 * S), nSpec > 1 ? a.f64(o.spec1, 2 * S) : new Float64Array(0)];
    this.spectra = specOff.map((at) => a.f64(at, 2 * S));
    a.i32(o.mesh, 3).set(mesh);
  }

  /** pme.ts computeSplines into the spline views (same operations: bitwise its values). */
  splines(positions: Float64Array, ainv: Float64Array): void {
    const { n, p } = this.dims, o = this.off;
    this.a.f64(o.x, 3 * n).set(positions);
    this.a.f64(o.ainv, 9).set(ainv);
    this.a.kernels.splinesAll(n, p, o.x, o.ainv, o.mesh, o.th, o.dth, o.i1, o.i2, o.i3, o.flat3);
  }

  /**
   * Proportional probes without strain: Σ_m infl |Q̂|² over spectrum g, and Q̂ ← Q̂ · infl · (multiplicity undone),
   * in pme.ts convolve's order. `infl` is copied in when it is not the one in memory; `scale[m3]` undoes the multiplicity.
   */
  convolveSelf(g: 0 | 1, infl: Float64Array, scale: Float64Array): number {
    const o = this.off, S = infl.length;
    if (!this.dims.filter) throw new FarfieldError('UNSUPPORTED', 'PmeMeshWasm.convolveSelf: this layout has no room for a filter; hint: lay it out with filter true (the default)');
    if (this.inflTag !== infl) {
      this.a.f64(o.infl, S).set(infl);
      const fs = this.a.f64(o.fs, S), H = scale.length;
      for (let idx = 0; idx < S; idx++) fs[idx] = infl[idx] * scale[idx % H];
      this.inflTag = infl;
    }
    return this.a.kernels.convolveSelf(S, g === 0 ? o.spec0 : o.spec1, o.infl, o.fs);
  }

  /** Spreads this.w onto mesh `g` (zeroed first). */
  spread(g: 0 | 1): void {
    const { n, p, K3 } = this.dims, o = this.off;
    this.grids[g].fill(0);
    this.a.kernels.spreadAll(n, p, K3, o.th, o.i1, o.i2, o.i3, o.flat3, o.w, 1, 0, g === 0 ? o.grid0 : o.grid1, o.rev);
  }

  /** Gathers value and u-gradient of every atom from mesh `g` into this.out. */
  gather(g: 0 | 1): void {
    const { n, p, K3 } = this.dims, o = this.off;
    this.a.kernels.gatherAll(n, p, K3, o.th, o.dth, o.i1, o.i2, o.i3, o.flat3, g === 0 ? o.grid0 : o.grid1, o.out, o.rev);
  }

  /** RealFft3d.forward of mesh g into spectrum s (default g; the mesh is overwritten). Needs this.fft. */
  forward(g: 0 | 1, s: number = g): void {
    const { K1, K2, K3 } = this.dims, h = K3 / 2, h1 = h + 1, lines = K1 * K2, o = this.off;
    const real = g === 0 ? o.grid0 : o.grid1, spec = this.specOff[s];
    this.axis(this.axes[0], real, 1, 0, lines, h, 1, -1);
    this.a.kernels.r2cSplit(lines, h, real, spec, o.wk);
    this.axis(this.axes[2], spec, K1, K2 * h1, h1, 1, h1, -1);
    this.axis(this.axes[1], spec, 1, 0, K2 * h1, 1, K2 * h1, -1);
  }

  /** RealFft3d.inverse of spectrum s (default g) into mesh g (the spectrum is overwritten). Needs this.fft. */
  inverse(g: 0 | 1, s: number = g): void {
    const { K1, K2, K3 } = this.dims, h = K3 / 2, h1 = h + 1, lines = K1 * K2, o = this.off;
    const real = g === 0 ? o.grid0 : o.grid1, spec = this.specOff[s];
    this.axis(this.axes[1], spec, 1, 0, K2 * h1, 1, K2 * h1, 1);
    this.axis(this.axes[2], spec, K1, K2 * h1, h1, 1, h1, 1);
    this.a.kernels.c2rMerge(lines, h, spec, real, o.wk);
    this.axis(this.axes[0], real, 1, 0, lines, h, 1, 1);
  }

  /** fftMixed.ts AxisRunner.run on complex data at byte offset `data` (strided stages, or a block copy for one stage). */
  private axis(ax: WasmAxis, data: number, outer: number, oStride: number, inner: number, lStride: number, tStride: number, dir: -1 | 1): void {
    const { n, B, stages } = ax;
    if (n === 1) return;
    const k = this.a.kernels, k5 = this.off.k5, S = stages.length;
    for (let o = 0; o < outer; o++)
      for (let l0 = 0; l0 < inner; l0 += B) {
        const nb = Math.min(B, inner - l0), base = o * oStride + l0 * lStride;
        if (S >= 2) {
          // FftPlan.transformStrided
          let src = data, so = 2 * base, sr = tStride, sl = 2 * lStride, dst = ax.a;
          for (let s = 0; s < S; s++) {
            const last = s === S - 1, st = stages[s];
            const out = last ? data : dst, oo = last ? 2 * base : 0, orow = last ? tStride : nb, ol = last ? 2 * lStride : 2;
            k.fftStage(st.r, st.L, st.m, st.tw, n, src, so, sr, sl, out, oo, orow, ol, nb, dir, k5);
            src = out; so = oo; sr = orow; sl = ol;
            dst = out === ax.a ? ax.b : ax.a;
          }
          continue;
        }
        // one stage: copy the lines into block a ([n][nb]), transform into b, copy back (AxisRunner's block path)
        const mem = this.a.f64(0, this.a.memory.buffer.byteLength / 8), A = ax.a / 8, Bb = ax.b / 8, D = data / 8;
        for (let t = 0; t < n; t++)
          for (let j = 0; j < nb; j++) {
            const p = D + 2 * (base + t * tStride + j * lStride), q = A + 2 * (t * nb + j);
            mem[q] = mem[p]; mem[q + 1] = mem[p + 1];
          }
        const st = stages[0];
        k.fftStage(st.r, st.L, st.m, st.tw, n, ax.a, 0, nb, 2, ax.b, 0, nb, 2, nb, dir, k5);
        for (let t = 0; t < n; t++)
          for (let j = 0; j < nb; j++) {
            const p = D + 2 * (base + t * tStride + j * lStride), q = Bb + 2 * (t * nb + j);
            mem[p] = mem[q]; mem[p + 1] = mem[q + 1];
          }
      }
  }
}
