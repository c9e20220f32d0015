/**
 * Projection of a Gaussian-smeared, cutoff-weighted neighbour onto χ_nl Y_lm (science.md §1.1, §1.3):
 *
 *   c_nlm = Σ_j Y_lm(r̂_ij) h_nl(r_ij),
 *   h_nl(r) = 4π/(2πσ²)^{3/2} · f_cut(r) · ∫₀^R χ_nl(r') k_l(r, r') r'² dr',
 *   k_l(r, r') = e^{−(r²+r'²)/2σ²} i_l(rr'/σ²) = e^{−(r−r')²/2σ²} ĩ_l(rr'/σ²),   f_cut(r) = ½[cos(πr/R) + 1],
 * with ĩ_l = e^{−x} i_l(x) (math/special/besselModified; overflow-safe). σ → 0: h_nl(r) → f_cut(r) χ_nl(r).
 * Units: r, σ, R in Å; h in Å^(−3/2) (as χ).
 *
 * Radial derivatives (for the spline nodes), using i_l' = [l i_{l−1} + (l+1) i_{l+1}]/(2l+1) (regular at r = 0):
 *   κ'_l = [l k_{l−1} + (l+1) k_{l+1}]/(2l+1),  κ''_l = [l κ'_{l−1} + (l+1) κ'_{l+1}]/(2l+1),  B = r'/σ²,
 *   ∂_r k_l = −(r/σ²) k_l + B κ'_l,   ∂²_r k_l = −k_l/σ² − (r/σ²) ∂_r k_l + B(−(r/σ²) κ'_l + B κ''_l).
 * Direct evaluation: composite Gauss–Legendre in r' on [0, R] (panels ≤ σ/2 and ≤ 1/(2 q_max), 16 nodes each; the
 * nodes are fixed, so χ_nl r'² w is precomputed once). Accuracy ~1e-14 (tested against scipy quad).
 * Tabulation: quintic Hermite spline of h_nl on [0, R] (values, h', h'' at the nodes), grid doubled until the error
 * at every interval midpoint (against direct evaluation) is ≤ `tolerance` (default 1e-10, absolute, Å^(−3/2)).
 * Spline derivative = exact derivative of the interpolant, so gradients match finite differences of the features.
 * Cost of tabulation: O(grid · nodes · (lmax+1) · nmax), tens of ms; memoised per (R, σ, nmax, lmax, tolerance),
 * at most 16 tables (pure and immutable, see `gaussianProjection`).
 * Stored tables (issue 17, model load): `table()` exports the accepted node data (h, h', h'' at the grid nodes) with
 * the key and GAUSSIAN_PROJECTION_TABLE_VERSION; `withGaussianProjectionTables(tables, build)` lets the projections
 * requested while `build` runs take a matching stored table instead of tabulating (model/modelFile.ts stores them in
 * the model file). The spline is a function of the node data only, so a stored table gives the features of a fresh
 * tabulation bit for bit; a table of another version, key or shape is not used (tabulated afresh instead).
 */
import { FarfieldError } from '../../core/index.js';
import { compositeGaussLegendre, HermiteSplineSet, scaledModifiedSphericalBesselIArray } from '../../math/index.js';
import { SphericalBesselBasis } from './sphericalBessel.js';

/** f_cut(r) = ½[cos(πr/R) + 1] for r < R, else 0. */
export function cosineCutoff(r: number, cutoffA: number): number {
  return r < cutoffA ? 0.5 * (Math.cos((Math.PI * r) / cutoffA) + 1) : 0;
}

export interface GaussianProjectionOptions {
  /** Target max |spline − direct| (Å^(−3/2)); default 1e-10. */
  tolerance?: number;
}

/** Direct evaluation of h_nl, h_nl', h_nl'' by quadrature (no tabulation). */
export class GaussianProjectionIntegrator {
  readonly basis: SphericalBesselBasis;
  readonly smearingA: number;
  readonly cutoffA: number;
  readonly nmax: number;
  readonly lmax: number;
  /** Number of functions (lmax+1)·nmax, index l·nmax + n − 1. */
  readonly functions: number;
  /** Quadrature panel width (Å): ≤ σ/2 and ≤ 1/(2 q_max). */
  readonly panelWidthA: number;
  private readonly nodes: Float64Array;
  /** χ_nl(r'_q) r'_q² w_q, [q][l·nmax+n]. */
  private readonly weights: Float64Array;
  private readonly kbuf: Float64Array;

  constructor(cutoffA: number, smearingA: number, nmax: number, lmax: number) {
    if (!(smearingA > 0) || !Number.isFinite(smearingA)) throw new FarfieldError('INVALID_INPUT', `Gaussian projection: smearing σ must be > 0 Å, got ${smearingA}`);
    this.basis = new SphericalBesselBasis(cutoffA, nmax, lmax);
    this.smearingA = smearingA;
    this.cutoffA = cutoffA;
    this.nmax = nmax;
    this.lmax = lmax;
    this.functions = (lmax + 1) * nmax;
    let qmax = 0;
    for (const q of this.basis.q) qmax = Math.max(qmax, q);
    this.panelWidthA = Math.min(0.5 * smearingA, 0.5 / qmax);
    const panels = Math.max(4, Math.ceil(cutoffA / this.panelWidthA));
    const rule = compositeGaussLegendre(0, cutoffA, panels, 16);
    this.nodes = rule.nodes;
    const F = this.functions, Q = rule.nodes.length;
    this.weights = new Float64Array(Q * F);
    const chi = new Float64Array(F);
    for (let q = 0; q < Q; q++) {
      const rp = rule.nodes[q];
      this.basis.values(rp, chi);
      for (let f = 0; f < F; f++) this.weights[q * F + f] = chi[f] * rp * rp * rule.weights[q];
    }
    this.kbuf = new Float64Array(lmax + 3);
  }

  /**
   * Direct evaluation (quadrature) of h_nl(r), h_nl'(r), h_nl''(r) for all (n, l) into the three arrays
   * (length `functions`, index l·nmax + n − 1). 0 ≤ r; all zero for r > R (at r = R, h = h' = 0 but h'' ≠ 0).
   */
  direct(r: number, h: Float64Array, dh: Float64Array, d2h: Float64Array): void {
    const F = this.functions, L = this.lmax, N = this.nmax, R = this.cutoffA;
    h.fill(0, 0, F); dh.fill(0, 0, F); d2h.fill(0, 0, F);
    if (r > R) return;
    const s2 = this.smearingA * this.smearingA, is2 = 1 / s2;
    const k = this.kbuf; // k_0..k_{L+2}
    const kp = new Float64Array(L + 2), kpp = new Float64Array(L + 1);
    const g0 = new Float64Array(L + 1), g1 = new Float64Array(L + 1), g2 = new Float64Array(L + 1);
    for (let q = 0; q < this.nodes.length; q++) {
      const rp = this.nodes[q];
      const e = Math.exp(-0.5 * (r - rp) * (r - rp) * is2);
      if (e === 0) continue;
      scaledModifiedSphericalBesselIArray(L + 2, r * rp * is2, k);
      for (let l = 0; l <= L + 2; l++) k[l] *= e;
      for (let l = 0; l <= L + 1; l++) kp[l] = ((l > 0 ? l * k[l - 1] : 0) + (l + 1) * k[l + 1]) / (2 * l + 1);
      for (let l = 0; l <= L; l++) kpp[l] = ((l > 0 ? l * kp[l - 1] : 0) + (l + 1) * kp[l + 1]) / (2 * l + 1);
      const B = rp * is2, a = r * is2;
      for (let l = 0; l <= L; l++) {
        const d1 = -a * k[l] + B * kp[l];
        g0[l] = k[l];
        g1[l] = d1;
        g2[l] = -k[l] * is2 - a * d1 + B * (-a * kp[l] + B * kpp[l]);
      }
      const w = this.weights, o = q * F;
      for (let l = 0; l <= L; l++) {
        const a0 = g0[l], a1 = g1[l], a2 = g2[l];
        for (let n = 0; n < N; n++) {
          const f = l * N + n, c = w[o + f];
          h[f] += c * a0;
          dh[f] += c * a1;
          d2h[f] += c * a2;
        }
      }
    }
    const pref = (4 * Math.PI) / Math.pow(2 * Math.PI * s2, 1.5);
    const fc = 0.5 * (Math.cos((Math.PI * r) / R) + 1);
    const fc1 = -0.5 * (Math.PI / R) * Math.sin((Math.PI * r) / R);
    const fc2 = -0.5 * (Math.PI / R) ** 2 * Math.cos((Math.PI * r) / R);
    for (let f = 0; f < F; f++) {
      const g = h[f], gd = dh[f], gdd = d2h[f];
      h[f] = pref * fc * g;
      dh[f] = pref * (fc1 * g + fc * gd);
      d2h[f] = pref * (fc2 * g + 2 * fc1 * gd + fc * gdd);
    }
  }

}

/**
 * Version of the tabulation (quadrature, starting grid, doubling, acceptance test, node order). A stored table is used
 * only when its version equals this one: bump it with any change that can alter a bit of a table (the fingerprint
 * test in test/descriptors/radial/projectionTables.test.ts fails until you do), and model files written before
 * then tabulate afresh at load.
 */
export const GAUSSIAN_PROJECTION_TABLE_VERSION = 1;

/** The accepted tabulation of one GaussianProjection, as stored in a model file. */
export interface GaussianProjectionTable {
  /** GAUSSIAN_PROJECTION_TABLE_VERSION of the code that tabulated it. */
  version: number;
  cutoffA: number;
  smearingA: number;
  nmax: number;
  lmax: number;
  tolerance: number;
  /** Grid intervals on [0, R]. */
  intervals: number;
  /** Largest midpoint error when the grid was accepted (Å^(−3/2)). */
  splineError: number;
  /** Node data, 3 × (intervals+1) × functions: h, then h', then h'' (each row-major by node). */
  nodes: Float64Array;
}

/** Key of the memo and of stored tables. */
function projectionKey(cutoffA: number, smearingA: number, nmax: number, lmax: number, tolerance: number): string {
  return `${cutoffA}|${smearingA}|${nmax}|${lmax}|${tolerance}`;
}

/** True when `t` is a well-formed table of this version for the key (shape and finiteness; the caller checks integrity). */
function usableTable(t: GaussianProjectionTable, cutoffA: number, smearingA: number, nmax: number, lmax: number, tolerance: number): boolean {
  if (t.version !== GAUSSIAN_PROJECTION_TABLE_VERSION || t.cutoffA !== cutoffA || t.smearingA !== smearingA || t.nmax !== nmax || t.lmax !== lmax || t.tolerance !== tolerance) return false;
  if (!Number.isInteger(t.intervals) || t.intervals < 1 || t.intervals > 1 << 16 || !(t.splineError <= tolerance)) return false;
  if (!(t.nodes instanceof Float64Array) || t.nodes.length !== 3 * (t.intervals + 1) * (lmax + 1) * nmax) return false;
  for (let i = 0; i < t.nodes.length; i++) if (!Number.isFinite(t.nodes[i])) return false;
  return true;
}

export class GaussianProjection {
  readonly smearingA: number;
  readonly cutoffA: number;
  readonly nmax: number;
  readonly lmax: number;
  /** Number of functions (lmax+1)·nmax, index l·nmax + n − 1. */
  readonly functions: number;
  /** Quintic Hermite tabulation of all h_nl on [0, R]. */
  readonly spline: HermiteSplineSet;
  /** Largest midpoint error found when the tabulation was accepted. */
  readonly splineError: number;

  /** Tolerance the grid was accepted at. */
  readonly tolerance: number;
  /** Node data of the spline (see GaussianProjectionTable.nodes). */
  private readonly nodeData: Float64Array;
  private integ: GaussianProjectionIntegrator | null = null;

  /**
   * Tabulate — or, with `stored` (a table of this version for the same key, see `usableTable`), take its node data
   * without any quadrature (the spline is the same bit for bit).
   */
  constructor(cutoffA: number, smearingA: number, nmax: number, lmax: number, options: GaussianProjectionOptions = {}, stored?: GaussianProjectionTable) {
    this.smearingA = smearingA;
    this.cutoffA = cutoffA;
    this.nmax = nmax;
    this.lmax = lmax;
    const F = (this.functions = (lmax + 1) * nmax);
    const tol = (this.tolerance = options.tolerance ?? 1e-10);
    if (stored && usableTable(stored, cutoffA, smearingA, nmax, lmax, tol)) {
      const G = stored.intervals, n = (G + 1) * F, d = stored.nodes;
      this.nodeData = d;
      this.spline = HermiteSplineSet.fromNodes(0, cutoffA, G, F, d.subarray(0, n), d.subarray(n, 2 * n), d.subarray(2 * n, 3 * n));
      this.splineError = stored.splineError;
      return;
    }
    const integ = this.integrator;
    // Tabulate, doubling the grid until the midpoint error is below tol. The nodes of a doubled grid are the old nodes
    // and the old midpoints, at bit-identical abscissae (R·2j/2G = R·j/G and R·(2j+1)/2G = (j+½)·R/G in floating point:
    // scaling by 2 is exact), so their direct values are carried over instead of recomputed — half the quadratures of
    // a model load, the same tables bit for bit.
    let intervals = Math.max(8, Math.ceil(cutoffA / integ.panelWidthA));
    let nv = new Float64Array((intervals + 1) * F), na = new Float64Array((intervals + 1) * F), nb = new Float64Array((intervals + 1) * F);
    const v = new Float64Array(F), d1 = new Float64Array(F), d2 = new Float64Array(F), sv = new Float64Array(F);
    for (let k = 0; k <= intervals; k++) {
      integ.direct(0 + (cutoffA * k) / intervals, v, d1, d2);
      nv.set(v, k * F); na.set(d1, k * F); nb.set(d2, k * F);
    }
    for (;;) {
      const spline = HermiteSplineSet.fromNodes(0, cutoffA, intervals, F, nv, na, nb);
      const mv = new Float64Array(intervals * F), ma = new Float64Array(intervals * F), mb = new Float64Array(intervals * F);
      let err = 0;
      for (let k = 0; k < intervals; k++) {
        const r = ((k + 0.5) * cutoffA) / intervals;
        integ.direct(r, v, d1, d2);
        mv.set(v, k * F); ma.set(d1, k * F); mb.set(d2, k * F);
        spline.evaluate(r, sv);
        for (let f = 0; f < F; f++) err = Math.max(err, Math.abs(sv[f] - v[f]));
      }
      if (err <= tol || intervals >= 1 << 16) {
        if (err > tol) throw new FarfieldError('NUMERIC', `Gaussian projection: spline error ${err} > ${tol} with ${intervals} intervals`);
        this.spline = spline;
        this.splineError = err;
        const n = (intervals + 1) * F;
        this.nodeData = new Float64Array(3 * n);
        this.nodeData.set(nv, 0); this.nodeData.set(na, n); this.nodeData.set(nb, 2 * n);
        break;
      }
      const G = intervals;
      intervals *= 2;
      const wv = new Float64Array((intervals + 1) * F), wa = new Float64Array((intervals + 1) * F), wb = new Float64Array((intervals + 1) * F);
      for (let k = 0; k <= G; k++) {
        wv.set(nv.subarray(k * F, (k + 1) * F), 2 * k * F); wa.set(na.subarray(k * F, (k + 1) * F), 2 * k * F); wb.set(nb.subarray(k * F, (k + 1) * F), 2 * k * F);
        if (k < G) {
          wv.set(mv.subarray(k * F, (k + 1) * F), (2 * k + 1) * F); wa.set(ma.subarray(k * F, (k + 1) * F), (2 * k + 1) * F); wb.set(mb.subarray(k * F, (k + 1) * F), (2 * k + 1) * F);
        }
      }
      nv = wv; na = wa; nb = wb;
    }
  }

  /** The quadrature (built on first use: a projection from a stored table needs none). */
  get integrator(): GaussianProjectionIntegrator {
    return (this.integ ??= new GaussianProjectionIntegrator(this.cutoffA, this.smearingA, this.nmax, this.lmax));
  }

  /** The accepted tabulation, for storing (the node array is shared, not copied: do not modify it). */
  table(): GaussianProjectionTable {
    const { cutoffA, smearingA, nmax, lmax, tolerance, splineError } = this;
    return { version: GAUSSIAN_PROJECTION_TABLE_VERSION, cutoffA, smearingA, nmax, lmax, tolerance, intervals: this.spline.intervals, splineError, nodes: this.nodeData };
  }

  /** Direct (quadrature) h, h', h'' — see GaussianProjectionIntegrator.direct. */
  direct(r: number, h: Float64Array, dh: Float64Array, d2h: Float64Array): void {
    this.integrator.direct(r, h, dh, d2h);
  }

  /** Spline values h_nl(r) (0 for r ≥ R) into out (length `functions`). */
  evaluate(r: number, out: Float64Array): void {
    if (r >= this.cutoffA) out.fill(0, 0, this.functions);
    else this.spline.evaluate(r, out);
  }

  /** Spline values and derivatives h_nl(r), h_nl'(r) (0 for r ≥ R). */
  evaluateWithDerivative(r: number, out: Float64Array, dout: Float64Array): void {
    if (r >= this.cutoffA) {
      out.fill(0, 0, this.functions);
      dout.fill(0, 0, this.functions);
    } else this.spline.evaluateWithDerivative(r, out, dout);
  }
}

/**
 * Memo of tabulations, least recently used dropped beyond MEMO_SIZE. It holds pure constant tables only: a
 * GaussianProjection is a deterministic function of its key and immutable after construction, so sharing one
 * between descriptors changes no value; the bound keeps a long-running process (hyper-parameter scans) from growing.
 */
const MEMO_SIZE = 16;
const memo = new Map<string, GaussianProjection>();

/** Stored tables offered by `withGaussianProjectionTables` (innermost call first), by key. */
const offered: Map<string, GaussianProjectionTable>[] = [];
/** Projections handed out while `recordGaussianProjections` runs (innermost last). */
const recorders: Set<GaussianProjection>[] = [];
/** Tabulations run (quadrature), stored tables taken: for tests and benches. */
export const gaussianProjectionCounts = { tabulated: 0, fromTable: 0 };

/** Tabulation for (R, σ, nmax, lmax, tolerance): descriptors built with equal hypers share it (bounded memo). */
export function gaussianProjection(cutoffA: number, smearingA: number, nmax: number, lmax: number, options: GaussianProjectionOptions = {}): GaussianProjection {
  const tolerance = options.tolerance ?? 1e-10;
  const key = projectionKey(cutoffA, smearingA, nmax, lmax, tolerance);
  let p = memo.get(key);
  if (p) memo.delete(key); // most recently used last
  else {
    let stored: GaussianProjectionTable | undefined;
    for (let i = offered.length - 1; i >= 0 && !stored; i--) {
      const t = offered[i].get(key);
      if (t && usableTable(t, cutoffA, smearingA, nmax, lmax, tolerance)) stored = t;
    }
    p = new GaussianProjection(cutoffA, smearingA, nmax, lmax, options, stored);
    if (stored) gaussianProjectionCounts.fromTable++;
    else gaussianProjectionCounts.tabulated++;
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  }
  memo.set(key, p);
  for (const r of recorders) r.add(p);
  return p;
}

/**
 * Run `build` with stored tables on offer: a projection it requests that is not memoised takes a matching table
 * (same key and version, well-formed) instead of tabulating; others tabulate as usual. The caller vouches for the
 * tables' integrity (model files: SHA-256 of every array).
 */
export function withGaussianProjectionTables<T>(tables: readonly GaussianProjectionTable[], build: () => T): T {
  if (tables.length === 0) return build();
  const m = new Map<string, GaussianProjectionTable>();
  for (const t of tables) m.set(projectionKey(t.cutoffA, t.smearingA, t.nmax, t.lmax, t.tolerance), t);
  offered.push(m);
  try {
    return build();
  } finally {
    offered.pop();
  }
}

/** Run `build` and return, with its result, the projections it requested (each once, in first-request order). */
export function recordGaussianProjections<T>(build: () => T): { result: T; projections: GaussianProjection[] } {
  const seen = new Set<GaussianProjection>();
  recorders.push(seen);
  try {
    const result = build();
    return { result, projections: [...seen] };
  } finally {
    recorders.splice(recorders.indexOf(seen), 1);
  }
}

/** Drop every memoised tabulation (tests and benches: the next request tabulates or takes a stored table). */
export function clearGaussianProjectionMemo(): void {
  memo.clear();
}
