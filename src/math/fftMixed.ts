/**
 * Mixed-radix FFT (lengths 2^a 3^b 5^c 7^d …; radix-4, 2, 3, 5 butterflies, a generic O(r²) butterfly for any other
 * prime factor), batched over blocks of lines, and the 3-D complex and real-to-complex transforms built on it.
 *
 * 1-D algorithm: Stockham autosort, decimation in time. After the stages with radices r_1 … r_s (L = Π r), the buffer
 * holds Y_b(k) = Σ_{t<L} x[b + t n/L] ω_L^{tk} at index k + L b (b < n/L). A stage of radix r (L' = L r, m = n/L') maps
 *   Y'[k + L q + L' b] = Σ_{c<r} ω_r^{cq} · ω_{L'}^{ck} · Y[k + L b + (n/r) c],   k < L, q < r, b < m,
 * so the output is in natural order with no bit reversal (ω_N = e^{∓2πi/N}, − forward, + inverse).
 * Every "element" above is a row of B complex numbers (B lines transformed together): the innermost loop runs over
 * the B lines with constant twiddles, which keeps the code simple and the memory access contiguous for all three
 * axes of a 3-D array. Each stage takes an element stride and a line stride for its input and its output, so the
 * first stage reads the lines where they lie in the 3-D array and the last writes them back there (two scratch
 * blocks [n][B] in between; no copy in or out; transforms of a single stage copy through the block).
 *
 * Real-to-complex (length N even, h = N/2): z_j = x_{2j} + i x_{2j+1}, Z = FFT_h(z),
 *   X[k] = ½(Z[k] + Z̄[h−k]) − ½ i ω_N^k (Z[k] − Z̄[h−k]),  k = 0 … h;
 * complex-to-real inverts it: Z[k] = (X[k] + X̄[h−k]) + i ω_N^{−k} (X[k] − X̄[h−k]), x = IFFT_h(Z) (unnormalised,
 * so the result is N·x for a Hermitian spectrum of x, like the complex inverse).
 * Cost O(n Σ r_i) per line.
 *
 * 3-D conventions (exported from math/ as `Fft3d`): interleaved complex Float64Array of length 2·n0·n1·n2, element
 * (i0, i1, i2) at 2·((i0·n1 + i1)·n2 + i2) (real) and +1 (imaginary); transforms in place and unnormalised:
 *   forward  X(m) = Σ_g x(g) e^{−2πi (m0 g0/n0 + m1 g1/n1 + m2 g2/n2)}
 *   inverse  x(g) = Σ_m X(m) e^{+2πi (…)}            (no 1/(n0 n1 n2); inverse(forward(x)) = n0 n1 n2 · x)
 */
import { FarfieldError } from '../core/index.js';

/** Prime factors of n with 4s grouped (radix-4 first), e.g. 96 → [4, 4, 2, 3]. */
export function fftFactors(n: number): number[] {
  const f: number[] = [];
  let m = n;
  while (m % 4 === 0) { f.push(4); m /= 4; }
  while (m % 2 === 0) { f.push(2); m /= 2; }
  for (const p of [3, 5]) while (m % p === 0) { f.push(p); m /= p; }
  for (let p = 7; m > 1; p += 2) while (m % p === 0) { f.push(p); m /= p; }
  return f;
}

/** True if n ≥ 1 is a product of 2, 3, 5 and 7 only (the sizes with fast butterflies). */
export function isFftSize(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  let m = n;
  for (const p of [2, 3, 5, 7]) while (m % p === 0) m /= p;
  return m === 1;
}

/** Smallest n' ≥ n of the form 2^a 3^b 5^c (optionally forced even). */
export function nextFftSize(n: number, even = false): number {
  let m = Math.max(1, Math.ceil(n));
  for (;;) {
    if (!even || m % 2 === 0) {
      let k = m;
      for (const p of [2, 3, 5]) while (k % p === 0) k /= p;
      if (k === 1) return m;
    }
    m++;
  }
}

interface Stage {
  r: number;
  L: number;
  m: number;
  /** forward twiddles ω_{L r}^{c k}, c = 1 … r−1, k < L: re, im at 2((c−1) L + k). */
  tw: Float64Array;
  /** generic radix: ω_r^{j} table (forward), re/im interleaved. */
  rootTable: Float64Array | null;
}

/** 1-D plan of length n, transforming blocks of B lines laid out [n][B] (complex interleaved). */
export class FftPlan {
  readonly n: number;
  private readonly stages: Stage[];

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new FarfieldError('INVALID_INPUT', `FFT length must be a positive integer, got ${n}`);
    this.n = n;
    this.stages = [];
    let L = 1;
    for (const r of fftFactors(n)) {
      const Lr = L * r;
      const tw = new Float64Array(2 * (r - 1) * L);
      for (let c = 1; c < r; c++)
        for (let k = 0; k < L; k++) {
          const a = (-2 * Math.PI * c * k) / Lr;
          tw[2 * ((c - 1) * L + k)] = Math.cos(a);
          tw[2 * ((c - 1) * L + k) + 1] = Math.sin(a);
        }
      let rootTable: Float64Array | null = null;
      if (r > 5) {
        rootTable = new Float64Array(2 * r);
        for (let j = 0; j < r; j++) {
          rootTable[2 * j] = Math.cos((-2 * Math.PI * j) / r);
          rootTable[2 * j + 1] = Math.sin((-2 * Math.PI * j) / r);
        }
      }
      this.stages.push({ r, L, m: n / Lr, tw, rootTable });
      L = Lr;
    }
  }

  /** The stages (radix r, sub-length L, repeats m, forward twiddles), for kernels that run them elsewhere (WebAssembly). */
  stageData(): ReadonlyArray<{ readonly r: number; readonly L: number; readonly m: number; readonly tw: Float64Array }> {
    return this.stages;
  }

  /** Number of stages (the result of `transformBlock` is in `a` if even, in `b` if odd). */
  get stageCount(): number {
    return this.stages.length;
  }

  /**
   * Transform B lines stored [n][B] in `a` (2 n B doubles); `b` is scratch of the same size. Returns the buffer that
   * holds the result (a or b). dir = −1 forward, +1 inverse.
   */
  transformBlock(a: Float64Array, b: Float64Array, B: number, dir: -1 | 1): Float64Array {
    let src = a, dst = b;
    for (const st of this.stages) {
      this.stage(st, src, 0, B, 2, dst, 0, B, 2, B, dir);
      const t = src; src = dst; dst = t;
    }
    return src;
  }

  /**
   * Transform B lines in place where they lie: element t of line j at complex index off + t·row + j·line of `data`
   * (row = the element stride, line = the line stride: adjacent lines with elements `row` apart in the
   * non-contiguous axes of a 3-D array, contiguous lines `line` apart in the last one). The first stage reads `data`
   * and the last writes it, with `a` and `b` (2 n B doubles each) between them, so no copy in or out; the same
   * operations in the same order as transformBlock on a copy. Needs at least two stages (stageCount ≥ 2).
   */
  transformStrided(data: Float64Array, off: number, row: number, line: number, a: Float64Array, b: Float64Array, B: number, dir: -1 | 1): void {
    const S = this.stages.length;
    if (S < 2) throw new FarfieldError('UNSUPPORTED', `transformStrided needs two or more stages (length ${this.n}); use transformBlock`);
    let src = data, so = 2 * off, sr = row, sl = 2 * line, dst = a;
    for (let k = 0; k < S; k++) {
      const last = k === S - 1;
      const out = last ? data : dst, oo = last ? 2 * off : 0, orow = last ? row : B, ol = last ? 2 * line : 2;
      this.stage(this.stages[k], src, so, sr, sl, out, oo, orow, ol, B, dir);
      src = out; so = oo; sr = orow; sl = ol;
      dst = out === a ? b : a;
    }
  }

  private stage(st: Stage, x: Float64Array, xo: number, xr: number, xl: number, y: Float64Array, yo: number, yr: number, yl: number, B: number, dir: -1 | 1): void {
    switch (st.r) {
      case 4: radix4(x, xo, xr, xl, y, yo, yr, yl, st, this.n, B, dir); break;
      case 2: radix2(x, xo, xr, xl, y, yo, yr, yl, st, this.n, B, dir); break;
      case 3: radix3(x, xo, xr, xl, y, yo, yr, yl, st, this.n, B, dir); break;
      case 5: radix5(x, xo, xr, xl, y, yo, yr, yl, st, this.n, B, dir); break;
      default: radixGeneric(x, xo, xr, xl, y, yo, yr, yl, st, this.n, B, dir);
    }
  }
}

function radix2(x: Float64Array, xo: number, xr: number, xl: number, y: Float64Array, yo: number, yr: number, yl: number, st: Stage, n: number, B: number, dir: number): void {
  const { L, m, tw } = st;
  const s1 = 2 * xr * (n / 2);
  for (let bp = 0; bp < m; bp++)
    for (let k = 0; k < L; k++) {
      const w1r = tw[2 * k], w1i = -dir * tw[2 * k + 1];
      let i0 = xo + 2 * xr * (k + L * bp);
      let o0 = yo + 2 * yr * (k + 2 * L * bp);
      const o1d = 2 * yr * L;
      for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
        const i1 = i0 + s1;
        const a0r = x[i0], a0i = x[i0 + 1];
        const xr = x[i1], xi = x[i1 + 1];
        const a1r = xr * w1r - xi * w1i, a1i = xr * w1i + xi * w1r;
        y[o0] = a0r + a1r; y[o0 + 1] = a0i + a1i;
        y[o0 + o1d] = a0r - a1r; y[o0 + o1d + 1] = a0i - a1i;
      }
    }
}

function radix4(x: Float64Array, xo: number, xr: number, xl: number, y: Float64Array, yo: number, yr: number, yl: number, st: Stage, n: number, B: number, dir: number): void {
  const { L, m, tw } = st;
  const s = 2 * xr * (n / 4);
  const od = 2 * yr * L;
  for (let bp = 0; bp < m; bp++)
    for (let k = 0; k < L; k++) {
      const w1r = tw[2 * k], w1i = -dir * tw[2 * k + 1];
      const w2r = tw[2 * (L + k)], w2i = -dir * tw[2 * (L + k) + 1];
      const w3r = tw[2 * (2 * L + k)], w3i = -dir * tw[2 * (2 * L + k) + 1];
      let i0 = xo + 2 * xr * (k + L * bp);
      let o0 = yo + 2 * yr * (k + 4 * L * bp);
      for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
        const a0r = x[i0], a0i = x[i0 + 1];
        let xr = x[i0 + s], xi = x[i0 + s + 1];
        const a1r = xr * w1r - xi * w1i, a1i = xr * w1i + xi * w1r;
        xr = x[i0 + 2 * s]; xi = x[i0 + 2 * s + 1];
        const a2r = xr * w2r - xi * w2i, a2i = xr * w2i + xi * w2r;
        xr = x[i0 + 3 * s]; xi = x[i0 + 3 * s + 1];
        const a3r = xr * w3r - xi * w3i, a3i = xr * w3i + xi * w3r;
        const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
        const t2r = a1r + a3r, t2i = a1i + a3i;
        // dir·i·(a1 − a3)
        const t3r = -dir * (a1i - a3i), t3i = dir * (a1r - a3r);
        y[o0] = t0r + t2r; y[o0 + 1] = t0i + t2i;
        y[o0 + od] = t1r + t3r; y[o0 + od + 1] = t1i + t3i;
        y[o0 + 2 * od] = t0r - t2r; y[o0 + 2 * od + 1] = t0i - t2i;
        y[o0 + 3 * od] = t1r - t3r; y[o0 + 3 * od + 1] = t1i - t3i;
      }
    }
}

const S3 = Math.sqrt(3) / 2;
function radix3(x: Float64Array, xo: number, xr: number, xl: number, y: Float64Array, yo: number, yr: number, yl: number, st: Stage, n: number, B: number, dir: number): void {
  const { L, m, tw } = st;
  const s = 2 * xr * (n / 3);
  const od = 2 * yr * L;
  const ds = dir * S3;
  for (let bp = 0; bp < m; bp++)
    for (let k = 0; k < L; k++) {
      const w1r = tw[2 * k], w1i = -dir * tw[2 * k + 1];
      const w2r = tw[2 * (L + k)], w2i = -dir * tw[2 * (L + k) + 1];
      let i0 = xo + 2 * xr * (k + L * bp);
      let o0 = yo + 2 * yr * (k + 3 * L * bp);
      for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
        const a0r = x[i0], a0i = x[i0 + 1];
        let xr = x[i0 + s], xi = x[i0 + s + 1];
        const a1r = xr * w1r - xi * w1i, a1i = xr * w1i + xi * w1r;
        xr = x[i0 + 2 * s]; xi = x[i0 + 2 * s + 1];
        const a2r = xr * w2r - xi * w2i, a2i = xr * w2i + xi * w2r;
        const br = a1r + a2r, bi = a1i + a2i;
        const tr = a0r - 0.5 * br, ti = a0i - 0.5 * bi;
        // ds·i·(a1 − a2)
        const ur = -ds * (a1i - a2i), ui = ds * (a1r - a2r);
        y[o0] = a0r + br; y[o0 + 1] = a0i + bi;
        y[o0 + od] = tr + ur; y[o0 + od + 1] = ti + ui;
        y[o0 + 2 * od] = tr - ur; y[o0 + 2 * od + 1] = ti - ui;
      }
    }
}

const C51 = Math.cos((2 * Math.PI) / 5), C52 = Math.cos((4 * Math.PI) / 5);
const S51 = Math.sin((2 * Math.PI) / 5), S52 = Math.sin((4 * Math.PI) / 5);
function radix5(x: Float64Array, xo: number, xr: number, xl: number, y: Float64Array, yo: number, yr: number, yl: number, st: Stage, n: number, B: number, dir: number): void {
  const { L, m, tw } = st;
  const s = 2 * xr * (n / 5);
  const od = 2 * yr * L;
  const s1 = dir * S51, s2 = dir * S52;
  for (let bp = 0; bp < m; bp++)
    for (let k = 0; k < L; k++) {
      const w1r = tw[2 * k], w1i = -dir * tw[2 * k + 1];
      const w2r = tw[2 * (L + k)], w2i = -dir * tw[2 * (L + k) + 1];
      const w3r = tw[2 * (2 * L + k)], w3i = -dir * tw[2 * (2 * L + k) + 1];
      const w4r = tw[2 * (3 * L + k)], w4i = -dir * tw[2 * (3 * L + k) + 1];
      let i0 = xo + 2 * xr * (k + L * bp);
      let o0 = yo + 2 * yr * (k + 5 * L * bp);
      for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
        const a0r = x[i0], a0i = x[i0 + 1];
        let xr = x[i0 + s], xi = x[i0 + s + 1];
        const a1r = xr * w1r - xi * w1i, a1i = xr * w1i + xi * w1r;
        xr = x[i0 + 2 * s]; xi = x[i0 + 2 * s + 1];
        const a2r = xr * w2r - xi * w2i, a2i = xr * w2i + xi * w2r;
        xr = x[i0 + 3 * s]; xi = x[i0 + 3 * s + 1];
        const a3r = xr * w3r - xi * w3i, a3i = xr * w3i + xi * w3r;
        xr = x[i0 + 4 * s]; xi = x[i0 + 4 * s + 1];
        const a4r = xr * w4r - xi * w4i, a4i = xr * w4i + xi * w4r;
        const b1r = a1r + a4r, b1i = a1i + a4i, b2r = a2r + a3r, b2i = a2i + a3i;
        const d1r = a1r - a4r, d1i = a1i - a4i, d2r = a2r - a3r, d2i = a2i - a3i;
        const t1r = a0r + C51 * b1r + C52 * b2r, t1i = a0i + C51 * b1i + C52 * b2i;
        const t2r = a0r + C52 * b1r + C51 * b2r, t2i = a0i + C52 * b1i + C51 * b2i;
        // u1 = i(s1 d1 + s2 d2), u2 = i(s2 d1 − s1 d2)   (s1, s2 carry dir)
        const v1r = s1 * d1r + s2 * d2r, v1i = s1 * d1i + s2 * d2i;
        const v2r = s2 * d1r - s1 * d2r, v2i = s2 * d1i - s1 * d2i;
        y[o0] = a0r + b1r + b2r; y[o0 + 1] = a0i + b1i + b2i;
        y[o0 + od] = t1r - v1i; y[o0 + od + 1] = t1i + v1r;
        y[o0 + 4 * od] = t1r + v1i; y[o0 + 4 * od + 1] = t1i - v1r;
        y[o0 + 2 * od] = t2r - v2i; y[o0 + 2 * od + 1] = t2i + v2r;
        y[o0 + 3 * od] = t2r + v2i; y[o0 + 3 * od + 1] = t2i - v2r;
      }
    }
}

function radixGeneric(x: Float64Array, xo: number, xr: number, xl: number, y: Float64Array, yo: number, yr: number, yl: number, st: Stage, n: number, B: number, dir: number): void {
  const { r, L, m, tw } = st;
  const root = st.rootTable!;
  const s = 2 * xr * (n / r);
  const od = 2 * yr * L;
  const ar = new Float64Array(r), ai = new Float64Array(r);
  for (let bp = 0; bp < m; bp++)
    for (let k = 0; k < L; k++) {
      let i0 = xo + 2 * xr * (k + L * bp);
      let o0 = yo + 2 * yr * (k + r * L * bp);
      for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
        ar[0] = x[i0]; ai[0] = x[i0 + 1];
        for (let c = 1; c < r; c++) {
          const wr = tw[2 * ((c - 1) * L + k)], wi = -dir * tw[2 * ((c - 1) * L + k) + 1];
          const xr = x[i0 + c * s], xi = x[i0 + c * s + 1];
          ar[c] = xr * wr - xi * wi; ai[c] = xr * wi + xi * wr;
        }
        for (let q = 0; q < r; q++) {
          let sr = 0, si = 0;
          for (let c = 0; c < r; c++) {
            const e = (c * q) % r;
            const wr = root[2 * e], wi = -dir * root[2 * e + 1];
            sr += ar[c] * wr - ai[c] * wi;
            si += ar[c] * wi + ai[c] * wr;
          }
          y[o0 + q * od] = sr; y[o0 + q * od + 1] = si;
        }
      }
    }
}

const BLOCK_DOUBLES = 1 << 13; // 2 n B ≤ 8192 doubles (64 KiB) per scratch buffer

/** Lines per block of AxisRunner for length n (exported for transforms that run its loop elsewhere). */
export function fftBlockLines(n: number): number {
  return Math.max(1, Math.min(64, Math.floor(BLOCK_DOUBLES / (2 * n))));
}

/** The radix-5 constants of radix5: cos 2π/5, cos 4π/5, sin 2π/5, sin 4π/5. */
export const FFT_RADIX5_CONSTANTS: readonly number[] = Object.freeze([Math.cos((2 * Math.PI) / 5), Math.cos((4 * Math.PI) / 5), Math.sin((2 * Math.PI) / 5), Math.sin((4 * Math.PI) / 5)]);

/** Strided batch of lines of one axis: line l, element t at complex index base(l) + t·tStride. */
class AxisRunner {
  readonly plan: FftPlan;
  readonly B: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  constructor(readonly n: number) {
    this.plan = new FftPlan(n);
    this.B = fftBlockLines(n);
    this.a = new Float64Array(2 * n * this.B);
    this.b = new Float64Array(2 * n * this.B);
  }

  /**
   * Transform `count` lines: line (o, l) for o < outer, l < inner starts at complex index o·oStride + l·lStride,
   * elements t·tStride apart.
   */
  run(data: Float64Array, outer: number, oStride: number, inner: number, lStride: number, tStride: number, dir: -1 | 1): void {
    if (this.n === 1) return;
    const { n, B, a } = this;
    for (let o = 0; o < outer; o++)
      for (let l0 = 0; l0 < inner; l0 += B) {
        const nb = Math.min(B, inner - l0);
        const base = o * oStride + l0 * lStride;
        if (this.plan.stageCount >= 2) {
          // transformed where they lie, no block copy
          this.plan.transformStrided(data, base, tStride, lStride, a, this.b, nb, dir);
          continue;
        }
        if (tStride === 1) {
          // contiguous lines: read each line in order (a small transpose into the block)
          for (let j = 0; j < nb; j++) {
            let p = 2 * (base + j * lStride), q = 2 * j;
            for (let t = 0; t < n; t++, p += 2, q += 2 * nb) { a[q] = data[p]; a[q + 1] = data[p + 1]; }
          }
          const res = this.plan.transformBlock(a, this.b, nb, dir);
          for (let j = 0; j < nb; j++) {
            let p = 2 * (base + j * lStride), q = 2 * j;
            for (let t = 0; t < n; t++, p += 2, q += 2 * nb) { data[p] = res[q]; data[p + 1] = res[q + 1]; }
          }
          continue;
        }
        for (let t = 0; t < n; t++) {
          let p = 2 * (base + t * tStride), q = 2 * t * nb;
          for (let j = 0; j < nb; j++, p += 2 * lStride, q += 2) { a[q] = data[p]; a[q + 1] = data[p + 1]; }
        }
        const res = this.plan.transformBlock(a, this.b, nb, dir);
        for (let t = 0; t < n; t++) {
          let p = 2 * (base + t * tStride), q = 2 * t * nb;
          for (let j = 0; j < nb; j++, p += 2 * lStride, q += 2) { data[p] = res[q]; data[p + 1] = res[q + 1]; }
        }
      }
  }
}

function checkLengths(dims: number[]): void {
  for (const [k, n] of dims.entries())
    if (!Number.isInteger(n) || n < 1) throw new FarfieldError('INVALID_INPUT', `FFT length ${k} must be a positive integer, got ${n}`);
}

/** 3-D complex FFT of any lengths (fast for 2^a 3^b 5^c 7^d), in place, layout and conventions in the file comment. */
export class MixedFft3d {
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
  private readonly runners: AxisRunner[];

  constructor(n0: number, n1: number, n2: number) {
    checkLengths([n0, n1, n2]);
    this.n0 = n0; this.n1 = n1; this.n2 = n2;
    this.runners = [n0, n1, n2].map((n) => new AxisRunner(n));
  }

  get size(): number {
    return this.n0 * this.n1 * this.n2;
  }

  forward(data: Float64Array): void {
    this.run(data, -1);
  }

  inverse(data: Float64Array): void {
    this.run(data, 1);
  }

  private run(data: Float64Array, dir: -1 | 1): void {
    if (data.length !== 2 * this.size)
      throw new FarfieldError('INVALID_INPUT', `FFT data has ${data.length} entries, expected ${2 * this.size}`);
    const { n0, n1, n2 } = this;
    this.runners[2].run(data, 1, 0, n0 * n1, n2, 1, dir);
    this.runners[1].run(data, n0, n1 * n2, n2, 1, n2, dir);
    this.runners[0].run(data, 1, 0, n1 * n2, 1, n1 * n2, dir);
  }
}

/**
 * 3-D real-to-complex FFT: real data n0 × n1 × n2 (n2 even) ↔ half spectrum n0 × n1 × (n2/2 + 1) complex
 * (element (m0, m1, m2) at 2((m0 n1 + m1)(n2/2 + 1) + m2)); the other half is X(−m) = conj X(m).
 * `forward(real, spectrum)` overwrites `real` (used as scratch); `inverse(spectrum, real)` is the unnormalised
 * inverse (n0 n1 n2 · x after forward) and overwrites the spectrum.
 */
export class RealFft3d implements RealTransform3d {
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
  /** n2/2 + 1 */
  readonly h1: number;
  private readonly half: AxisRunner;
  private readonly r0: AxisRunner;
  private readonly r1: AxisRunner;
  /** ω_N^k, k ≤ h, forward sign */
  private readonly wk: Float64Array;

  constructor(n0: number, n1: number, n2: number) {
    checkLengths([n0, n1, n2]);
    if (n2 % 2 !== 0) throw new FarfieldError('INVALID_INPUT', `real FFT: the last length must be even, got ${n2}`);
    this.n0 = n0; this.n1 = n1; this.n2 = n2;
    const h = n2 / 2;
    this.h1 = h + 1;
    this.half = new AxisRunner(h);
    this.r0 = new AxisRunner(n0);
    this.r1 = new AxisRunner(n1);
    this.wk = new Float64Array(2 * (h + 1));
    for (let k = 0; k <= h; k++) {
      this.wk[2 * k] = Math.cos((-2 * Math.PI * k) / n2);
      this.wk[2 * k + 1] = Math.sin((-2 * Math.PI * k) / n2);
    }
  }

  readonly halfSpectrum = true;

  get spectrumLast(): number {
    return this.h1;
  }

  get realSize(): number {
    return this.n0 * this.n1 * this.n2;
  }

  get spectrumSize(): number {
    return this.n0 * this.n1 * this.h1;
  }

  forward(real: Float64Array, spec: Float64Array): void {
    this.check(real, spec);
    const { n0, n1, n2, h1, wk } = this;
    const h = n2 / 2, lines = n0 * n1;
    // length-h complex FFT of every line of the real array viewed as complex pairs (in place, in `real`)
    this.half.run(real, 1, 0, lines, h, 1, -1);
    for (let l = 0; l < lines; l++) {
      const src = l * n2, dst = 2 * l * h1;
      for (let k = 0; k <= h; k++) {
        const kk = k === h ? 0 : k, kr = k === 0 ? 0 : h - k;
        const zr = real[src + 2 * kk], zi = real[src + 2 * kk + 1];
        const cr = real[src + 2 * kr], ci = -real[src + 2 * kr + 1];
        const er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
        // O = (Z − conj Z[h−k]) / (2i)
        const dr = zr - cr, di = zi - ci;
        const or = 0.5 * di, oi = -0.5 * dr;
        const wr = wk[2 * k], wi = wk[2 * k + 1];
        spec[dst + 2 * k] = er + wr * or - wi * oi;
        spec[dst + 2 * k + 1] = ei + wr * oi + wi * or;
      }
    }
    this.r1.run(spec, n0, n1 * h1, h1, 1, h1, -1);
    this.r0.run(spec, 1, 0, n1 * h1, 1, n1 * h1, -1);
  }

  inverse(spec: Float64Array, real: Float64Array): void {
    this.check(real, spec);
    const { n0, n1, n2, h1, wk } = this;
    const h = n2 / 2, lines = n0 * n1;
    this.r0.run(spec, 1, 0, n1 * h1, 1, n1 * h1, 1);
    this.r1.run(spec, n0, n1 * h1, h1, 1, h1, 1);
    for (let l = 0; l < lines; l++) {
      const src = 2 * l * h1, dst = l * n2;
      for (let k = 0; k < h; k++) {
        const xr = spec[src + 2 * k], xi = spec[src + 2 * k + 1];
        const cr = spec[src + 2 * (h - k)], ci = -spec[src + 2 * (h - k) + 1];
        const sr = xr + cr, si = xi + ci, dr = xr - cr, di = xi - ci;
        // i ω^{−k} (d): ω^{−k} = conj(wk)
        const wr = wk[2 * k], wi = -wk[2 * k + 1];
        const pr = wr * dr - wi * di, pi = wr * di + wi * dr;
        real[dst + 2 * k] = sr - pi;
        real[dst + 2 * k + 1] = si + pr;
      }
    }
    this.half.run(real, 1, 0, lines, h, 1, 1);
  }

  private check(real: Float64Array, spec: Float64Array): void {
    if (real.length !== this.realSize) throw new FarfieldError('INVALID_INPUT', `real FFT: real array has ${real.length} entries, expected ${this.realSize}`);
    if (spec.length !== 2 * this.spectrumSize)
      throw new FarfieldError('INVALID_INPUT', `real FFT: spectrum has ${spec.length} entries, expected ${2 * this.spectrumSize}`);
  }
}

/** A real 3-D transform with a (possibly half) spectrum of n0 × n1 × spectrumLast complex numbers. */
export interface RealTransform3d {
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
  /** Stored length of the last spectrum axis: n2/2 + 1 (half spectrum) or n2 (full spectrum, odd n2). */
  readonly spectrumLast: number;
  /** True if only m2 ≤ n2/2 is stored (the rest follows from X(−m) = conj X(m)). */
  readonly halfSpectrum: boolean;
  readonly spectrumSize: number;
  forward(real: Float64Array, spec: Float64Array): void;
  inverse(spec: Float64Array, real: Float64Array): void;
}

/** Odd n2: the full complex transform behind the RealTransform3d interface. */
class FullSpectrumReal3d implements RealTransform3d {
  readonly spectrumLast: number;
  readonly halfSpectrum = false;
  private readonly fft: MixedFft3d;
  constructor(readonly n0: number, readonly n1: number, readonly n2: number) {
    this.fft = new MixedFft3d(n0, n1, n2);
    this.spectrumLast = n2;
  }
  get spectrumSize(): number {
    return this.n0 * this.n1 * this.n2;
  }
  forward(real: Float64Array, spec: Float64Array): void {
    for (let k = 0; k < real.length; k++) { spec[2 * k] = real[k]; spec[2 * k + 1] = 0; }
    this.fft.forward(spec);
  }
  inverse(spec: Float64Array, real: Float64Array): void {
    this.fft.inverse(spec);
    for (let k = 0; k < real.length; k++) real[k] = spec[2 * k];
  }
}

/** Real-data 3-D transform: half spectrum for even n2 (RealFft3d), full complex transform otherwise. */
export function realTransform3d(n0: number, n1: number, n2: number): RealTransform3d {
  return n2 % 2 === 0 ? new RealFft3d(n0, n1, n2) : new FullSpectrumReal3d(n0, n1, n2);
}
