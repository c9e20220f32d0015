// WebAssembly SIMD (f64x2) kernels for farfield's dense linear algebra, written in AssemblyScript.
// Built by `npm run build:wasm` into src/math/linalg/wasmBinary.ts (base64); see src/math/linalg/wasmBackend.ts.
//
// Everything works on raw byte pointers into one linear memory that the JavaScript side manages (no allocator,
// no static data, no runtime). Row-major matrices. Algorithm: GotoBLAS-style packing of 4-wide panels
// (zero-padded at the edges, so any size works) and one 4×4 register-blocked micro-kernel (8 f64x2 accumulators)
// shared by syrk (C += α·AᵀA, upper triangle), gemm (C = α·op(A)·op(B) + β·C), the trailing update of the
// blocked Cholesky factorisation (A22 −= L21·L21ᵀ, lower triangle) and the blocked triangular solves.
// Work is split between threads by output panels (column or row ranges): callers pass the range, so each
// output element is always computed by the same code in the same order (threaded = single-threaded, bitwise).

// Depth of one packed block (rows of A for syrk; k for gemm). 256 × 4 doubles = 8 KiB per panel (fits L1).
const KC: i32 = 256;
// Rows of op(A) packed per gemm macro block (MC × KC × 8 bytes = 256 KiB, in L2).
const MC: i32 = 128;
// Panels (of 4) of the syrk A-side kept together in L2.
const SYRK_PANELS: i32 = 32;

// ---------------------------------------------------------------------------------------------------------
// 4×4 micro-kernel: C[0:rows, 0:cols] += alpha · Σ_k pa[k][0:4]ᵀ ⊗ pb[k][0:4]
// pa, pb: packed panels, kc rows of 4 doubles (32 bytes); c: pointer to C[0][0]; ldc: row stride (elements).
// ---------------------------------------------------------------------------------------------------------
function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, alpha: f64, rows: i32, cols: i32): void {
  let c00 = f64x2.splat(0.0), c01 = f64x2.splat(0.0);
  let c10 = f64x2.splat(0.0), c11 = f64x2.splat(0.0);
  let c20 = f64x2.splat(0.0), c21 = f64x2.splat(0.0);
  let c30 = f64x2.splat(0.0), c31 = f64x2.splat(0.0);
  let k = 0;
  for (; k + 2 <= kc; k += 2) {
    let b0 = v128.load(pb);
    let b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    b0 = v128.load(pb, 32);
    b1 = v128.load(pb, 48);
    a = v128.load64_splat(pa, 32);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 40);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 48);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 56);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    pa += 64;
    pb += 64;
  }
  if (k < kc) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
  }
  const al = f64x2.splat(alpha);
  const ld = (<usize>ldc) << 3;
  if (rows == 4 && cols == 4) {
    let p = c;
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(al, c00)));
    v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(al, c01)), 16);
    p += ld;
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(al, c10)));
    v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(al, c11)), 16);
    p += ld;
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(al, c20)));
    v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(al, c21)), 16);
    p += ld;
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(al, c30)));
    v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(al, c31)), 16);
    return;
  }
  // Edge tile: store only the valid part.
  storePartialRow(c, f64x2.mul(al, c00), f64x2.mul(al, c01), cols);
  if (rows > 1) storePartialRow(c + ld, f64x2.mul(al, c10), f64x2.mul(al, c11), cols);
  if (rows > 2) storePartialRow(c + 2 * ld, f64x2.mul(al, c20), f64x2.mul(al, c21), cols);
  if (rows > 3) storePartialRow(c + 3 * ld, f64x2.mul(al, c30), f64x2.mul(al, c31), cols);
}

function storePartialRow(p: usize, v0: v128, v1: v128, cols: i32): void {
  store<f64>(p, load<f64>(p) + f64x2.extract_lane(v0, 0));
  if (cols > 1) store<f64>(p, load<f64>(p, 8) + f64x2.extract_lane(v0, 1), 8);
  if (cols > 2) store<f64>(p, load<f64>(p, 16) + f64x2.extract_lane(v1, 0), 16);
  if (cols > 3) store<f64>(p, load<f64>(p, 24) + f64x2.extract_lane(v1, 1), 24);
}

// ---------------------------------------------------------------------------------------------------------
// Packing
// ---------------------------------------------------------------------------------------------------------

// Rows r0..r0+kc of X (row stride ldx), columns 4·p0 … 4·p1 (clipped at ncols, zero-padded) into panels:
// dst[(p − p0)·kc·4 + k·4 + t] = X[r0 + k][4p + t].
function packRows(x: usize, ldx: i32, ncols: i32, r0: i32, kc: i32, p0: i32, p1: i32, dst: usize): void {
  const full = min<i32>(p1, ncols >> 2);
  const panelBytes = (<usize>kc) << 5;
  for (let k = 0; k < kc; k++) {
    const row = x + ((<usize>(r0 + k) * <usize>ldx) << 3);
    let d = dst + ((<usize>k) << 5);
    let p = p0;
    for (; p < full; p++) {
      const s = row + ((<usize>p) << 5);
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
      d += panelBytes;
    }
    for (; p < p1; p++) {
      for (let t = 0; t < 4; t++) {
        const j = 4 * p + t;
        store<f64>(d + ((<usize>t) << 3), j < ncols ? load<f64>(row + ((<usize>j) << 3)) : 0.0);
      }
      d += panelBytes;
    }
  }
}

// Columns c0..c0+kc of X (row stride ldx), rows 4·p0 … 4·p1 (clipped at nrows, zero-padded), transposed:
// dst[(p − p0)·kc·4 + k·4 + t] = X[4p + t][c0 + k].
function packCols(x: usize, ldx: i32, nrows: i32, c0: i32, kc: i32, p0: i32, p1: i32, dst: usize): void {
  let d = dst;
  for (let p = p0; p < p1; p++) {
    for (let t = 0; t < 4; t++) {
      const i = 4 * p + t;
      let q = d + ((<usize>t) << 3);
      if (i < nrows) {
        let s = x + ((<usize>i * <usize>ldx + <usize>c0) << 3);
        for (let k = 0; k < kc; k++) {
          store<f64>(q, load<f64>(s));
          s += 8;
          q += 32;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f64>(q, 0.0);
          q += 32;
        }
      }
    }
    d += (<usize>kc) << 5;
  }
}

// ---------------------------------------------------------------------------------------------------------
// syrk: upper triangle of C (n×n) += alpha · AᵀA, A m×n; only column panels [jp0, jp1) of C (4 columns each),
// all row panels ip ≤ jp. pack: KC · 4·jp1 doubles of scratch.
// ---------------------------------------------------------------------------------------------------------
export function syrkUpper(a: usize, m: i32, n: i32, c: usize, alpha: f64, pack: usize, jp0: i32, jp1: i32): void {
  for (let r0 = 0; r0 < m; r0 += KC) {
    const kc = min<i32>(KC, m - r0);
    packRows(a, n, n, r0, kc, 0, jp1, pack);
    const pbytes = (<usize>kc) << 5;
    for (let ib = 0; ib < jp1; ib += SYRK_PANELS) {
      const ie = min<i32>(ib + SYRK_PANELS, jp1);
      for (let jp = max<i32>(jp0, ib); jp < jp1; jp++) {
        const pb = pack + <usize>jp * pbytes;
        const cols = min<i32>(4, n - 4 * jp);
        const iend = min<i32>(ie, jp + 1);
        for (let ip = ib; ip < iend; ip++) {
          const rows = min<i32>(4, n - 4 * ip);
          const cp = c + ((<usize>(4 * ip) * <usize>n + <usize>(4 * jp)) << 3);
          micro(pack + <usize>ip * pbytes, pb, kc, cp, n, alpha, rows, cols);
        }
      }
    }
  }
}

/** Copy the upper triangle of the n×n matrix c into its lower triangle. */
export function mirrorUpper(c: usize, n: i32): void {
  // Blocked transpose copy (32×32 tiles) for cache friendliness.
  for (let i0 = 0; i0 < n; i0 += 32) {
    for (let j0 = 0; j0 <= i0; j0 += 32) {
      const i1 = min<i32>(i0 + 32, n);
      for (let i = i0; i < i1; i++) {
        const j1 = min<i32>(j0 + 32, i);
        for (let j = j0; j < j1; j++) {
          store<f64>(c + ((<usize>i * <usize>n + <usize>j) << 3), load<f64>(c + ((<usize>j * <usize>n + <usize>i) << 3)));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// gemm: C (m×n, stride ldc) = beta·C + alpha·op(A)·op(B); op(A) m×k (A stride lda), op(B) k×n (B stride ldb).
// packA: MC·KC doubles, packB: KC·4·⌈n/4⌉ doubles.
// ---------------------------------------------------------------------------------------------------------
export function gemm(m: i32, n: i32, k: i32, a: usize, lda: i32, transA: i32, b: usize, ldb: i32, transB: i32,
  c: usize, ldc: i32, alpha: f64, beta: f64, packA: usize, packB: usize): void {
  if (beta != 1.0) {
    for (let i = 0; i < m; i++) {
      const row = c + ((<usize>i * <usize>ldc) << 3);
      if (beta == 0.0) {
        for (let j = 0; j < n; j++) store<f64>(row + ((<usize>j) << 3), 0.0);
      } else {
        for (let j = 0; j < n; j++) {
          const q = row + ((<usize>j) << 3);
          store<f64>(q, beta * load<f64>(q));
        }
      }
    }
  }
  if (alpha == 0.0 || m == 0 || n == 0) return;
  const npn = (n + 3) >> 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min<i32>(KC, k - pc);
    const pbytes = (<usize>kc) << 5;
    // op(B)[pc + kk][j]: row pc+kk of B, or column pc+kk of the n×k matrix B.
    if (transB) packCols(b, ldb, n, pc, kc, 0, npn, packB);
    else packRows(b, ldb, n, pc, kc, 0, npn, packB);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min<i32>(MC, m - ic);
      const npm = (mc + 3) >> 2;
      // op(A)[ic + i][pc + kk]: A[ic+i][pc+kk], or A[pc+kk][ic+i] of the k×m matrix A.
      if (transA) packRows(a + (<usize>ic << 3), lda, mc, pc, kc, 0, npm, packA);
      else packCols(a + ((<usize>ic * <usize>lda) << 3), lda, mc, pc, kc, 0, npm, packA);
      for (let jp = 0; jp < npn; jp++) {
        const pb = packB + <usize>jp * pbytes;
        const cols = min<i32>(4, n - 4 * jp);
        for (let ip = 0; ip < npm; ip++) {
          const rows = min<i32>(4, mc - 4 * ip);
          const cp = c + ((<usize>(ic + 4 * ip) * <usize>ldc + <usize>(4 * jp)) << 3);
          micro(packA + <usize>ip * pbytes, pb, kc, cp, ldc, alpha, rows, cols);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Blocked right-looking Cholesky (lower, row-major n×n at a). For each diagonal block [j0, j0+jb):
//   cholDiag:   unblocked factor of A11 (already updated); returns −1 or the failing pivot (value at `info`)
//   cholPanel:  L21 = A21·L11⁻ᵀ for row panels [p0, p1) of A21 (rows j0+jb+4p …), done on packed, transposed
//               copies (pack), written back to A; the packed panels are kept for the update
//   cholUpdate: A22 −= L21·L21ᵀ (lower triangle, 4×4 diagonal tiles fully) for row panels [p0, p1)
// ---------------------------------------------------------------------------------------------------------
export function cholDiag(a: usize, n: i32, j0: i32, jb: i32, info: usize): i32 {
  const ln = <usize>n;
  for (let i = j0; i < j0 + jb; i++) {
    const ri = a + ((<usize>i * ln) << 3);
    for (let j = j0; j <= i; j++) {
      const rj = a + ((<usize>j * ln) << 3);
      let s = load<f64>(ri + ((<usize>j) << 3));
      let acc = f64x2.splat(0.0);
      let p = j0;
      for (; p + 2 <= j; p += 2) {
        acc = f64x2.add(acc, f64x2.mul(v128.load(ri + ((<usize>p) << 3)), v128.load(rj + ((<usize>p) << 3))));
      }
      s -= f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      for (; p < j; p++) s -= load<f64>(ri + ((<usize>p) << 3)) * load<f64>(rj + ((<usize>p) << 3));
      if (j == i) {
        if (!(s > 0.0) || s == Infinity) {
          store<f64>(info, s);
          return i;
        }
        store<f64>(ri + ((<usize>i) << 3), Math.sqrt(s));
      } else {
        store<f64>(ri + ((<usize>j) << 3), s / load<f64>(rj + ((<usize>j) << 3)));
      }
    }
  }
  return -1;
}

export function cholPanel(a: usize, n: i32, j0: i32, jb: i32, pack: usize, p0: i32, p1: i32): void {
  const r0 = j0 + jb;
  const nr = n - r0;
  const pbytes = (<usize>jb) << 5;
  const ln = <usize>n;
  // pack rows of A21 (rows r0.., cols j0..j0+jb), transposed into 4-row panels
  packCols(a + ((<usize>r0 * ln) << 3), n, nr, j0, jb, p0, p1, pack + <usize>p0 * pbytes);
  for (let p = p0; p < p1; p++) {
    const pp = pack + <usize>p * pbytes;
    // forward substitution on the 4-vector x_t = (P_t − Σ_{s<t} L[t][s]·x_s) / L[t][t]
    for (let t = 0; t < jb; t++) {
      const lt = a + ((<usize>(j0 + t) * ln + <usize>j0) << 3);
      const q = pp + ((<usize>t) << 5);
      let x0 = v128.load(q), x1 = v128.load(q, 16);
      for (let s = 0; s < t; s++) {
        const l = v128.load64_splat(lt + ((<usize>s) << 3));
        const qs = pp + ((<usize>s) << 5);
        x0 = f64x2.sub(x0, f64x2.mul(l, v128.load(qs)));
        x1 = f64x2.sub(x1, f64x2.mul(l, v128.load(qs, 16)));
      }
      const inv = f64x2.splat(1.0 / load<f64>(lt + ((<usize>t) << 3)));
      v128.store(q, f64x2.mul(x0, inv));
      v128.store(q, f64x2.mul(x1, inv), 16);
    }
    // write back the valid rows
    for (let tt = 0; tt < 4; tt++) {
      const i = 4 * p + tt;
      if (i >= nr) break;
      const row = a + ((<usize>(r0 + i) * ln + <usize>j0) << 3);
      let q = pp + ((<usize>tt) << 3);
      for (let t = 0; t < jb; t++) {
        store<f64>(row + ((<usize>t) << 3), load<f64>(q));
        q += 32;
      }
    }
  }
}

export function cholUpdate(a: usize, n: i32, j0: i32, jb: i32, pack: usize, p0: i32, p1: i32): void {
  const r0 = j0 + jb;
  const nr = n - r0;
  const pbytes = (<usize>jb) << 5;
  const base = a + ((<usize>r0 * <usize>n + <usize>r0) << 3);
  for (let ip = p0; ip < p1; ip++) {
    const rows = min<i32>(4, nr - 4 * ip);
    const pa = pack + <usize>ip * pbytes;
    for (let jp = 0; jp <= ip; jp++) {
      const cols = min<i32>(4, nr - 4 * jp);
      micro(pa, pack + <usize>jp * pbytes, jb, base + ((<usize>(4 * ip) * <usize>n + <usize>(4 * jp)) << 3), n, -1.0, rows, cols);
    }
  }
}

/** Zero the strict upper triangle of the n×n matrix a. */
export function zeroUpper(a: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const row = a + ((<usize>i * <usize>n) << 3);
    for (let j = i + 1; j < n; j++) store<f64>(row + ((<usize>j) << 3), 0.0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Triangular solves op(L)·X = B for the columns [0, w) of B (pointer b, row stride ldb), blocked by NB rows:
// diagonal blocks by row axpys (f64x2 along the right-hand sides), off-diagonal blocks by gemm.
// ---------------------------------------------------------------------------------------------------------
const TRSM_NB: i32 = 128;

function axpyRow(dst: usize, src: usize, x: f64, w: i32): void {
  const xv = f64x2.splat(x);
  let j = 0;
  for (; j + 2 <= w; j += 2) {
    const o = (<usize>j) << 3;
    v128.store(dst + o, f64x2.sub(v128.load(dst + o), f64x2.mul(xv, v128.load(src + o))));
  }
  if (j < w) {
    const o = (<usize>j) << 3;
    store<f64>(dst + o, load<f64>(dst + o) - x * load<f64>(src + o));
  }
}

function scaleRow(dst: usize, x: f64, w: i32): void {
  for (let j = 0; j < w; j++) {
    const o = (<usize>j) << 3;
    store<f64>(dst + o, load<f64>(dst + o) * x);
  }
}

export function trsm(l: usize, n: i32, b: usize, ldb: i32, w: i32, transpose: i32, packA: usize, packB: usize): void {
  const ln = <usize>n;
  const lb = <usize>ldb;
  if (!transpose) {
    for (let i0 = 0; i0 < n; i0 += TRSM_NB) {
      const ib = min<i32>(TRSM_NB, n - i0);
      for (let i = i0; i < i0 + ib; i++) {
        const bi = b + ((<usize>i * lb) << 3);
        const li = l + ((<usize>i * ln) << 3);
        for (let p = i0; p < i; p++) {
          const x = load<f64>(li + ((<usize>p) << 3));
          if (x != 0.0) axpyRow(bi, b + ((<usize>p * lb) << 3), x, w);
        }
        scaleRow(bi, 1.0 / load<f64>(li + ((<usize>i) << 3)), w);
      }
      const rest = n - i0 - ib;
      if (rest > 0) {
        // B[i0+ib:, :] −= L[i0+ib:, i0:i0+ib] · X[i0:i0+ib, :]
        gemm(rest, w, ib, l + ((<usize>(i0 + ib) * ln + <usize>i0) << 3), n, 0, b + ((<usize>i0 * lb) << 3), ldb, 0,
          b + ((<usize>(i0 + ib) * lb) << 3), ldb, -1.0, 1.0, packA, packB);
      }
    }
  } else {
    const nblocks = (n + TRSM_NB - 1) / TRSM_NB;
    for (let blk = nblocks - 1; blk >= 0; blk--) {
      const i0 = blk * TRSM_NB;
      const ib = min<i32>(TRSM_NB, n - i0);
      // Lᵀ block is upper triangular: back substitution, column-oriented on rows of L
      for (let i = i0 + ib - 1; i >= i0; i--) {
        const bi = b + ((<usize>i * lb) << 3);
        const li = l + ((<usize>i * ln) << 3);
        scaleRow(bi, 1.0 / load<f64>(li + ((<usize>i) << 3)), w);
        for (let p = i0; p < i; p++) {
          const x = load<f64>(li + ((<usize>p) << 3));
          if (x != 0.0) axpyRow(b + ((<usize>p * lb) << 3), bi, x, w);
        }
      }
      if (i0 > 0) {
        // B[0:i0, :] −= L[i0:i0+ib, 0:i0]ᵀ · X[i0:i0+ib, :]
        gemm(i0, w, ib, l + ((<usize>i0 * ln) << 3), n, 1, b + ((<usize>i0 * lb) << 3), ldb, 0, b, ldb, -1.0, 1.0,
          packA, packB);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Symmetric eigensolver support (src/math/linalg/eigen.ts works on W = Vᵀ, rows contiguous). d, e: f64 arrays.
// ---------------------------------------------------------------------------------------------------------

// Householder step i, similarity part: for j < i: W[i][j] = d[j]; e[j] += W[j][j]·d[j] + Σ_{j<k<i} W[j][k]·d[k];
// e[k] += W[j][k]·d[j] for j < k < i.
export function tredSymv(w: usize, n: i32, i: i32, d: usize, e: usize): void {
  const ln = <usize>n;
  for (let j = 0; j < i; j++) {
    const wj = w + ((<usize>j * ln) << 3);
    const f = load<f64>(d + ((<usize>j) << 3));
    store<f64>(w + ((<usize>i * ln + <usize>j) << 3), f);
    let g = load<f64>(e + ((<usize>j) << 3)) + load<f64>(wj + ((<usize>j) << 3)) * f;
    const fv = f64x2.splat(f);
    let gv = f64x2.splat(0.0);
    let k = j + 1;
    for (; k + 2 <= i; k += 2) {
      const o = (<usize>k) << 3;
      const wv = v128.load(wj + o);
      gv = f64x2.add(gv, f64x2.mul(wv, v128.load(d + o)));
      v128.store(e + o, f64x2.add(v128.load(e + o), f64x2.mul(wv, fv)));
    }
    g += f64x2.extract_lane(gv, 0) + f64x2.extract_lane(gv, 1);
    for (; k < i; k++) {
      const o = (<usize>k) << 3;
      const wv = load<f64>(wj + o);
      g += wv * load<f64>(d + o);
      store<f64>(e + o, load<f64>(e + o) + wv * f);
    }
    store<f64>(e + ((<usize>j) << 3), g);
  }
}

// Householder step i, rank-2 update: for j < i: W[j][j:i] −= d[j]·e[j:i] + e[j]·d[j:i]; d[j] = W[j][i−1]; W[j][i] = 0.
export function tredRank2(w: usize, n: i32, i: i32, d: usize, e: usize): void {
  const ln = <usize>n;
  for (let j = 0; j < i; j++) {
    const wj = w + ((<usize>j * ln) << 3);
    const f = load<f64>(d + ((<usize>j) << 3)), g = load<f64>(e + ((<usize>j) << 3));
    const fv = f64x2.splat(f), gv = f64x2.splat(g);
    let k = j;
    for (; k + 2 <= i; k += 2) {
      const o = (<usize>k) << 3;
      v128.store(wj + o, f64x2.sub(v128.load(wj + o), f64x2.add(f64x2.mul(fv, v128.load(e + o)), f64x2.mul(gv, v128.load(d + o)))));
    }
    for (; k < i; k++) {
      const o = (<usize>k) << 3;
      store<f64>(wj + o, load<f64>(wj + o) - (f * load<f64>(e + o) + g * load<f64>(d + o)));
    }
    store<f64>(d + ((<usize>j) << 3), load<f64>(wj + ((<usize>(i - 1)) << 3)));
    store<f64>(wj + ((<usize>i) << 3), 0.0);
  }
}

// Back-accumulation step i (d[0..i] = W[i+1][0..i]/h already), rows j in [j0, j1) ⊆ [0, i]:
// W[j][0..i] −= (W[i+1][0..i]·W[j][0..i])·d[0..i].
export function tredAccumulate(w: usize, n: i32, i: i32, d: usize, j0: i32, j1: i32): void {
  const ln = <usize>n;
  const wi1 = w + ((<usize>(i + 1) * ln) << 3);
  const len = i + 1;
  for (let j = j0; j < j1; j++) {
    const wj = w + ((<usize>j * ln) << 3);
    let gv = f64x2.splat(0.0);
    let k = 0;
    for (; k + 2 <= len; k += 2) {
      const o = (<usize>k) << 3;
      gv = f64x2.add(gv, f64x2.mul(v128.load(wi1 + o), v128.load(wj + o)));
    }
    let g = f64x2.extract_lane(gv, 0) + f64x2.extract_lane(gv, 1);
    for (; k < len; k++) g += load<f64>(wi1 + ((<usize>k) << 3)) * load<f64>(wj + ((<usize>k) << 3));
    const gs = f64x2.splat(g);
    k = 0;
    for (; k + 2 <= len; k += 2) {
      const o = (<usize>k) << 3;
      v128.store(wj + o, f64x2.sub(v128.load(wj + o), f64x2.mul(gs, v128.load(d + o))));
    }
    for (; k < len; k++) {
      const o = (<usize>k) << 3;
      store<f64>(wj + o, load<f64>(wj + o) - g * load<f64>(d + o));
    }
  }
}

// A batch of QL sweeps applied together, column chunk by column chunk (the rows a chunk spans stay in L2 across
// sweeps instead of being streamed from memory once per sweep). Sweep s (in order): lo = desc[3s], hi = desc[3s+1],
// rotations i = hi−1 … lo use cs/sn[desc[3s+2] + i − lo]. Columns [k0, k1) in chunks of ch (even).
export function rotateBatch(w: usize, n: i32, ns: i32, desc: usize, cs: usize, sn: usize, k0: i32, k1: i32, ch: i32): void {
  const ln = <usize>n;
  for (let c0 = k0; c0 < k1; c0 += ch) {
    const c1 = min<i32>(k1, c0 + ch);
    for (let s = 0; s < ns; s++) {
      const dp = desc + ((<usize>(3 * s)) << 2);
      const lo = load<i32>(dp), hi = load<i32>(dp, 4), off = load<i32>(dp, 8);
      for (let i = hi - 1; i >= lo; i--) {
        const q = (<usize>(off + i - lo)) << 3;
        const c = load<f64>(cs + q), sv0 = load<f64>(sn + q);
        const cv = f64x2.splat(c), sv = f64x2.splat(sv0);
        const r0 = w + ((<usize>i * ln) << 3), r1 = r0 + (ln << 3);
        let k = c0;
        for (; k + 2 <= c1; k += 2) {
          const o = (<usize>k) << 3;
          const h = v128.load(r1 + o), x = v128.load(r0 + o);
          v128.store(r1 + o, f64x2.add(f64x2.mul(sv, x), f64x2.mul(cv, h)));
          v128.store(r0 + o, f64x2.sub(f64x2.mul(cv, x), f64x2.mul(sv, h)));
        }
        for (; k < c1; k++) {
          const o = (<usize>k) << 3;
          const h = load<f64>(r1 + o), x = load<f64>(r0 + o);
          store<f64>(r1 + o, sv0 * x + c * h);
          store<f64>(r0 + o, c * x - sv0 * h);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Per-centre products of the angular power-spectrum descriptor (src/descriptors/shortRange/angular.ts, whose TS
// loops are the reference; wrapper: src/math/linalg/powerSpectrumWasm.ts). N radial functions, lmax L, S species;
// K = (L+1)², C = S·N channels, F = (L+1)·N. Layouts (f64 unless noted), per centre:
//   y: np × K (Y_lm of each pair), dy: np × 3K ([lm][xyz]), h: np × F (ĥ_nl = η_l h_nl, index l·N + n),
//   dh: np × F (h'_nl, unfiltered), sp: np i32 (species of each pair's neighbour), c: K × C, self: S × (L+1) × N × N,
//   a: (L+1) × C × C (symmetric), d: K × C, eta: L+1, scale/x: columns q·(L+1) + l over channel pairs a ≤ b.
// SIMD lanes run over independent outputs only and every sum is taken in the order of the TS loops, with the
// same products (x·y = y·x; a is symmetric), so the results are bitwise those of the TS path.
// ---------------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 3);
}

// c_{lm, J·N+n} = Σ_p Y_lm(p) ĥ_nl(p) over the pairs p of species J; self_{J,l,n,n'} = Σ_p ĥ_nl(p) ĥ_n'l(p).
export function psDensity(np: i32, N: i32, L: i32, S: i32, y: usize, h: usize, sp: usize, c: usize, self: usize): void {
  const L1 = L + 1, K = L1 * L1, C = S * N, F = L1 * N, NN = N * N;
  memory.fill(c, 0, (<usize>(K * C)) << 3);
  memory.fill(self, 0, (<usize>(S * L1 * NN)) << 3);
  for (let p = 0; p < np; p++) {
    const J = load<i32>(sp + ((<usize>p) << 2));
    const yp = at(y, p * K), hp = at(h, p * F);
    for (let l = 0; l <= L; l++) {
      const hl = at(hp, l * N);
      for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
        const yv = load<f64>(at(yp, lm)), ys = f64x2.splat(yv);
        const co = at(c, lm * C + J * N);
        let n = 0;
        for (; n + 2 <= N; n += 2) {
          const o = (<usize>n) << 3;
          v128.store(co + o, f64x2.add(v128.load(co + o), f64x2.mul(ys, v128.load(hl + o))));
        }
        for (; n < N; n++) {
          const o = (<usize>n) << 3;
          store<f64>(co + o, load<f64>(co + o) + yv * load<f64>(hl + o));
        }
      }
      const so = at(self, (J * L1 + l) * NN);
      for (let n = 0; n < N; n++) {
        const v = load<f64>(at(hl, n)), vs = f64x2.splat(v), row = at(so, n * N);
        let n2 = 0;
        for (; n2 + 2 <= N; n2 += 2) {
          const o = (<usize>n2) << 3;
          v128.store(row + o, f64x2.add(v128.load(row + o), f64x2.mul(vs, v128.load(hl + o))));
        }
        for (; n2 < N; n2++) {
          const o = (<usize>n2) << 3;
          store<f64>(row + o, load<f64>(row + o) + v * load<f64>(hl + o));
        }
      }
    }
  }
}

// x[q·(L+1) + l] = scale[q·(L+1) + l]·(Σ_m c_{lm,a} c_{lm,b} − δ_{J_a J_b} (2l+1)/(4π) self_{J,l,n_a,n_b}), q over
// a ≤ b (row-major). Each sum over m runs in m order from 0 (lanes over b); g is unused (kept for the signature).
export function psFeatures(N: i32, L: i32, S: i32, c: usize, self: usize, scale: usize, x: usize, g: usize): void {
  const L1 = L + 1, C = S * N, NN = N * N;
  for (let l = 0; l <= L; l++) {
    const f = (<f64>(2 * l + 1)) / (4.0 * Math.PI);
    const lm0 = l * l, lm1 = (l + 1) * (l + 1);
    let q = 0;
    for (let a = 0, Ja = 0, na = 0; a < C; a++) {
      const ca = at(c, lm0 * C + a);
      const sa = at(self, (Ja * L1 + l) * NN + na * N);
      // b = a .. C−1 with its species Jb and radial index nb tracked incrementally (no division)
      let b = a, Jb = Ja, nb = na;
      for (; b + 2 <= C; b += 2, q += 2) {
        let acc = f64x2.splat(0.0);
        let pa = ca, pb = at(c, lm0 * C + b);
        for (let lm = lm0; lm < lm1; lm++, pa += (<usize>C) << 3, pb += (<usize>C) << 3)
          acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(pa), v128.load(pb)));
        let s0 = f64x2.extract_lane(acc, 0), s1 = f64x2.extract_lane(acc, 1);
        if (Jb == Ja) s0 -= f * load<f64>(at(sa, nb));
        if (++nb == N) { nb = 0; Jb++; }
        if (Jb == Ja) s1 -= f * load<f64>(at(sa, nb));
        if (++nb == N) { nb = 0; Jb++; }
        const k = q * L1 + l;
        store<f64>(at(x, k), load<f64>(at(scale, k)) * s0);
        store<f64>(at(x, k + L1), load<f64>(at(scale, k + L1)) * s1);
      }
      for (; b < C; b++, q++) {
        let s = 0.0;
        let pa = ca, pb = at(c, lm0 * C + b);
        for (let lm = lm0; lm < lm1; lm++, pa += (<usize>C) << 3, pb += (<usize>C) << 3) s += load<f64>(pa) * load<f64>(pb);
        if (Jb == Ja) s -= f * load<f64>(at(sa, nb));
        if (++nb == N) { nb = 0; Jb++; }
        const k = q * L1 + l;
        store<f64>(at(x, k), load<f64>(at(scale, k)) * s);
      }
      if (++na == N) { na = 0; Ja++; }
    }
  }
}

// d_{lm,a} = Σ_b a_l[a][b] c_{lm,b} (lanes over a, using a_l[a][b] = a_l[b][a]); also transposed, dt[a·K + lm].
export function psAdjoint(N: i32, L: i32, S: i32, a: usize, c: usize, d: usize, dt: usize): void {
  const C = S * N, CC = C * C, K = (L + 1) * (L + 1);
  for (let l = 0; l <= L; l++) {
    const al = at(a, l * CC);
    for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
      const cr = at(c, lm * C), dr = at(d, lm * C);
      let i = 0;
      for (; i + 2 <= C; i += 2) {
        let acc = f64x2.splat(0.0);
        for (let b = 0; b < C; b++) acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(at(cr, b)), v128.load(at(al, b * C + i))));
        v128.store(at(dr, i), acc);
        store<f64>(at(dt, i * K + lm), f64x2.extract_lane(acc, 0));
        store<f64>(at(dt, (i + 1) * K + lm), f64x2.extract_lane(acc, 1));
      }
      for (; i < C; i++) {
        let s = 0.0;
        const ar = at(al, i * C);
        for (let b = 0; b < C; b++) s += load<f64>(at(ar, b)) * load<f64>(at(cr, b));
        store<f64>(at(dr, i), s);
        store<f64>(at(dt, i * K + lm), s);
      }
    }
  }
}

// Per pair p of a centre: out[4p..4p+3] = (Σ_lm gY_lm ∇Y_lm, Σ_nl gĥ_nl η_l h'_nl) with gY_lm = Σ_n d_{lm,Jn} ĥ_nl and
// gĥ_nl = Σ_m d_{lm,Jn} Y_lm − (2l+1)/(4π) Σ_n' a_l[Jn][Jn'] ĥ_n'l; gh: F scratch.
export function psPairGrad(np: i32, N: i32, L: i32, S: i32, y: usize, dy: usize, h: usize, dh: usize, eta: usize, sp: usize,
  a: usize, d: usize, dt: usize, gh: usize, out: usize): void {
  const L1 = L + 1, K = L1 * L1, C = S * N, CC = C * C, F = L1 * N;
  for (let p = 0; p < np; p++) {
    const J = load<i32>(sp + ((<usize>p) << 2));
    const yp = at(y, p * K), dyp = at(dy, 3 * p * K), hp = at(h, p * F), dhp = at(dh, p * F);
    for (let l = 0; l <= L; l++) {
      const f = -(<f64>(2 * l + 1)) / (4.0 * Math.PI), fs = f64x2.splat(f);
      const Ao = at(a, l * CC + J * N * C + J * N), hl = at(hp, l * N), gl = at(gh, l * N);
      let n = 0;
      for (; n + 2 <= N; n += 2) {
        let acc = f64x2.splat(0.0);
        for (let n2 = 0; n2 < N; n2++) acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(at(hl, n2)), v128.load(at(Ao, n2 * C + n))));
        v128.store(at(gl, n), f64x2.mul(fs, acc));
      }
      for (; n < N; n++) {
        let s = 0.0;
        const ar = at(Ao, n * C);
        for (let n2 = 0; n2 < N; n2++) s += load<f64>(at(ar, n2)) * load<f64>(at(hl, n2));
        store<f64>(at(gl, n), f * s);
      }
    }
    let gx = 0.0, gy = 0.0, gz = 0.0;
    const dtJ = at(dt, J * N * K);
    for (let l = 0; l <= L; l++) {
      const hl = at(hp, l * N), gl = at(gh, l * N);
      let lm = l * l;
      // two m at a time: the gĥ updates in m order, gY of both (lanes; each a sum over n in order) from dt
      for (; lm + 2 <= (l + 1) * (l + 1); lm += 2) {
        const y0 = load<f64>(at(yp, lm)), y1 = load<f64>(at(yp, lm + 1)), ys0 = f64x2.splat(y0), ys1 = f64x2.splat(y1);
        const D0 = at(d, lm * C + J * N), D1 = D0 + ((<usize>C) << 3);
        let n = 0;
        for (; n + 2 <= N; n += 2) {
          const o = (<usize>n) << 3;
          v128.store(gl + o, f64x2.add(f64x2.add(v128.load(gl + o), f64x2.mul(v128.load(D0 + o), ys0)), f64x2.mul(v128.load(D1 + o), ys1)));
        }
        for (; n < N; n++) {
          const o = (<usize>n) << 3;
          store<f64>(gl + o, load<f64>(gl + o) + load<f64>(D0 + o) * y0 + load<f64>(D1 + o) * y1);
        }
        let acc = f64x2.splat(0.0);
        for (n = 0; n < N; n++) acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(at(hl, n)), v128.load(at(dtJ, n * K + lm))));
        const sy0 = f64x2.extract_lane(acc, 0), sy1 = f64x2.extract_lane(acc, 1);
        const g0 = at(dyp, 3 * lm);
        gx += sy0 * load<f64>(g0);
        gy += sy0 * load<f64>(g0, 8);
        gz += sy0 * load<f64>(g0, 16);
        gx += sy1 * load<f64>(g0, 24);
        gy += sy1 * load<f64>(g0, 32);
        gz += sy1 * load<f64>(g0, 40);
      }
      for (; lm < (l + 1) * (l + 1); lm++) {
        const yv = load<f64>(at(yp, lm)), ys = f64x2.splat(yv), Do = at(d, lm * C + J * N);
        let n = 0;
        for (; n + 2 <= N; n += 2) {
          const o = (<usize>n) << 3;
          v128.store(gl + o, f64x2.add(v128.load(gl + o), f64x2.mul(v128.load(Do + o), ys)));
        }
        for (; n < N; n++) {
          const o = (<usize>n) << 3;
          store<f64>(gl + o, load<f64>(gl + o) + load<f64>(Do + o) * yv);
        }
        let sy = 0.0;
        for (n = 0; n < N; n++) sy += load<f64>(at(Do, n)) * load<f64>(at(hl, n));
        const g3 = at(dyp, 3 * lm);
        gx += sy * load<f64>(g3);
        gy += sy * load<f64>(g3, 8);
        gz += sy * load<f64>(g3, 16);
      }
    }
    let radial = 0.0;
    for (let l = 0; l <= L; l++) {
      const e = load<f64>(at(eta, l)), gl = at(gh, l * N), dl = at(dhp, l * N);
      for (let n = 0; n < N; n++) radial += load<f64>(at(gl, n)) * e * load<f64>(at(dl, n));
    }
    const o = at(out, 4 * p);
    store<f64>(o, gx);
    store<f64>(o, gy, 8);
    store<f64>(o, gz, 16);
    store<f64>(o, radial, 24);
  }
}

// Per pair p of a centre (vec: np × 3 pair vectors, rr: np distances): Y_lm(r̂) into y and ĥ_nl = η_l h_nl(r) into h;
// with grad ≠ 0 also ∇_r Y_lm into dy and h'_nl into dh. h_nl from the quintic Hermite table spl (intervals × F × 6,
// powers of t, origin x0, 1/step invStep; zero at r ≥ cutoff); Y_lm by the solid-harmonic recurrences with the
// tables nrm, ra, rb (indexed l·(L+1) + m) and dfact ((2m−1)!!), scratch q, qz, qr ((L+1)²), cs, sn (L+1).
// Same operations in the same order as HermiteSplineSet.evaluate/evaluateWithDerivative and
// SphericalHarmonics.compute/computeWithGradient (src/math), so the values are bitwise theirs.
export function psBasis(np: i32, N: i32, L: i32, vec: usize, rr: usize, grad: i32, spl: usize, intervals: i32, x0: f64,
  invStep: f64, cutoff: f64, eta: usize, nrm: usize, ra: usize, rb: usize, dfact: usize, q: usize, qz: usize, qr: usize,
  cs: usize, sn: usize, y: usize, dy: usize, h: usize, dh: usize): void {
  const L1 = L + 1, K = L1 * L1, F = L1 * N;
  for (let p = 0; p < np; p++) {
    const r = load<f64>(at(rr, p));
    const hp = at(h, p * F), dhp = at(dh, p * F);
    if (r >= cutoff) {
      memory.fill(hp, 0, (<usize>F) << 3);
      if (grad) memory.fill(dhp, 0, (<usize>F) << 3);
    } else {
      const kf = Math.floor((r - x0) * invStep);
      let k = <i32>kf;
      if (kf < 0) k = 0;
      else if (kf >= <f64>intervals) k = intervals - 1;
      const t = (r - x0) * invStep - <f64>k;
      let o = at(spl, k * F * 6);
      for (let l = 0; l <= L; l++) {
        const e = load<f64>(at(eta, l));
        for (let n = 0; n < N; n++, o += 48) {
          const f = l * N + n;
          const a1 = load<f64>(o, 8), a2 = load<f64>(o, 16), a3 = load<f64>(o, 24), a4 = load<f64>(o, 32), a5 = load<f64>(o, 40);
          const v = load<f64>(o) + t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))));
          store<f64>(at(hp, f), e * v);
          if (grad) store<f64>(at(dhp, f), (a1 + t * (2 * a2 + t * (3 * a3 + t * (4 * a4 + t * 5 * a5)))) * invStep);
        }
      }
    }
    // spherical harmonics at the unit vector
    const vx = load<f64>(at(vec, 3 * p)), vy = load<f64>(at(vec, 3 * p + 1)), vz = load<f64>(at(vec, 3 * p + 2));
    const rn = Math.sqrt(vx * vx + vy * vy + vz * vz);
    const x = vx / rn, yy = vy / rn, z = vz / rn;
    store<f64>(cs, 1.0);
    store<f64>(sn, 0.0);
    for (let m = 1; m <= L; m++) {
      const c1 = load<f64>(at(cs, m - 1)), s1 = load<f64>(at(sn, m - 1));
      store<f64>(at(cs, m), x * c1 - yy * s1);
      store<f64>(at(sn, m), x * s1 + yy * c1);
    }
    const yp = at(y, p * K);
    if (!grad) {
      for (let m = 0; m <= L; m++) {
        const qmm = load<f64>(at(dfact, m));
        store<f64>(at(q, m * L1 + m), qmm);
        if (m + 1 <= L) store<f64>(at(q, (m + 1) * L1 + m), <f64>(2 * m + 1) * z * qmm);
        for (let l = m + 2, i0 = l * L1 + m; l <= L; l++, i0 += L1)
          store<f64>(at(q, i0), load<f64>(at(ra, i0)) * z * load<f64>(at(q, i0 - L1)) - load<f64>(at(rb, i0)) * load<f64>(at(q, i0 - 2 * L1)));
      }
      for (let l = 0; l <= L; l++) {
        const base = l * l + l, row = l * L1;
        store<f64>(at(yp, base), load<f64>(at(nrm, row)) * load<f64>(at(q, row)) * load<f64>(cs));
        for (let m = 1; m <= l; m++) {
          const nq = load<f64>(at(nrm, row + m)) * load<f64>(at(q, row + m));
          store<f64>(at(yp, base + m), nq * load<f64>(at(cs, m)));
          store<f64>(at(yp, base - m), nq * load<f64>(at(sn, m)));
        }
      }
      continue;
    }
    const ir = 1 / rn;
    for (let m = 0; m <= L; m++) {
      const qmm = load<f64>(at(dfact, m));
      let i0 = m * L1 + m;
      store<f64>(at(q, i0), qmm); store<f64>(at(qz, i0), 0.0); store<f64>(at(qr, i0), 0.0);
      if (m + 1 <= L) {
        i0 += L1;
        store<f64>(at(q, i0), <f64>(2 * m + 1) * z * qmm);
        store<f64>(at(qz, i0), <f64>(2 * m + 1) * qmm);
        store<f64>(at(qr, i0), 0.0);
      }
      for (let l = m + 2; l <= L; l++) {
        i0 += L1;
        const a = load<f64>(at(ra, i0)), b = load<f64>(at(rb, i0)), i1 = i0 - L1, i2 = i1 - L1;
        const q1 = load<f64>(at(q, i1)), q2 = load<f64>(at(q, i2));
        store<f64>(at(q, i0), a * z * q1 - b * q2);
        store<f64>(at(qz, i0), a * (q1 + z * load<f64>(at(qz, i1))) - b * load<f64>(at(qz, i2)));
        store<f64>(at(qr, i0), a * z * load<f64>(at(qr, i1)) - b * (q2 + load<f64>(at(qr, i2))));
      }
    }
    const x2 = 2 * x, y2 = 2 * yy, z2 = 2 * z;
    const gp = at(dy, 3 * p * K);
    for (let l = 0; l <= L; l++) {
      const base = l * l + l, row = l * L1, lf = <f64>l;
      for (let m = 0; m <= l; m++) {
        const i = row + m, n = load<f64>(at(nrm, i)), Q = load<f64>(at(q, i)), QR = load<f64>(at(qr, i));
        const qx = x2 * QR, qy = y2 * QR, qzz = load<f64>(at(qz, i)) + z2 * QR;
        const cm = load<f64>(at(cs, m)), k = base + m, vk = n * Q * cm, rad = lf * vk;
        store<f64>(at(yp, k), vk);
        const g = at(gp, 3 * k);
        if (m > 0) {
          const mf = <f64>m;
          const c1 = load<f64>(at(cs, m - 1)), s1 = load<f64>(at(sn, m - 1)), sm = load<f64>(at(sn, m)), kk = base - m;
          const vkk = n * Q * sm, radk = lf * vkk;
          store<f64>(g, (n * (qx * cm + Q * (mf * c1)) - rad * x) * ir);
          store<f64>(g, (n * (qy * cm + Q * (-mf * s1)) - rad * yy) * ir, 8);
          store<f64>(g, (n * qzz * cm - rad * z) * ir, 16);
          store<f64>(at(yp, kk), vkk);
          const g2 = at(gp, 3 * kk);
          store<f64>(g2, (n * (qx * sm + Q * (mf * s1)) - radk * x) * ir);
          store<f64>(g2, (n * (qy * sm + Q * (mf * c1)) - radk * yy) * ir, 8);
          store<f64>(g2, (n * qzz * sm - radk * z) * ir, 16);
        } else {
          store<f64>(g, (n * (qx * cm + Q * 0.0) - rad * x) * ir);
          store<f64>(g, (n * (qy * cm + Q * 0.0) - rad * yy) * ir, 8);
          store<f64>(g, (n * qzz * cm - rad * z) * ir, 16);
        }
      }
    }
  }
}

// Radial (2-body) descriptor (src/descriptors/shortRange/radial.ts) over all np pairs of a structure, in order:
// centre ctr[p] (i32), neighbour species sp[p] (i32), distance rr[p]; N functions h_n from the quintic table spl
// (as in psBasis, zero at r ≥ cutoff); rows of width W. Forward (grad = 0): x[i·W + J·N + n] += y00·h_n(r_p).
// Reverse (grad ≠ 0): s[p] = Σ_n g[i·W + J·N + n]·h'_n(r_p). Same operations in the same order as the TS loops.
export function radialPairs(np: i32, N: i32, W: i32, grad: i32, ctr: usize, sp: usize, rr: usize, spl: usize, intervals: i32,
  x0: f64, invStep: f64, cutoff: f64, y00: f64, x: usize, g: usize, s: usize): void {
  for (let p = 0; p < np; p++) {
    const i = load<i32>(ctr + ((<usize>p) << 2)), J = load<i32>(sp + ((<usize>p) << 2));
    const r = load<f64>(at(rr, p));
    const row = i * W + J * N;
    if (r >= cutoff) {
      if (grad) {
        let acc = 0.0;
        for (let n = 0; n < N; n++) acc += load<f64>(at(g, row + n)) * 0.0;
        store<f64>(at(s, p), acc);
      } else {
        for (let n = 0; n < N; n++) store<f64>(at(x, row + n), load<f64>(at(x, row + n)) + y00 * 0.0);
      }
      continue;
    }
    const kf = Math.floor((r - x0) * invStep);
    let k = <i32>kf;
    if (kf < 0) k = 0;
    else if (kf >= <f64>intervals) k = intervals - 1;
    const t = (r - x0) * invStep - <f64>k;
    let o = at(spl, k * N * 6);
    if (grad) {
      let acc = 0.0;
      for (let n = 0; n < N; n++, o += 48) {
        const a1 = load<f64>(o, 8), a2 = load<f64>(o, 16), a3 = load<f64>(o, 24), a4 = load<f64>(o, 32), a5 = load<f64>(o, 40);
        const d = (a1 + t * (2 * a2 + t * (3 * a3 + t * (4 * a4 + t * 5 * a5)))) * invStep;
        acc += load<f64>(at(g, row + n)) * d;
      }
      store<f64>(at(s, p), acc);
    } else {
      for (let n = 0; n < N; n++, o += 48) {
        const v = load<f64>(o) + t * (load<f64>(o, 8) + t * (load<f64>(o, 16) + t * (load<f64>(o, 24) + t * (load<f64>(o, 32) + t * load<f64>(o, 40)))));
        store<f64>(at(x, row + n), load<f64>(at(x, row + n)) + y00 * v);
      }
    }
  }
}

// a_l[a][b] = a_l[b][a] = scale[k]·(vs·u[k]) (twice that for a = b), k = q·(L+1) + l, q over channel pairs a ≤ b
// (row-major): the symmetric upstream matrices of one centre from its upstream row u. Returns 1 if any is non-zero.
export function psUpstream(N: i32, L: i32, S: i32, u: usize, vs: f64, scale: usize, a: usize): i32 {
  const L1 = L + 1, C = S * N, CC = C * C;
  let any = 0, q = 0;
  for (let i = 0; i < C; i++)
    for (let j = i; j < C; j++, q++)
      for (let l = 0; l <= L; l++) {
        const k = q * L1 + l;
        const v = load<f64>(at(scale, k)) * (vs * load<f64>(at(u, k)));
        if (v != 0.0) any = 1;
        if (i == j) store<f64>(at(a, l * CC + i * C + i), 2 * v);
        else {
          store<f64>(at(a, l * CC + i * C + j), v);
          store<f64>(at(a, l * CC + j * C + i), v);
        }
      }
  return any;
}

// ---------------------------------------------------------------------------------------------------------
// Pre-packed B (issue 17): op(B) (k×n) packed once in `gemm`'s own panel layout, for repeated products with the
// same right operand (a model's reference rows). Depth block q (rows pc = q·KC … of op(B), kc = min(KC, k − pc))
// starts at dst + pc·4·⌈n/4⌉ doubles; inside it panel p (columns 4p … 4p+3, zero-padded) holds
// dst[… + p·kc·4 + kk·4 + t] = op(B)[pc + kk][4p + t] — exactly what `gemm` packs per block, so gemmPacked runs the
// same micro-kernel calls on the same data in the same order (bitwise `gemm`).
// ---------------------------------------------------------------------------------------------------------
export function packB(k: i32, n: i32, b: usize, ldb: i32, transB: i32, dst: usize): void {
  const npn = (n + 3) >> 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min<i32>(KC, k - pc);
    const blk = dst + ((<usize>pc * <usize>npn) << 5);
    if (transB) packCols(b, ldb, n, pc, kc, 0, npn, blk);
    else packRows(b, ldb, n, pc, kc, 0, npn, blk);
  }
}

// C (m × n, stride ldc) columns 4·jp0 … min(n, 4·jp1) = beta·C + alpha·op(A)·op(B), op(B) pre-packed by packB
// (k × n); packA: MC·KC doubles. Column panel ranges split the work between threads like `gemm`'s column split.
export function gemmPacked(m: i32, n: i32, k: i32, a: usize, lda: i32, transA: i32, pb: usize, jp0: i32, jp1: i32,
  c: usize, ldc: i32, alpha: f64, beta: f64, packA: usize): void {
  const j0 = 4 * jp0, j1 = min<i32>(n, 4 * jp1);
  if (j1 <= j0) return;
  if (beta != 1.0) {
    for (let i = 0; i < m; i++) {
      const row = c + ((<usize>i * <usize>ldc) << 3);
      if (beta == 0.0) {
        for (let j = j0; j < j1; j++) store<f64>(row + ((<usize>j) << 3), 0.0);
      } else {
        for (let j = j0; j < j1; j++) {
          const q = row + ((<usize>j) << 3);
          store<f64>(q, beta * load<f64>(q));
        }
      }
    }
  }
  if (alpha == 0.0 || m == 0) return;
  const npn = (n + 3) >> 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min<i32>(KC, k - pc);
    const pbytes = (<usize>kc) << 5;
    const blk = pb + ((<usize>pc * <usize>npn) << 5);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min<i32>(MC, m - ic);
      const npm = (mc + 3) >> 2;
      if (transA) packRows(a + (<usize>ic << 3), lda, mc, pc, kc, 0, npm, packA);
      else packCols(a + ((<usize>ic * <usize>lda) << 3), lda, mc, pc, kc, 0, npm, packA);
      for (let jp = jp0; jp < jp1; jp++) {
        const bp = blk + <usize>jp * pbytes;
        const cols = min<i32>(4, n - 4 * jp);
        for (let ip = 0; ip < npm; ip++) {
          const rows = min<i32>(4, mc - 4 * ip);
          const cp = c + ((<usize>(ic + 4 * ip) * <usize>ldc + <usize>(4 * jp)) << 3);
          micro(packA + <usize>ip * pbytes, bp, kc, cp, ldc, alpha, rows, cols);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// gemmPackedT: C (m × n, stride ldc) columns 4·jp0 … min(n, 4·jp1) = beta·C + alpha·op(A)·Bᵀ where B (n × k) is the
// operand a `packB(n, k, …)` call packed (its op(B), n rows = depth, k columns): the product gemm would compute with
// the k × n matrix Bᵀ, read from that one pack (no second pack in the transposed layout; issue 17: a model's
// reference rows serve both S = A·Rᵀ and G = P·R from one pack). Same blocking, the same micro-kernel arithmetic in
// the same order: bitwise `gemm` with Bᵀ. In the pack, the 4 × 4 tile of Bᵀ rows (depth) r … r+3 and columns
// j … j+3 (j, r multiples of 4) is 16 contiguous doubles, row-major over (column, depth): each panel of Bᵀ is
// gathered tile by tile into gemm's panel layout (panelT, transposed in registers) and multiplied by gemm's micro-kernel.
// packA: MC·KC doubles.
// ---------------------------------------------------------------------------------------------------------
// One column panel of Bᵀ (columns j … j+cols−1, depth rows 0 … kc−1) gathered from the pack into gemm's panel layout
// (dst[kk·4 + t] = Bᵀ[kk][j + t], absent columns 0): 4 × 4 tiles (tile rows = columns, lanes = depth; tiles tstride
// bytes apart) transposed in registers. Read once per panel, then served from L1 to every row panel of A.
function panelT(pt: usize, tstride: usize, kc: i32, cols: i32, dst: usize): void {
  let k = 0;
  if (cols == 4) {
    for (; k + 4 <= kc; k += 4) {
      const r0 = v128.load(pt), r0b = v128.load(pt, 16);
      const r1 = v128.load(pt, 32), r1b = v128.load(pt, 48);
      const r2 = v128.load(pt, 64), r2b = v128.load(pt, 80);
      const r3 = v128.load(pt, 96), r3b = v128.load(pt, 112);
      v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2));
      v128.store(dst, v128.shuffle<f64>(r2, r3, 0, 2), 16);
      v128.store(dst, v128.shuffle<f64>(r0, r1, 1, 3), 32);
      v128.store(dst, v128.shuffle<f64>(r2, r3, 1, 3), 48);
      v128.store(dst, v128.shuffle<f64>(r0b, r1b, 0, 2), 64);
      v128.store(dst, v128.shuffle<f64>(r2b, r3b, 0, 2), 80);
      v128.store(dst, v128.shuffle<f64>(r0b, r1b, 1, 3), 96);
      v128.store(dst, v128.shuffle<f64>(r2b, r3b, 1, 3), 112);
      dst += 128;
      pt += tstride;
    }
  }
  // the rest (a partial tile of depth rows, or an edge panel with fewer columns): one depth row at a time
  for (; k < kc; k++) {
    const base = pt + ((<usize>(k & 3)) << 3);
    for (let t = 0; t < 4; t++) store<f64>(dst + ((<usize>t) << 3), t < cols ? load<f64>(base + ((<usize>t) << 5)) : 0.0);
    dst += 32;
    if ((k & 3) == 3) pt += tstride;
  }
}

// The pack was made by packB(kp = n, np = k, …): depth blocks of KC over its kp rows (= columns j of C), panels of 4
// over its np columns (= depth r of this product). panel: KC·4 doubles of scratch.
export function gemmPackedT(m: i32, n: i32, k: i32, a: usize, lda: i32, transA: i32, pb: usize, jp0: i32, jp1: i32,
  c: usize, ldc: i32, alpha: f64, beta: f64, packA: usize, panel: usize): void {
  const j0 = 4 * jp0, j1 = min<i32>(n, 4 * jp1);
  if (j1 <= j0) return;
  if (beta != 1.0) {
    for (let i = 0; i < m; i++) {
      const row = c + ((<usize>i * <usize>ldc) << 3);
      if (beta == 0.0) {
        for (let j = j0; j < j1; j++) store<f64>(row + ((<usize>j) << 3), 0.0);
      } else {
        for (let j = j0; j < j1; j++) {
          const q = row + ((<usize>j) << 3);
          store<f64>(q, beta * load<f64>(q));
        }
      }
    }
  }
  if (alpha == 0.0 || m == 0) return;
  const npk = (k + 3) >> 2; // panels of the pack (over this product's depth)
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min<i32>(KC, k - pc);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min<i32>(MC, m - ic);
      const npm = (mc + 3) >> 2;
      if (transA) packRows(a + (<usize>ic << 3), lda, mc, pc, kc, 0, npm, packA);
      else packCols(a + ((<usize>ic * <usize>lda) << 3), lda, mc, pc, kc, 0, npm, packA);
      const pbytes = (<usize>kc) << 5;
      for (let jp = jp0; jp < jp1; jp++) {
        const j = 4 * jp, cols = min<i32>(4, n - j);
        // pack block of rows j (depth block fb of the pack), its depth kcb; panel pc/4, row j − fb
        const fb = (j / KC) * KC, kcb = min<i32>(KC, n - fb);
        const tstride = (<usize>kcb) << 5;
        panelT(pb + ((<usize>fb * <usize>npk) << 5) + <usize>(pc >> 2) * tstride + ((<usize>(j - fb)) << 5), tstride, kc, cols, panel);
        for (let ip = 0; ip < npm; ip++) {
          const rows = min<i32>(4, mc - 4 * ip);
          const cp = c + ((<usize>(ic + 4 * ip) * <usize>ldc + <usize>j) << 3);
          micro(packA + <usize>ip * pbytes, panel, kc, cp, ldc, alpha, rows, cols);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Angular pair Jacobians (issue 17 goal 6; reference: AngularDescriptor.centreJacobian in
// src/descriptors/shortRange/angular.ts). Per pair k of one centre (np pairs, neighbour species sp[k], pair vector
// vec[3k..], distance rr[k]; y, dy, h = ĥ, dh = h' from psBasis with grad; c: K × C of the centre):
//   dc[α][n][lm] = (η_l h'_nl)·r̂_α·Y_lm + ĥ_nl·∂_α Y_lm,   E[α][n][l][b] = Σ_m dc[α][n][lm] c[lm][b] (m in order,
//   terms with dc = 0 skipped as in TS), then row 3k + α of jac (width W = C(C+1)/2·(L+1)), column q·(L+1) + l:
//   scale·(E[α][n_a][l][b] (a of species J) + E[α][n_b][l][a] (b of species J) − (2l+1)/(4π)(dĥ_a ĥ_b + ĥ_a dĥ_b) r̂_α
//   (both of J)), 0 when neither channel has species J. dhf: F scratch. Lanes over b in E only (independent outputs),
//   every other value with the TS operations in the TS order: bitwise the TS path.
// ---------------------------------------------------------------------------------------------------------
export function psJacobian(np: i32, N: i32, L: i32, S: i32, y: usize, dy: usize, h: usize, dh: usize, eta: usize, sp: usize,
  vec: usize, rr: usize, c: usize, scale: usize, dhf: usize, dc: usize, e: usize, jac: usize): void {
  const L1 = L + 1, K = L1 * L1, C = S * N, F = L1 * N, W = ((C * (C + 1)) >> 1) * L1;
  for (let p = 0; p < np; p++) {
    const J = load<i32>(sp + ((<usize>p) << 2));
    const r = load<f64>(at(rr, p));
    const yp = at(y, p * K), dyp = at(dy, 3 * p * K), hp = at(h, p * F), dhp = at(dh, p * F);
    for (let l = 0; l <= L; l++) {
      const el = load<f64>(at(eta, l));
      for (let n = 0; n < N; n++) store<f64>(at(dhf, l * N + n), el * load<f64>(at(dhp, l * N + n)));
    }
    // dc[α][n][lm]
    for (let al = 0; al < 3; al++) {
      const ua = load<f64>(at(vec, 3 * p + al)) / r;
      for (let n = 0; n < N; n++) {
        const o = at(dc, (al * N + n) * K);
        for (let l = 0; l <= L; l++) {
          const f = l * N + n, df = load<f64>(at(dhf, f)), hv = load<f64>(at(hp, f));
          for (let lm = l * l; lm < (l + 1) * (l + 1); lm++)
            store<f64>(at(o, lm), df * ua * load<f64>(at(yp, lm)) + hv * load<f64>(at(dyp, 3 * lm + al)));
        }
      }
    }
    // E[α][n][l][b] = Σ_m dc[α][n][lm] c[lm][b]
    for (let an = 0; an < 3 * N; an++) {
      const d0 = at(dc, an * K);
      for (let l = 0; l <= L; l++) {
        const eo = at(e, (an * L1 + l) * C);
        memory.fill(eo, 0, (<usize>C) << 3);
        for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
          const d = load<f64>(at(d0, lm));
          if (d == 0.0) continue;
          const ds = f64x2.splat(d), cr = at(c, lm * C);
          let b = 0;
          for (; b + 2 <= C; b += 2) {
            const o = (<usize>b) << 3;
            v128.store(eo + o, f64x2.add(v128.load(eo + o), f64x2.mul(ds, v128.load(cr + o))));
          }
          for (; b < C; b++) {
            const o = (<usize>b) << 3;
            store<f64>(eo + o, load<f64>(eo + o) + d * load<f64>(cr + o));
          }
        }
      }
    }
    // rows 3p + α
    for (let al = 0; al < 3; al++) {
      const ua = load<f64>(at(vec, 3 * p + al)) / r;
      const row = at(jac, (3 * p + al) * W);
      let q = 0;
      for (let a = 0; a < C; a++) {
        const Ja = a / N, na = a % N, inA = Ja == J;
        for (let b = a; b < C; b++, q++) {
          const Jb = b / N, nb = b % N, inB = Jb == J;
          const col = at(row, q * L1);
          if (!inA && !inB) {
            memory.fill(col, 0, (<usize>L1) << 3);
            continue;
          }
          for (let l = 0; l <= L; l++) {
            let s = 0.0;
            if (inA) s += load<f64>(at(e, ((al * N + na) * L1 + l) * C + b));
            if (inB) s += load<f64>(at(e, ((al * N + nb) * L1 + l) * C + a));
            if (inA && inB) {
              const fa = l * N + na, fb = l * N + nb;
              s -= ((<f64>(2 * l + 1)) / (4.0 * Math.PI)) *
                (load<f64>(at(dhf, fa)) * load<f64>(at(hp, fb)) + load<f64>(at(hp, fa)) * load<f64>(at(dhf, fb))) * ua;
            }
            store<f64>(at(col, l), load<f64>(at(scale, q * L1 + l)) * s);
          }
        }
      }
    }
  }
}
