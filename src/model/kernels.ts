/**
 * Kernels K(X_i, X_b) between local environments (science.md §1.8), as a registry (DESIGN rule 5).
 *
 * A kernel works on blocks of rows ("prepared rows": the feature rows plus per-row data such as norms), so that
 * the O(n_A·n_B·D) dot products go through one GEMM. Three kinds:
 *
 * - `polynomial` (the paper's, polipy4vasp "poli"): K = (X̂_i·X̂_b)^ζ on the whole normalised descriptor, ζ a
 *   positive integer (default 4). ∂K/∂X_i = ζ (X̂_i·X̂_b)^{ζ−1} (X̂_b − (X̂_i·X̂_b) X̂_i) / |X_i|.
 *   An all-zero environment (no neighbour inside the cutoff) has no direction: K = 0 and ∂K/∂X = 0 there
 *   (documented convention; such an environment carries no information for this kernel).
 * - `gaussian` (polipy's convention): K = exp(−|X_i − X_b|²/s), s = `scale` (Å-free, descriptor units²);
 *   ∂K/∂X_i = −(2/s) K (X_i − X_b).
 * - `vasp` (Jinnouchi et al. JCP 152, 234102 (2020)): K = β_lin X^L_i·X^L_b + β_poly (X̂^P_i·X̂^P_b)^ζ, linear on the
 *   radial (two-body) columns L and polynomial on the normalised angular columns P. The column sets are given by
 *   `linearColumns` / `polynomialColumns` ([start, end) ranges); `bindKernel` derives them from the descriptor's
 *   column metadata (short-range three-body groups → polynomial). The descriptor already carries √β⁽²⁾ on its radial columns (science.md §1.6), so the defaults are
 *   β_lin = 1 and β_poly = β⁽³⁾ = 0.9.
 *
 * Reference rows: a calculator's references are pre-packed once for the polynomial kernel's two GEMMs (`prepack`,
 * referencePacks.ts: S = X̂ X̂_bᵀ and P X̂_b without copying and packing X̂_b on every call, the same bits) — one pack,
 * read directly for S and transposed for P X̂_b (linalg `gemmPackedT`; a second pack in the other layout cost 4.6 MB
 * per 1000 references × 568 columns); the normalised reference rows are then dropped and recomputed from X_b when
 * another path reads them.
 *
 * Units: features are dimensionless for `sr`; K is dimensionless; model weights carry eV.
 */
import { FarfieldError, Registry, didYouMean } from '../core/index.js';
import { columnGroups, type ColumnGroup, type ColumnLayout } from '../descriptors/index.js';
import type { FactoredUpstream } from './factored.js';
import { getLinalg, type PackedB } from '../math/index.js';
import { rowOffset, type KernelScratch, type RowView } from './kernelScratch.js';
import { ReferencePacks, type PackRole } from './referencePacks.js';

export interface KernelSpec {
  kind: string;
  hypers: Record<string, unknown>;
}

/** A block of feature rows prepared for a kernel (row-major n×D plus per-row auxiliary data). */
export interface KernelRows {
  rows: number;
  cols: number;
  /** Original features (n×D). */
  x: Float64Array;
  /** Kernel-specific transformed features, e.g. the normalised rows (n×D). */
  t: Float64Array;
  /** Kernel-specific per-row data, e.g. norms (n or 2n). */
  aux: Float64Array;
}

/** Columns [start, end) of a row-major array `width` wide, in order: the rows a block kernel's part reads. */
export type ColumnRuns = readonly (readonly [number, number])[];

/** The column runs of the rows of x (rows × width), packed (rows × dk, dk = the runs' total width). */
export function gatherRuns(x: Float64Array, rows: number, width: number, runs: ColumnRuns, dk: number): Float64Array {
  const out = new Float64Array(rows * dk);
  const rb = runBounds(runs);
  for (let i = 0; i < rows; i++) {
    let o = i * dk;
    for (let q = 0; q < rb.length; q += 2) {
      const a = i * width + rb[q], e = i * width + rb[q + 1];
      if (e - a >= 32) out.set(x.subarray(a, e), o); // long runs: one native copy
      else for (let c = a; c < e; c++) out[o + c - a] = x[c]; // short ones: no subarray object per row
      o += e - a;
    }
  }
  return out;
}

export interface Kernel {
  readonly kind: string;
  prepare(x: Float64Array, rows: number, cols: number): KernelRows;
  /**
   * Optional: `prepare(gatherRuns(x, rows, width, runs, cols), rows, cols)` without the gathered copy (the same
   * prepared values bit for bit; its `x` gathers on demand). x must not change while the rows live.
   */
  prepareColumns?(x: Float64Array, rows: number, width: number, runs: ColumnRuns, cols: number): KernelRows;
  /** out (n_A × n_B, row-major) = K(a_i, b_b). */
  matrix(a: KernelRows, b: KernelRows, out?: Float64Array): Float64Array;
  /**
   * out (n_A × D) += Σ_b coef[i·n_B + b] · ∂K(a_i, b_b)/∂a_i. With coef = model weights broadcast, this is dE/dX.
   * `kmat` may pass the already computed matrix(a, b) to save the GEMM.
   */
  gradient(a: KernelRows, b: KernelRows, coef: Float64Array, out: Float64Array, kmat?: Float64Array): void;
  /**
   * Per-reference upstream gradients: for b in [b0, b1), out[(row(b−b0, i))·D + d] = ∂K(a_i, b_b)/∂a_id with
   * row(c, i) = c·n_A + i, or c·rows.stride + rows.index[i] when `rows` is given (to write straight into a
   * count × N × D upstream whose other rows the caller keeps). `kmat` (n_A × n_B from `matrix`) is required.
   */
  gradientPerReference(a: KernelRows, b: KernelRows, b0: number, b1: number, kmat: Float64Array, out: Float64Array,
    rows?: OutputRows): void;
  /**
   * Optional: the same per-reference upstream gradients in factored form (factored.ts FactoredUpstream) for a
   * structure of `atoms` atoms whose rows of a are atoms index[i]: batch entry b − b0, atom index[i] gets
   * ∂K(a_i, b_b)/∂a_i = Σ_r P_r T_r(b) + Q U(a_i); other atoms get zero coefficients. No count × N × D array.
   */
  factoredGradient?(a: KernelRows, b: KernelRows, b0: number, b1: number, kmat: Float64Array, index: ArrayLike<number>,
    atoms: number): FactoredUpstream;
  /**
   * Optional: the weighted sums of a calculator without the n_A × n_B kernel matrix leaving the kernel
   * (kernelScratch.ts): for rows i < rows of x (`cols` raw feature values each, NOT prepared),
   *   energy[i] += Σ_b w[b] K(x_i, b_b),   grad row i (cols values) += Σ_b w[b] ∂K(x_i, b_b)/∂x_i  (when grad is given).
   * Work arrays come from `scratch`. Same values as matrix/gradient with coef = w on every row, up to rounding.
   */
  weighted?(x: RowView, rows: number, cols: number, b: KernelRows, w: Float64Array, energy: Float64Array,
    grad: RowView | null, scratch: KernelScratch): void;
  /**
   * Optional: pre-pack the prepared reference rows b for `weighted` (and matrix/gradient) now, and drop copies the
   * packs replace (referencePacks.ts). A calculator calls it once per reference set; same results either way.
   */
  prepack?(b: KernelRows): void;
  /**
   * Optional: `gradient` with coef = w (n_B) on every row, without the n_A × n_B coefficient matrix: out (n_A × D)
   * += Σ_b w_b ∂K(a_i, b_b)/∂a_i; kmat as for `gradient`. The same bits as `gradient` with the broadcast matrix.
   */
  weightedGradient?(a: KernelRows, b: KernelRows, w: Float64Array, out: Float64Array, kmat?: Float64Array): void;
  toJSON(): KernelSpec;
}

/** Row placement of `gradientPerReference` output: row of (batch entry c, a-row i) = c·stride + index[i]. */
export interface OutputRows {
  index: ArrayLike<number>;
  stride: number;
}

function rowOf(rows: OutputRows | undefined, na: number, c: number, i: number): number {
  return rows ? c * rows.stride + rows.index[i] : c * na + i;
}

/** own.rows for factoredGradient: rows of src (a.rows × d, columns cols or all) placed at atom index[i] of nat × D. */
function placeRows(src: Float64Array, srcStride: number, srcCol0: number, index: ArrayLike<number>, nat: number, d: number,
  cols?: readonly number[]): Float64Array {
  const out = new Float64Array(nat * d);
  for (let i = 0; i < index.length; i++) {
    const o = index[i] * d, r = i * srcStride + srcCol0;
    if (cols) for (let c = 0; c < cols.length; c++) out[o + cols[c]] = src[r + c];
    else for (let c = 0; c < d; c++) out[o + c] = src[r + c];
  }
  return out;
}

export type KernelFactory = (hypers: Record<string, unknown>) => Kernel;
export const KERNELS = new Registry<KernelFactory>('kernel');

export function createKernel(spec: KernelSpec): Kernel {
  if (!spec || typeof spec.kind !== 'string') throw new FarfieldError('INVALID_INPUT', 'kernel spec must be {kind, hypers}');
  return KERNELS.get(spec.kind)(spec.hypers ?? {});
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

function num(h: Record<string, unknown>, key: string, def: number, what: string): number {
  const v = h[key] ?? def;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new FarfieldError('INVALID_INPUT', `${what}: hyperparameter '${key}' must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function positiveInt(h: Record<string, unknown>, key: string, def: number, what: string): number {
  const v = num(h, key, def, what);
  if (!Number.isInteger(v) || v < 1)
    throw new FarfieldError('INVALID_INPUT', `${what}: '${key}' must be a positive integer, got ${v}`);
  return v;
}

function checkKnown(h: Record<string, unknown>, known: string[], what: string): void {
  for (const k of Object.keys(h))
    if (!known.includes(k)) throw new FarfieldError('INVALID_INPUT', `${what}: unknown hyperparameter '${k}'${didYouMean(k, known)} (known: ${known.join(', ')})`);
}

/** C (n_A × n_B) = A Bᵀ for row-major A (n_A × D), B (n_B × D). */
function dotMatrix(a: Float64Array, na: number, b: Float64Array, nb: number, d: number, out: Float64Array): void {
  if (na === 0 || nb === 0) return;
  if (d === 0) {
    out.fill(0, 0, na * nb);
    return;
  }
  getLinalg().gemm(na, nb, d, a, b, out, { transB: true });
}

/** dotMatrix against b.t, through b's 'dots' pack when `packed` (same bits); b.t is not read then. */
function dotRows(a: Float64Array, na: number, b: KernelRows, d: number, out: Float64Array, packed: PackedB | null): void {
  if (packed && na > 0 && b.rows > 0 && d > 0) getLinalg().gemmPacked(na, a, packed, out);
  else dotMatrix(a, na, b.t, b.rows, d, out);
}

/** out (n_A × D) = P b.t for P (n_A × n_B), through b's 'dots' pack read transposed when `packed` (same bits: one
 * pack of the references serves both GEMMs, linalg `gemmPackedT`). */
function rowsProduct(p: Float64Array, na: number, b: KernelRows, d: number, out: Float64Array, packed: PackedB | null): void {
  if (packed) getLinalg().gemmPackedT(na, p, packed, out);
  else getLinalg().gemm(na, d, b.rows, p, b.t, out);
}

function ipow(x: number, n: number): number {
  let r = 1;
  for (let k = 0; k < n; k++) r *= x;
  return r;
}

/**
 * normaliseRows of gatherRuns(x, n, width, runs, dk) without the gathered copy: the same values summed and scaled in
 * the same order, so the same bits. t is n × dk.
 */
function normaliseRunRows(x: Float64Array, n: number, width: number, runs: ColumnRuns, dk: number, t: Float64Array, aux: Float64Array): void {
  const rb = runBounds(runs);
  for (let i = 0; i < n; i++) {
    const nrm = Math.sqrt(rowSumSquares(x, i * width, rb));
    aux[i] = nrm;
    const inv = nrm > 0 ? 1 / nrm : 0;
    let o = i * dk;
    for (let q = 0; q < rb.length; q += 2) for (let c = i * width + rb[q], e = i * width + rb[q + 1]; c < e; c++) t[o++] = x[c] * inv;
  }
}

/** The runs flat, [start₀, end₀, start₁, …] (indexed loops: a first, cold call runs ~3× faster than over `for…of`). */
function runBounds(runs: ColumnRuns): Int32Array {
  const rb = new Int32Array(2 * runs.length);
  runs.forEach(([a, e], q) => { rb[2 * q] = a; rb[2 * q + 1] = e; });
  return rb;
}

/** Σ x[r + c]² over the runs' columns c in order (normaliseRows' sum: the same terms in the same order). */
function rowSumSquares(x: Float64Array, r: number, rb: Int32Array): number {
  let s = 0;
  for (let q = 0; q < rb.length; q += 2) for (let c = r + rb[q], e = r + rb[q + 1]; c < e; c++) s += x[c] * x[c];
  return s;
}

/** Row-normalise x (n×D) into t, norms into aux. Zero rows stay zero (norm 0). */
function normaliseRows(x: Float64Array, n: number, d: number, t: Float64Array, aux: Float64Array, col0 = 0, col1 = d): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = col0; c < col1; c++) s += x[i * d + c] * x[i * d + c];
    const nrm = Math.sqrt(s);
    aux[i] = nrm;
    const inv = nrm > 0 ? 1 / nrm : 0;
    for (let c = col0; c < col1; c++) t[i * d + c] = x[i * d + c] * inv;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// polynomial (X̂_i·X̂_b)^ζ

/**
 * `matrix(a, b)` keeps S = X̂_a X̂_bᵀ (before the power) with the prepared rows a when it has at most this many entries
 * (32 MB), so that a following `gradient(a, b, …)` (a calculator's energy + forces) skips its own GEMM for S. Larger
 * blocks (design matrices of a fit) are not kept.
 */
const KEEP_DOTS_MAX = 1 << 22;

/**
 * Prepared rows of the polynomial kernel: t = the rows of x normalised (formed when first read), aux = their norms.
 * A calculator's reference rows are packed straight from x (`prepack` → `normalisedBlock`, never forming t; model
 * load, issue 17 goal 4). When a calculator has
 * pre-packed reference rows for its GEMMs (`weighted`), the kernel drops t (`releaseT`, at every weighted call): read
 * again (uncertainty, design paths), t is recomputed from x — the same operations, so the same bits — and held until
 * the next release. (No WeakRef: a target read in a job stays alive until the job ends, and an MD run is one job.)
 * Rows are immutable once prepared.
 */
class PolynomialRows implements KernelRows {
  readonly aux: Float64Array;
  private held: Float64Array | null = null;
  private own: Float64Array | null;

  /**
   * Rows x (rows × cols), or — with `from` (`prepareColumns`) — the column runs of a wider array, read in place (x is
   * then gathered when read). Only the norms are computed here: t is normalised when first read, and a calculator's
   * 'dots' pack is filled from x directly (`normalisedBlock`), so reference rows that are only packed never hold t.
   */
  constructor(readonly rows: number, readonly cols: number, x: Float64Array | null,
    private readonly from: { x: Float64Array; width: number; runs: ColumnRuns } | null = null) {
    this.own = x;
    this.aux = new Float64Array(rows);
    const { x: src, width, runs } = this.source();
    const rb = runBounds(runs);
    for (let i = 0; i < rows; i++) this.aux[i] = Math.sqrt(rowSumSquares(src, i * width, rb)); // = normaliseRows' norm
  }

  /** Where the rows' values live: x itself, or the runs of the wider array. */
  private source(): { x: Float64Array; width: number; runs: ColumnRuns } {
    return this.own ? { x: this.own, width: this.cols, runs: [[0, this.cols]] } : this.from!;
  }

  private normalise(t: Float64Array, aux: Float64Array): void {
    const f = this.source();
    if (f === this.from) normaliseRunRows(f.x, this.rows, f.width, f.runs, this.cols, t, aux);
    else normaliseRows(f.x, this.rows, this.cols, t, aux);
  }

  /**
   * Columns [pc, pc + kc) of rows j0 … j0 + nj − 1 of t into out (nj × kc, row-major) without t: x·(1/|x|), 0 for a
   * zero row — the operations of normaliseRows, so t's bits (Linalg.packBTransposedFrom).
   */
  normalisedBlock(j0: number, nj: number, pc: number, kc: number, out: Float64Array): void {
    const { x, width, runs } = this.source();
    // the block's columns as source segments [start, end) (t's columns pc … pc + kc − 1, in order)
    const seg: number[] = [];
    let c0 = 0;
    for (const [a, e] of runs) {
      const s0 = Math.max(a, a + pc - c0), s1 = Math.min(e, a + pc + kc - c0);
      if (s1 > s0) seg.push(s0, s1);
      c0 += e - a;
    }
    const sb = Int32Array.from(seg);
    for (let i = j0; i < j0 + nj; i++) {
      const nrm = this.aux[i], inv = nrm > 0 ? 1 / nrm : 0, r = i * width;
      let o = (i - j0) * kc;
      for (let q = 0; q < sb.length; q += 2) for (let c = r + sb[q], e = r + sb[q + 1]; c < e; c++) out[o++] = x[c] * inv;
    }
  }

  get x(): Float64Array {
    return this.own ?? gatherRuns(this.from!.x, this.rows, this.from!.width, this.from!.runs, this.cols);
  }

  set x(v: Float64Array) {
    this.own = v;
  }

  get t(): Float64Array {
    if (!this.held) {
      this.held = new Float64Array(this.rows * this.cols);
      this.normalise(this.held, new Float64Array(this.rows));
    }
    return this.held;
  }

  set t(v: Float64Array) {
    this.held = v;
  }

  /** Drop t (recomputed from x when read again). */
  releaseT(): void {
    this.held = null;
  }
}

export function polynomialKernel(hypers: Record<string, unknown> = {}): Kernel {
  const what = 'polynomial kernel';
  checkKnown(hypers, ['zeta'], what);
  const zeta = positiveInt(hypers, 'zeta', 4, what);
  /** S = X̂_a X̂_bᵀ of the last matrix(a, b) per prepared row block a (dropped with a), for gradient(a, b). */
  const dots = new WeakMap<KernelRows, { b: KernelRows; s: Float64Array }>();
  /** X̂_b pre-packed for the two GEMMs (referencePacks.ts): made by `weighted` (the calculator's path, the same
   * reference rows every call), used by matrix/gradient when present; bitwise the plain GEMMs. */
  const packs = new ReferencePacks();
  const packOf = (b: KernelRows, role: PackRole, create: boolean): PackedB | null =>
    b.rows > 0 && b.cols > 0 ? packs.get(b, role, b instanceof PolynomialRows ? b : b.t, b.rows, b.cols, create, () => b.t, getLinalg(),
      b instanceof PolynomialRows ? (j0, nj, pc, kc, out) => b.normalisedBlock(j0, nj, pc, kc, out) : undefined) : null;
  /** gradient with coef (na × nb), or with the weights w (nb) on every row when `broadcast` (the same bits). */
  const polyGradient = (a: KernelRows, b: KernelRows, coef: Float64Array, broadcast: boolean, out: Float64Array): void => {
    // dK/dx_i = (1/|x_i|)[Σ_b P_ib x̂_b − (Σ_b P_ib S_ib) x̂_i], P_ib = coef_ib ζ S_ib^{ζ−1}
    const na = a.rows, nb = b.rows, d = a.cols;
    if (na === 0 || nb === 0) return;
    // S from the preceding matrix(a, b) when kept (the same GEMM, so the same bits), else one GEMM here
    const kept = dots.get(a);
    const s = kept && kept.b === b ? kept.s : new Float64Array(na * nb);
    if (s !== kept?.s) dotRows(a.t, na, b, d, s, packOf(b, 'dots', false));
    const p = new Float64Array(na * nb);
    const diag = new Float64Array(na);
    for (let i = 0; i < na; i++) {
      const inv = a.aux[i] > 0 ? 1 / a.aux[i] : 0;
      let acc = 0;
      for (let q = 0, k = i * nb; q < nb; q++, k++) {
        const sk = s[k];
        const pk = (broadcast ? coef[q] : coef[k]) * zeta * ipow(sk, zeta - 1) * inv;
        p[k] = pk;
        acc += pk * sk;
      }
      diag[i] = acc;
    }
    const tmp = new Float64Array(na * d);
    rowsProduct(p, na, b, d, tmp, packOf(b, 'dots', false));
    for (let i = 0; i < na; i++)
      for (let c = 0; c < d; c++) out[i * d + c] += tmp[i * d + c] - diag[i] * a.t[i * d + c];
  };
  return {
    kind: 'polynomial',
    prepare(x, rows, cols) {
      return new PolynomialRows(rows, cols, x);
    },
    prepareColumns(x, rows, width, runs, cols) {
      return new PolynomialRows(rows, cols, null, { x, width, runs });
    },
    matrix(a, b, out = new Float64Array(a.rows * b.rows)) {
      const n = a.rows * b.rows;
      const pk = packOf(b, 'dots', false);
      if (n > KEEP_DOTS_MAX || n === 0) {
        dotRows(a.t, a.rows, b, a.cols, out, pk);
        for (let k = 0; k < n; k++) out[k] = ipow(out[k], zeta);
        return out;
      }
      const s = new Float64Array(n);
      dotRows(a.t, a.rows, b, a.cols, s, pk);
      for (let k = 0; k < n; k++) out[k] = ipow(s[k], zeta);
      dots.set(a, { b, s });
      return out;
    },
    gradient(a, b, coef, out, _kmat) {
      polyGradient(a, b, coef, false, out);
    },
    weightedGradient(a, b, w, out, _kmat) {
      polyGradient(a, b, w, true, out);
    },
    gradientPerReference(a, b, b0, b1, kmat, out, rows) {
      // ∂K/∂x_i = f x̂_b − f S x̂_i, f = ζ S^{ζ−1}/|x_i|; S = x̂_i·x̂_b from one GEMM (K^{1/ζ} would lose the sign).
      const na = a.rows, d = a.cols, cnt = b1 - b0;
      if (na === 0 || cnt <= 0) return;
      const sm = new Float64Array(na * cnt);
      dotMatrix(a.t, na, b.t.subarray(b0 * d, b1 * d), cnt, d, sm);
      const at = a.t, bt = b.t;
      for (let c = 0; c < cnt; c++) {
        const rb = (b0 + c) * d;
        for (let i = 0; i < na; i++) {
          const o = rowOf(rows, na, c, i) * d, ra = i * d;
          const inv = a.aux[i] > 0 ? 1 / a.aux[i] : 0;
          const sdot = sm[i * cnt + c];
          const f = zeta * ipow(sdot, zeta - 1) * inv;
          const g = f * sdot;
          for (let k = 0; k < d; k++) out[o + k] = f * bt[rb + k] - g * at[ra + k];
        }
      }
      void kmat;
    },
    factoredGradient(a, b, b0, b1, _kmat, index, nat) {
      // P = ζ S^{ζ−1}/|x_i|, T = x̂_b;  Q = −P S, U = x̂_i
      const na = a.rows, d = a.cols, cnt = Math.max(0, b1 - b0);
      const P = new Float64Array(cnt * nat), Q = new Float64Array(cnt * nat);
      if (na > 0 && cnt > 0) {
        const sm = new Float64Array(na * cnt);
        dotMatrix(a.t, na, b.t.subarray(b0 * d, b1 * d), cnt, d, sm);
        for (let i = 0; i < na; i++) {
          const inv = a.aux[i] > 0 ? 1 / a.aux[i] : 0;
          for (let c = 0; c < cnt; c++) {
            const sdot = sm[i * cnt + c];
            const f = zeta * ipow(sdot, zeta - 1) * inv;
            P[c * nat + index[i]] = f;
            Q[c * nat + index[i]] = -f * sdot;
          }
        }
      }
      return { count: cnt, terms: [{ coef: P, rows: b.t.subarray(b0 * d, b0 * d + cnt * d) }], own: { coef: Q, rows: placeRows(a.t, d, 0, index, nat, d) } };
    },
    prepack(b) {
      packOf(b, 'dots', true);
      if (b instanceof PolynomialRows) b.releaseT();
    },
    weighted(x, na, d, b, w, energy, grad, scratch) {
      // S = X̂ X̂_bᵀ (one GEMM); e_i += Σ_b w_b S^ζ; P_ib = w_b ζ S^{ζ−1}/|x_i|;
      // g_i += (P X̂_b)_i − (Σ_b P_ib S_ib) x̂_i (second GEMM), as `gradient` with coef = w on every row
      const nb = b.rows;
      if (na === 0 || nb === 0) return;
      const t = scratch.get('poly.t', na * d), nrm = scratch.get('poly.norm', na);
      for (let i = 0; i < na; i++) {
        const o = rowOffset(x, i), xd = x.data;
        let s2 = 0;
        for (let c = 0; c < d; c++) s2 += xd[o + c] * xd[o + c];
        const n1 = Math.sqrt(s2);
        nrm[i] = n1;
        const inv = n1 > 0 ? 1 / n1 : 0;
        for (let c = 0; c < d; c++) t[i * d + c] = xd[o + c] * inv;
      }
      const s = scratch.get('poly.s', na * nb);
      const pack = scratch.packReferences;
      dotRows(t, na, b, d, s, pack ? packOf(b, 'dots', true) : null);
      // P written over S (entry k of S is read before P_k is stored, and never after): one na × nb array, not two
      const p = grad ? s : null;
      const diag = scratch.get('poly.diag', na);
      for (let i = 0; i < na; i++) {
        const inv = nrm[i] > 0 ? 1 / nrm[i] : 0;
        let e = 0, acc = 0;
        for (let q = 0, k = i * nb; q < nb; q++, k++) {
          const sk = s[k];
          const pw = ipow(sk, zeta - 1);
          e += w[q] * (pw * sk);
          if (p) {
            const pk = w[q] * zeta * pw * inv;
            p[k] = pk;
            acc += pk * sk;
          }
        }
        energy[i] += e;
        diag[i] = acc;
      }
      if (!grad || !p) {
        if (pack && b instanceof PolynomialRows) b.releaseT(); // X̂_b lives in the packs now
        return;
      }
      const tmp = scratch.get('poly.g', na * d);
      rowsProduct(p, na, b, d, tmp, pack ? packOf(b, 'dots', true) : null);
      if (pack && b instanceof PolynomialRows) b.releaseT();
      const gd = grad.data;
      for (let i = 0; i < na; i++) {
        const o = rowOffset(grad, i), dg = diag[i];
        for (let c = 0; c < d; c++) gd[o + c] += tmp[i * d + c] - dg * t[i * d + c];
      }
    },
    toJSON: () => ({ kind: 'polynomial', hypers: { zeta } }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// gaussian exp(−|X_i − X_b|²/s)

export function gaussianKernel(hypers: Record<string, unknown> = {}): Kernel {
  const what = 'gaussian kernel';
  checkKnown(hypers, ['scale'], what);
  const scale = num(hypers, 'scale', 1, what);
  if (!(scale > 0)) throw new FarfieldError('INVALID_INPUT', `${what}: 'scale' must be > 0, got ${scale}`);
  return {
    kind: 'gaussian',
    prepare(x, rows, cols) {
      const aux = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += x[i * cols + c] ** 2;
        aux[i] = s;
      }
      return { rows, cols, x, t: x, aux };
    },
    matrix(a, b, out = new Float64Array(a.rows * b.rows)) {
      dotMatrix(a.x, a.rows, b.x, b.rows, a.cols, out);
      for (let i = 0; i < a.rows; i++)
        for (let j = 0; j < b.rows; j++) {
          const k = i * b.rows + j;
          const d2 = Math.max(0, a.aux[i] + b.aux[j] - 2 * out[k]);
          out[k] = Math.exp(-d2 / scale);
        }
      return out;
    },
    gradient(a, b, coef, out, kmat) {
      // dK/dx_i = −(2/s) Σ_b coef_ib K_ib (x_i − x_b)
      const na = a.rows, nb = b.rows, d = a.cols;
      if (na === 0 || nb === 0) return;
      const k = kmat ?? this.matrix(a, b);
      const p = new Float64Array(na * nb);
      const diag = new Float64Array(na);
      for (let i = 0; i < na; i++) {
        let acc = 0;
        for (let j = i * nb; j < (i + 1) * nb; j++) {
          p[j] = (2 / scale) * coef[j] * k[j];
          acc += p[j];
        }
        diag[i] = acc;
      }
      const tmp = new Float64Array(na * d);
      getLinalg().gemm(na, d, nb, p, b.x, tmp);
      for (let i = 0; i < na; i++)
        for (let c = 0; c < d; c++) out[i * d + c] += tmp[i * d + c] - diag[i] * a.x[i * d + c];
    },
    gradientPerReference(a, b, b0, b1, kmat, out, rows) {
      const na = a.rows, nb = b.rows, d = a.cols;
      for (let bb = b0; bb < b1; bb++)
        for (let i = 0; i < na; i++) {
          const o = rowOf(rows, na, bb - b0, i) * d;
          const f = (-2 / scale) * kmat[i * nb + bb];
          for (let c = 0; c < d; c++) out[o + c] = f * (a.x[i * d + c] - b.x[bb * d + c]);
        }
    },
    factoredGradient(a, b, b0, b1, kmat, index, nat) {
      // (2/s) K x_b − (2/s) K x_i
      const na = a.rows, nb = b.rows, d = a.cols, cnt = Math.max(0, b1 - b0);
      const P = new Float64Array(cnt * nat), Q = new Float64Array(cnt * nat);
      for (let i = 0; i < na; i++)
        for (let c = 0; c < cnt; c++) {
          const f = (2 / scale) * kmat[i * nb + b0 + c];
          P[c * nat + index[i]] = f;
          Q[c * nat + index[i]] = -f;
        }
      return { count: cnt, terms: [{ coef: P, rows: b.x.subarray(b0 * d, b0 * d + cnt * d) }], own: { coef: Q, rows: placeRows(a.x, d, 0, index, nat, d) } };
    },
    toJSON: () => ({ kind: 'gaussian', hypers: { scale } }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// vasp: β_lin X^L·X^L + β_poly (X̂^P·X̂^P)^ζ

type Ranges = [number, number][];

function parseRanges(v: unknown, key: string, what: string): Ranges {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new FarfieldError('INVALID_INPUT', `${what}: '${key}' must be a list of [start, end) column ranges`);
  return v.map((r, k) => {
    if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isInteger(x) && x >= 0) || !(r[1] >= r[0]))
      throw new FarfieldError('INVALID_INPUT', `${what}: '${key}'[${k}] must be [start, end) with 0 ≤ start ≤ end, got ${JSON.stringify(r)}`);
    return [r[0], r[1]] as [number, number];
  });
}

export function vaspKernel(hypers: Record<string, unknown> = {}): Kernel {
  const what = 'vasp kernel';
  checkKnown(hypers, ['zeta', 'linearWeight', 'polynomialWeight', 'linearColumns', 'polynomialColumns'], what);
  const zeta = positiveInt(hypers, 'zeta', 4, what);
  const wLin = num(hypers, 'linearWeight', 1, what);
  const wPoly = num(hypers, 'polynomialWeight', 0.9, what);
  const lin = parseRanges(hypers.linearColumns, 'linearColumns', what);
  const poly = parseRanges(hypers.polynomialColumns, 'polynomialColumns', what);
  if (lin.length + poly.length === 0)
    throw new FarfieldError('INVALID_INPUT', `${what}: no columns assigned; give linearColumns/polynomialColumns or bind it to a descriptor (bindKernel)`);
  const linCols: number[] = [];
  for (const [s, e] of lin) for (let c = s; c < e; c++) linCols.push(c);
  const polyCols: number[] = [];
  for (const [s, e] of poly) for (let c = s; c < e; c++) polyCols.push(c);
  const nl = linCols.length, np = polyCols.length;
  const check = (cols: number): void => {
    for (const c of [...linCols, ...polyCols])
      if (c >= cols) throw new FarfieldError('INVALID_INPUT', `${what}: column ${c} outside the descriptor width ${cols}`);
  };
  // Prepared layout: t = [X^L (n×nl) | X̂^P (n×np)] packed per row; aux = |X^P|.
  return {
    kind: 'vasp',
    prepare(x, rows, cols) {
      check(cols);
      const w = nl + np;
      const t = new Float64Array(rows * w);
      const aux = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        for (let c = 0; c < nl; c++) t[i * w + c] = x[i * cols + linCols[c]];
        let s = 0;
        for (let c = 0; c < np; c++) s += x[i * cols + polyCols[c]] ** 2;
        const nrm = Math.sqrt(s);
        aux[i] = nrm;
        const inv = nrm > 0 ? 1 / nrm : 0;
        for (let c = 0; c < np; c++) t[i * w + nl + c] = x[i * cols + polyCols[c]] * inv;
      }
      return { rows, cols, x, t, aux };
    },
    matrix(a, b, out = new Float64Array(a.rows * b.rows)) {
      const w = nl + np;
      const na = a.rows, nb = b.rows;
      for (let i = 0; i < na; i++)
        for (let j = 0; j < nb; j++) {
          let sl = 0, sp = 0;
          for (let c = 0; c < nl; c++) sl += a.t[i * w + c] * b.t[j * w + c];
          for (let c = nl; c < w; c++) sp += a.t[i * w + c] * b.t[j * w + c];
          out[i * nb + j] = wLin * sl + wPoly * ipow(sp, zeta);
        }
      return out;
    },
    gradient(a, b, coef, out) {
      const w = nl + np, d = a.cols, na = a.rows, nb = b.rows;
      const g = new Float64Array(w);
      for (let i = 0; i < na; i++) {
        g.fill(0);
        const inv = a.aux[i] > 0 ? 1 / a.aux[i] : 0;
        for (let j = 0; j < nb; j++) {
          const cij = coef[i * nb + j];
          if (cij === 0) continue;
          let sp = 0;
          for (let c = nl; c < w; c++) sp += a.t[i * w + c] * b.t[j * w + c];
          for (let c = 0; c < nl; c++) g[c] += cij * wLin * b.t[j * w + c];
          const f = cij * wPoly * zeta * ipow(sp, zeta - 1) * inv;
          for (let c = nl; c < w; c++) g[c] += f * (b.t[j * w + c] - sp * a.t[i * w + c]);
        }
        for (let c = 0; c < nl; c++) out[i * d + linCols[c]] += g[c];
        for (let c = 0; c < np; c++) out[i * d + polyCols[c]] += g[nl + c];
      }
    },
    gradientPerReference(a, b, b0, b1, _kmat, out, rows) {
      const w = nl + np, d = a.cols, na = a.rows;
      for (let j = b0; j < b1; j++)
        for (let i = 0; i < na; i++) {
          const o = rowOf(rows, na, j - b0, i) * d;
          out.fill(0, o, o + d);
          const inv = a.aux[i] > 0 ? 1 / a.aux[i] : 0;
          let sp = 0;
          for (let c = nl; c < w; c++) sp += a.t[i * w + c] * b.t[j * w + c];
          for (let c = 0; c < nl; c++) out[o + linCols[c]] += wLin * b.t[j * w + c];
          const f = wPoly * zeta * ipow(sp, zeta - 1) * inv;
          for (let c = 0; c < np; c++) out[o + polyCols[c]] += f * (b.t[j * w + nl + c] - sp * a.t[i * w + nl + c]);
        }
    },
    factoredGradient(a, b, b0, b1, _kmat, index, nat) {
      // w_lin X^L_b (coefficient 1 on the centres) + f (X̂^P_b − S X̂^P_i), f = w_poly ζ S^{ζ−1}/|X^P_i|
      const w = nl + np, d = a.cols, na = a.rows, cnt = Math.max(0, b1 - b0);
      const P1 = new Float64Array(cnt * nat), P2 = new Float64Array(cnt * nat), Q = new Float64Array(cnt * nat);
      const T1 = new Float64Array(cnt * d), T2 = new Float64Array(cnt * d);
      for (let c = 0; c < cnt; c++) {
        const j = b0 + c;
        for (let k = 0; k < nl; k++) T1[c * d + linCols[k]] = wLin * b.t[j * w + k];
        for (let k = 0; k < np; k++) T2[c * d + polyCols[k]] = b.t[j * w + nl + k];
        for (let i = 0; i < na; i++) {
          const inv = a.aux[i] > 0 ? 1 / a.aux[i] : 0;
          let sp = 0;
          for (let k = nl; k < w; k++) sp += a.t[i * w + k] * b.t[j * w + k];
          const f = wPoly * zeta * ipow(sp, zeta - 1) * inv;
          P1[c * nat + index[i]] = 1;
          P2[c * nat + index[i]] = f;
          Q[c * nat + index[i]] = -f * sp;
        }
      }
      return {
        count: cnt,
        terms: [{ coef: P1, rows: T1 }, { coef: P2, rows: T2 }],
        own: { coef: Q, rows: placeRows(a.t, w, nl, index, nat, d, polyCols) },
      };
    },
    toJSON: () => ({
      kind: 'vasp',
      hypers: { zeta, linearWeight: wLin, polynomialWeight: wPoly, linearColumns: lin, polynomialColumns: poly },
    }),
  };
}

KERNELS.register('polynomial', polynomialKernel);
KERNELS.register('gaussian', gaussianKernel);
KERNELS.register('vasp', vaspKernel);

/** A descriptor as seen by `bindKernel`: its column metadata (descriptors' ColumnLayout; a Descriptor is one). */
export type BlockedDescriptorLike = ColumnLayout;

/** Leaf column groups of a descriptor as [name, start, end) (nested composites flattened). */
export function leafBlocks(d: ColumnLayout): [string, number, number][] {
  return columnGroups(d).map((g) => [g.name, g.start, g.end] as [string, number, number]);
}

/** Groups the vasp kernel's polynomial part is for: short-range three-body (angular) invariants. */
function polynomialGroup(g: ColumnGroup): boolean {
  return g.bodyOrder >= 3 && g.range === 'short';
}

/**
 * Complete a kernel spec for a descriptor: for `vasp` without explicit column ranges, the columns of short-range
 * three-body groups (angular) go to the polynomial part and every other group (radial two-body, long-range) to the
 * linear part, read from the descriptor's column metadata (`columnBlocks`, nested composites flattened). Other kinds
 * are unchanged.
 */
export function bindKernel(spec: KernelSpec, descriptor: ColumnLayout): KernelSpec {
  if (spec.kind !== 'vasp') return spec;
  const h = spec.hypers ?? {};
  if (h.linearColumns !== undefined || h.polynomialColumns !== undefined) return spec;
  const lin: [number, number][] = [];
  const poly: [number, number][] = [];
  const add = (target: [number, number][], s: number, e: number): void => {
    const last = target[target.length - 1];
    if (last && last[1] === s) last[1] = e;
    else if (e > s) target.push([s, e]);
  };
  for (const g of columnGroups(descriptor)) add(polynomialGroup(g) ? poly : lin, g.start, g.end);
  if (poly.length === 0)
    throw new FarfieldError('INVALID_INPUT', `vasp kernel: the descriptor '${descriptor.kind}' has no angular block; give polynomialColumns explicitly or use the polynomial kernel`);
  return { kind: 'vasp', hypers: { ...h, linearColumns: lin, polynomialColumns: poly } };
}
