/**
 * WebAssembly kernels of the short-range descriptors (kernels: assembly/linalg.ts `ps*` and `radialPairs`; reference
 * loops and formulas: src/descriptors/shortRange/angular.ts and radial.ts).
 * PowerSpectrumWasm (angular block): one instance owns a private (non-shared) wasm memory holding the radial spline
 * table and one centre's pair data and products; the caller writes a centre's pair vectors, distances and neighbour
 * species into `vec`, `r`, `sp` (and its upstream row into `u`), runs the kernels and reads the outputs (`c`, `x`,
 * `out`). RadialPairsWasm (radial block): the pair loops over a whole neighbour list.
 * Every value is computed with the same operations in the same order as the TS code (HermiteSplineSet,
 * SphericalHarmonics, the descriptors' loops; SIMD lanes only over independent outputs), so results are bitwise
 * those of the TS path. Views are replaced when `reserve` grows the memory: read them after `reserve`, not before.
 * Memory: a few pages per instance, grown to the largest centre (angular) or list (radial) seen, never shrunk.
 */
import { WASM_PLAIN_BASE64 } from './wasmBinary.js';

interface PsKernels {
  psDensity(np: number, N: number, L: number, S: number, y: number, h: number, sp: number, c: number, self: number): void;
  psFeatures(N: number, L: number, S: number, c: number, self: number, scale: number, x: number, g: number): void;
  psUpstream(N: number, L: number, S: number, u: number, vs: number, scale: number, a: number): number;
  psAdjoint(N: number, L: number, S: number, a: number, c: number, d: number, dt: number): void;
  psPairGrad(np: number, N: number, L: number, S: number, y: number, dy: number, h: number, dh: number, eta: number,
    sp: number, a: number, d: number, dt: number, gh: number, out: number): void;
  psBasis(np: number, N: number, L: number, vec: number, rr: number, grad: number, spl: number, intervals: number, x0: number,
    invStep: number, cutoff: number, eta: number, nrm: number, ra: number, rb: number, dfact: number, q: number, qz: number,
    qr: number, cs: number, sn: number, y: number, dy: number, h: number, dh: number): void;
  psJacobian(np: number, N: number, L: number, S: number, y: number, dy: number, h: number, dh: number, eta: number, sp: number,
    vec: number, rr: number, c: number, scale: number, dhf: number, dc: number, e: number, jac: number): void;
}

/** Radial functions h_nl as a quintic Hermite table and the spherical-harmonics tables (see psBasis). */
export interface PowerSpectrumBasis {
  /** HermiteSplineSet.packed() coefficients of the (L+1)·N functions h_nl (index l·N + n), 6 per interval. */
  spline: Float64Array;
  intervals: number;
  x0: number;
  invStep: number;
  /** h = 0 at r ≥ cutoff. */
  cutoff: number;
  /** SphericalHarmonics.tables() for lmax L. */
  ylm: { norm: Float64Array; a: Float64Array; b: Float64Array; doubleFactorial: Float64Array };
}

const PAGE = 65536;
let compiled: WebAssembly.Module | null | undefined;

function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bin = atob(WASM_PLAIN_BASE64);
    const bytes = new Uint8Array(new ArrayBuffer(bin.length));
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Power-spectrum kernels on a private wasm memory, sized for N radial functions, lmax L and S species. */
export class PowerSpectrumWasm {
  readonly N: number;
  readonly L: number;
  readonly S: number;
  private readonly k: PsKernels;
  private readonly memory: WebAssembly.Memory;
  private capacity = -1; // pairs the current layout holds
  private withJacobian = false; // the layout holds the pair-Jacobian rows (3·capacity × width)
  private off: Record<string, number> = {};
  y: Float64Array = new Float64Array(0);
  dy: Float64Array = new Float64Array(0);
  h: Float64Array = new Float64Array(0);
  dh: Float64Array = new Float64Array(0);
  sp: Int32Array = new Int32Array(0);
  c: Float64Array = new Float64Array(0);
  a: Float64Array = new Float64Array(0);
  d: Float64Array = new Float64Array(0);
  x: Float64Array = new Float64Array(0);
  out: Float64Array = new Float64Array(0);
  u: Float64Array = new Float64Array(0);
  vec: Float64Array = new Float64Array(0);
  r: Float64Array = new Float64Array(0);
  /** Pair-Jacobian rows of the last `jacobian` (3·pairs × width); empty unless reserved with `jacobian`. */
  jac: Float64Array = new Float64Array(0);
  private readonly scaleData: Float64Array;
  private readonly etaData: Float64Array;
  private readonly basis: PowerSpectrumBasis | null;

  private constructor(mod: WebAssembly.Module, N: number, L: number, S: number, scale: Float64Array, eta: Float64Array,
    basis: PowerSpectrumBasis | null) {
    this.N = N; this.L = L; this.S = S;
    this.basis = basis;
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    this.k = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as PsKernels;
    this.scaleData = Float64Array.from(scale);
    this.etaData = Float64Array.from(eta);
  }

  /**
   * Kernels for N radial functions, lmax L, S species, column scales `scale` (width = C(C+1)/2·(L+1)) and filter
   * factors `eta` (L+1) and optionally the radial/angular basis tables (needed by `basisFunctions`); null when
   * WebAssembly SIMD is unavailable.
   */
  static create(N: number, L: number, S: number, scale: Float64Array, eta: Float64Array, basis: PowerSpectrumBasis | null = null): PowerSpectrumWasm | null {
    if (typeof WebAssembly === 'undefined') return null;
    const mod = module();
    if (!mod) return null;
    try {
      return new PowerSpectrumWasm(mod, N, L, S, scale, eta, basis);
    } catch {
      return null;
    }
  }

  /**
   * Make room for a centre with `pairs` pairs, with `jacobian` also for its pair-Jacobian rows (views are rebuilt
   * when the layout changes).
   */
  reserve(pairs: number, jacobian = false): void {
    if (pairs <= this.capacity && (!jacobian || this.withJacobian)) return;
    if (jacobian) this.withJacobian = true;
    const np = pairs > this.capacity ? Math.max(pairs, 2 * this.capacity, 16) : this.capacity;
    const { N, L, S } = this, L1 = L + 1, K = L1 * L1, C = S * N, F = L1 * N, W = ((C * (C + 1)) / 2) * L1;
    let top = 64;
    const take = (doubles: number): number => { const o = top; top += Math.ceil((doubles * 8 + 16) / 64) * 64; return o; };
    const off = {
      y: take(np * K), dy: take(3 * np * K), h: take(np * F), dh: take(np * F), sp: take(np / 2 + 1), c: take(K * C),
      self: take(S * L1 * N * N), a: take(L1 * C * C), d: take(K * C), dt: take(K * C), gh: take(F), x: take(W), u: take(W), g: take(C * C),
      scale: take(W), eta: take(L1), out: take(4 * np), vec: take(3 * np), r: take(np),
      nrm: take(K), ra: take(K), rb: take(K), dfact: take(L1), q: take(K), qz: take(K), qr: take(K), cs: take(L1), sn: take(L1),
      spl: take(this.basis ? this.basis.spline.length : 0),
      dhf: take(F), dc: take(3 * N * K), e: take(3 * N * L1 * C), jac: take(this.withJacobian ? 3 * np * W : 0),
    };
    const have = this.memory.buffer.byteLength;
    if (top > have) this.memory.grow(Math.ceil((top - have) / PAGE));
    const buf = this.memory.buffer, f = (o: number, n: number): Float64Array => new Float64Array(buf, o, n);
    this.off = off;
    this.y = f(off.y, np * K); this.dy = f(off.dy, 3 * np * K); this.h = f(off.h, np * F); this.dh = f(off.dh, np * F);
    this.sp = new Int32Array(buf, off.sp, np); this.c = f(off.c, K * C); this.a = f(off.a, L1 * C * C); this.d = f(off.d, K * C);
    this.x = f(off.x, W); this.u = f(off.u, W); this.out = f(off.out, 4 * np); this.vec = f(off.vec, 3 * np); this.r = f(off.r, np);
    this.jac = f(off.jac, this.withJacobian ? 3 * np * W : 0);
    f(off.scale, W).set(this.scaleData);
    f(off.eta, L1).set(this.etaData);
    const b = this.basis;
    if (b) {
      f(off.nrm, K).set(b.ylm.norm); f(off.ra, K).set(b.ylm.a); f(off.rb, K).set(b.ylm.b); f(off.dfact, L1).set(b.ylm.doubleFactorial);
      f(off.spl, b.spline.length).set(b.spline);
    }
    this.capacity = np;
  }

  /**
   * Y_lm (and with `grad` ∇Y_lm) into `y` (`dy`), ĥ_nl = η_l h_nl (and h'_nl) into `h` (`dh`) for np pairs from
   * `vec` and `r` (needs the basis tables).
   */
  basisFunctions(np: number, grad: boolean): void {
    const o = this.off, b = this.basis;
    if (!b) throw new Error('PowerSpectrumWasm.basisFunctions: created without basis tables');
    this.k.psBasis(np, this.N, this.L, o.vec, o.r, grad ? 1 : 0, o.spl, b.intervals, b.x0, b.invStep, b.cutoff, o.eta,
      o.nrm, o.ra, o.rb, o.dfact, o.q, o.qz, o.qr, o.cs, o.sn, o.y, o.dy, o.h, o.dh);
  }

  /** c (K × C) and the self sums of np pairs from `y`, `h`, `sp`. */
  density(np: number): void {
    const o = this.off;
    this.k.psDensity(np, this.N, this.L, this.S, o.y, o.h, o.sp, o.c, o.self);
  }

  /** The power-spectrum row into `x` from `c` and the self sums of the last `density`. */
  features(): void {
    const o = this.off;
    this.k.psFeatures(this.N, this.L, this.S, o.c, o.self, o.scale, o.x, o.g);
  }

  /**
   * The symmetric matrices A_l (`a`) from one centre's upstream row, read from `u` and multiplied by vs and the column
   * scales; false when every entry is zero.
   */
  upstream(vs: number): boolean {
    const o = this.off;
    return this.k.psUpstream(this.N, this.L, this.S, o.u, vs, o.scale, o.a) !== 0;
  }

  /** d = A_l c into `d` from `a` (symmetric, (L+1) × C × C) and `c`. */
  adjoint(): void {
    const o = this.off;
    this.k.psAdjoint(this.N, this.L, this.S, o.a, o.c, o.d, o.dt);
  }

  /** Per pair (gx, gy, gz, radial) into `out` from `y`, `dy`, `h`, `dh`, `sp`, `a`, `d`. */
  pairGradients(np: number): void {
    const o = this.off;
    this.k.psPairGrad(np, this.N, this.L, this.S, o.y, o.dy, o.h, o.dh, o.eta, o.sp, o.a, o.d, o.dt, o.gh, o.out);
  }

  /**
   * The centre's pair Jacobians ∂p_{ab,l}/∂(r_k)_α into `jac` (row 3k + α, width C(C+1)/2·(L+1)) from `y`, `dy`, `h`,
   * `dh` (basisFunctions with grad), `sp`, `vec`, `r` and `c`; needs `reserve(np, true)`.
   */
  jacobian(np: number): void {
    const o = this.off;
    if (!this.withJacobian || np > this.capacity) throw new Error('PowerSpectrumWasm.jacobian: reserve(pairs, true) first');
    this.k.psJacobian(np, this.N, this.L, this.S, o.y, o.dy, o.h, o.dh, o.eta, o.sp, o.vec, o.r, o.c, o.scale, o.dhf, o.dc, o.e, o.jac);
  }
}

interface RadialKernels {
  radialPairs(np: number, N: number, W: number, grad: number, ctr: number, sp: number, rr: number, spl: number, intervals: number,
    x0: number, invStep: number, cutoff: number, y00: number, x: number, g: number, s: number): void;
}

/**
 * The pair loops of the radial (2-body) descriptor (kernel `radialPairs`; reference: src/descriptors/shortRange/
 * radial.ts) on a private wasm memory: N functions h_n tabulated as a quintic Hermite table, rows of width W.
 * The caller fills `centre`, `species`, `r` (all pairs of a structure, in list order) and `x` (forward) or `g`
 * (reverse) after `reserve`, then reads `x` or `s`. Bitwise the TS loops.
 */
export class RadialPairsWasm {
  private readonly k: RadialKernels;
  private readonly memory: WebAssembly.Memory;
  private pairsCap = -1;
  private rowsCap = -1;
  private off: Record<string, number> = {};
  centre: Int32Array = new Int32Array(0);
  species: Int32Array = new Int32Array(0);
  r: Float64Array = new Float64Array(0);
  x: Float64Array = new Float64Array(0);
  g: Float64Array = new Float64Array(0);
  s: Float64Array = new Float64Array(0);

  private constructor(mod: WebAssembly.Module, readonly N: number, readonly W: number,
    private readonly spline: Omit<PowerSpectrumBasis, 'ylm'>) {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    this.k = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as RadialKernels;
  }

  /** Kernels for N functions (spline table of N functions), row width W; null when WebAssembly is unavailable. */
  static create(N: number, W: number, spline: Omit<PowerSpectrumBasis, 'ylm'>): RadialPairsWasm | null {
    if (typeof WebAssembly === 'undefined') return null;
    const mod = module();
    if (!mod) return null;
    try {
      return new RadialPairsWasm(mod, N, W, spline);
    } catch {
      return null;
    }
  }

  /** Room for `pairs` pairs and `rows` rows (views are rebuilt when the layout changes). */
  reserve(pairs: number, rows: number): void {
    if (pairs <= this.pairsCap && rows <= this.rowsCap) return;
    const np = Math.max(pairs, this.pairsCap, 64), nr = Math.max(rows, this.rowsCap, 8), W = this.W;
    let top = 64;
    const take = (doubles: number): number => { const o = top; top += Math.ceil((doubles * 8 + 16) / 64) * 64; return o; };
    const off = { spl: take(this.spline.spline.length), ctr: take(np / 2 + 1), sp: take(np / 2 + 1), r: take(np), s: take(np), x: take(nr * W), g: take(nr * W) };
    const have = this.memory.buffer.byteLength;
    if (top > have) this.memory.grow(Math.ceil((top - have) / PAGE));
    const buf = this.memory.buffer;
    this.off = off;
    new Float64Array(buf, off.spl, this.spline.spline.length).set(this.spline.spline);
    this.centre = new Int32Array(buf, off.ctr, np);
    this.species = new Int32Array(buf, off.sp, np);
    this.r = new Float64Array(buf, off.r, np);
    this.s = new Float64Array(buf, off.s, np);
    this.x = new Float64Array(buf, off.x, nr * W);
    this.g = new Float64Array(buf, off.g, nr * W);
    this.pairsCap = np;
    this.rowsCap = nr;
  }

  /** x[centre·W + species·N + n] += y00·h_n(r) over the first np pairs, in order. */
  forward(np: number, y00: number): void {
    const o = this.off, b = this.spline;
    this.k.radialPairs(np, this.N, this.W, 0, o.ctr, o.sp, o.r, o.spl, b.intervals, b.x0, b.invStep, b.cutoff, y00, o.x, o.g, o.s);
  }

  /** s[p] = Σ_n g[centre·W + species·N + n]·h'_n(r_p) over the first np pairs. */
  reverse(np: number): void {
    const o = this.off, b = this.spline;
    this.k.radialPairs(np, this.N, this.W, 1, o.ctr, o.sp, o.r, o.spl, b.intervals, b.x0, b.invStep, b.cutoff, 0, o.x, o.g, o.s);
  }
}
