/**
 * WebAssembly SIMD kernels of the Ewald/PME solvers (assembly/pme.ts; reference loops: realspace.ts tabulatedPairs,
 * pme.ts spread and gather). Each instance owns a private wasm memory; the caller writes its inputs into the typed
 * views, runs a kernel, reads the outputs. Views are replaced when a layout grows the memory: read them after the
 * layout call, never keep them across one.
 * - RealPairsWasm: the tabulated one-channel pair sum over a skinned pair list (the list and the table are copied in
 *   only when they change: a rebuild, a new table), per-call slot-ordered positions, weights, probes, outputs.
 * - PmeMeshWasm: spline data, one or two meshes, gathered values; spreadAll / gatherAll over all atoms.
 * Results equal the TS loops up to summation order (two lanes of partial sums): tests compare them to ~1e-13.
 * `wasmAvailable()` is false where WebAssembly SIMD is missing; callers then keep the TS loops.
 */
import { PME_WASM_BASE64 } from './pmeWasmBinary.js';

interface PmeKernels {
  realPairs(n: number, start: number, J: number, T: number, x: number, w: number, u: number, phi: number, grad: number,
    coef: number, rLo: number, inv: number, last: number, rc2: number, st: number, skip: number, cap: number, out: number): void;
  spreadAll(n: number, p: number, K3: number, th: number, i1: number, i2: number, i3: number, flat3: number,
    w: number, C: number, col: number, grid: number, rev: number): void;
  gatherAll(n: number, p: number, K3: number, th: number, dth: number, i1: number, i2: number, i3: number, flat3: number,
    grid: number, out: number, rev: number): void;
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

/**
 * PME spline data and meshes in wasm memory. `layout(n, p, M)` sizes it for n atoms, order p and meshes of M points
 * (two meshes: Q and U); the SplineSet arrays, meshes and gathered values are views (re-made by layout).
 */
export class PmeMeshWasm {
  private readonly a: Arena;
  private off = { th: 0, dth: 0, i1: 0, i2: 0, i3: 0, flat3: 0, w: 0, grid0: 0, grid1: 0, out: 0, rev: 0 };
  private dims = { n: -1, p: -1, M: -1 };
  th: Float64Array = new Float64Array(0);
  dth: Float64Array = new Float64Array(0);
  i1: Int32Array = new Int32Array(0);
  i2: Int32Array = new Int32Array(0);
  i3: Int32Array = new Int32Array(0);
  flat3: Int32Array = new Int32Array(0);
  /** Spread weights (N, one column). */
  w: Float64Array = new Float64Array(0);
  grids: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  /** Gathered (value, ∂/∂u1, ∂/∂u2, ∂/∂u3) per atom. */
  out: Float64Array = new Float64Array(0);
  /** Bumped on every re-layout (spline sets that point into an old layout are stale). */
  generation = 0;

  private constructor(mod: WebAssembly.Module) {
    this.a = new Arena(mod);
  }

  static create(): PmeMeshWasm | null {
    const m = module();
    return m ? new PmeMeshWasm(m) : null;
  }

  /** True when the current layout fits (n, p, M) exactly (n, p) and at least M mesh points. */
  fits(n: number, p: number, M: number): boolean {
    const d = this.dims;
    return d.n === n && d.p === p && d.M === M;
  }

  layout(n: number, p: number, M: number): void {
    if (this.fits(n, p, M)) return;
    const a = this.a, o = this.off;
    a.reset();
    o.th = a.alloc(24 * n * p); o.dth = a.alloc(24 * n * p);
    o.i1 = a.alloc(4 * n * p); o.i2 = a.alloc(4 * n * p); o.i3 = a.alloc(4 * n * p); o.flat3 = a.alloc(4 * n);
    o.w = a.alloc(8 * n); o.grid0 = a.alloc(8 * M); o.grid1 = a.alloc(8 * M); o.out = a.alloc(32 * n); o.rev = a.alloc(16 * p);
    this.dims = { n, p, M };
    this.th = a.f64(o.th, 3 * n * p); this.dth = a.f64(o.dth, 3 * n * p);
    this.i1 = a.i32(o.i1, n * p); this.i2 = a.i32(o.i2, n * p); this.i3 = a.i32(o.i3, n * p); this.flat3 = a.i32(o.flat3, n);
    this.w = a.f64(o.w, n); this.grids = [a.f64(o.grid0, M), a.f64(o.grid1, M)]; this.out = a.f64(o.out, 4 * n);
    this.generation++;
  }

  /** Spreads this.w onto mesh `g` (zeroed first). */
  spread(K3: number, g: 0 | 1): void {
    const { n, p } = this.dims, o = this.off;
    this.grids[g].fill(0);
    this.a.kernels.spreadAll(n, p, K3, o.th, o.i1, o.i2, o.i3, o.flat3, o.w, 1, 0, g === 0 ? o.grid0 : o.grid1, o.rev);
  }

  /** Gathers value and u-gradient of every atom from mesh `g` into this.out. */
  gather(K3: number, g: 0 | 1): void {
    const { n, p } = this.dims, o = this.off;
    this.a.kernels.gatherAll(n, p, K3, o.th, o.dth, o.i1, o.i2, o.i3, o.flat3, g === 0 ? o.grid0 : o.grid1, o.out, o.rev);
  }
}
