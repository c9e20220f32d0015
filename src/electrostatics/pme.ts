/**
 * Smooth particle-mesh Ewald (Essmann et al., JCP 103, 8577 (1995); science.md §3.6) for any FourierKernel:
 * the same forward/reverse contract as `ewaldReciprocal`, with structure factors replaced by B-spline interpolation.
 *
 * Fractional coordinates s = r A⁻¹, scaled u_d = K_d s_d (mesh K1 × K2 × K3). Cardinal B-splines M_p (order p):
 *   M_2(x) = 1 − |x − 1| on [0, 2];  M_p(x) = [x M_{p−1}(x) + (p − x) M_{p−1}(x − 1)]/(p − 1);  M_p' = M_{p−1}(x) − M_{p−1}(x − 1).
 * Spread: Q^c(g) = Σ_j w_j^c Π_d M_p(u_jd − g_d) (periodic). With Q̂ = DFT(Q) (sign −) and the Euler-spline factor
 *   B(m) = Π_d |b_d(m_d)|²,  |b_d(m)|⁻² = |Σ_{k=0}^{p−2} M_p(k+1) e^{2πi m k/K_d}|²,
 * the potential on the mesh is Φ_Q = (1/V) DFT⁻¹[F(G_m) B(m) Q̂(m)] (unnormalised inverse; G_m = Σ_d m'_d b_d with
 * m'_d the signed index in (−K_d/2, K_d/2)); the Nyquist planes m_d = K_d/2 are dropped (their ±G are not symmetric in
 * a triclinic cell), and the k = 0 term is kept only if includeZero. Gather: φ_i^c = Σ_g M_i(g) Φ_Q^c(g).
 * Reverse pass (probes u): L = Σ_i u_i φ_i = (1/V) Σ_m F B Re[Q̂ Û*], U = spread of u; Φ_U = K U;
 *   ∂L/∂r_k = Σ_g ∇_k M_k(g) [w_k Φ_U(g) + u_k Φ_Q(g)],  ∇_k M via M_p' and ∂u_d/∂r_a = K_d (A⁻¹)_{ad};
 *   ∂L/∂ε_αβ = −δ_αβ L − (2/V) Σ_m F'(G²) G_α G_β B Re[Q̂ Û*]  (Q, U depend on fractional coordinates only).
 * Implementation: the meshes are real, so every transform is real-to-complex (math/fftMixed.ts, mesh lengths
 * 2^a 3^b 5^c 7^d; half spectrum m3 ≤ K3/2 when K3 is even, sums over m weighted 2 for 0 < m3 < K3/2).
 * When the probes are proportional to the sources channel by channel (u = λ_c w, e.g. u = q/2 for energy and
 * forces) U = λ_c Q, so one transform pair per channel suffices: L = λ_c Σ_m F B |Q̂|²/V and
 * ∂L/∂r_k = 2 λ_c w_k ∇M_k·Φ_Q. Otherwise Q and U are transformed separately. Spline weights and wrapped mesh
 * indices are computed once per call; spread and gather of an atom whose points do not wrap along direction 3 run
 * the kernels of pmeKernels.ts, unrolled along that direction for orders 5–8 (generated, same operations). Cost O(N p³ C + M log M · C), M = K1 K2 K3.
 * State between calls (the FFT plan, the influence function, the scratch meshes) lives in a `PmeWorkspace` the
 * caller owns (an ElectrostaticsCalculator, a descriptor's workspace); without one, each call builds its own.
 * With probes and a workspace of kernels 'auto' (not pooled), the spline weights, spreading, the real FFT (even K3,
 * factors 2, 3, 5), the energy filter (proportional probes, no strain) and the gathering run in WebAssembly SIMD
 * (pmeWasm.ts, assembly/pme.ts) on spline data and meshes in its memory: bitwise the loops here except the
 * gathering, which sums in two lanes (rounding only).
 */
import { FarfieldError, inv3, reciprocalCell } from '../core/index.js';
import { realTransform3d, type RealTransform3d } from '../math/index.js';
import { GATHER_FLAT, GATHER_VALUE_FLAT, SPLINE_WEIGHTS, SPREAD_FLAT } from './pmeKernels.js';
import { PmeMeshWasm } from './pmeWasm.js';
import { checkRequest, type ReciprocalRequest, type ReciprocalResult } from './reciprocal.js';

export interface PmeParameters {
  mesh: [number, number, number];
  /** B-spline order p (2 … 12; even orders recommended). */
  order: number;
}

/** Cardinal B-spline M_p(x) (direct recursion; for tables and tests). */
export function bspline(p: number, x: number): number {
  if (x <= 0 || x >= p) return 0;
  if (p === 2) return 1 - Math.abs(x - 1);
  return (x * bspline(p - 1, x) + (p - x) * bspline(p - 1, x - 1)) / (p - 1);
}

/** Values θ_j = M_p(fr + j) and derivatives for j = 0 … p−1 (fr ∈ [0, 1)). */
function splineWeights(p: number, fr: number, th: Float64Array, dth: Float64Array, o: number): void {
  // order 2
  th[o] = fr;
  th[o + 1] = 1 - fr;
  for (let j = 2; j < p; j++) th[o + j] = 0;
  for (let n = 3; n <= p; n++) {
    if (n === p) {
      // derivative of M_p from M_{p−1}: M_p'(x) = M_{p−1}(x) − M_{p−1}(x − 1)
      dth[o] = th[o];
      for (let j = 1; j < p; j++) dth[o + j] = th[o + j] - th[o + j - 1];
    }
    const inv = 1 / (n - 1);
    for (let j = n - 1; j >= 1; j--) th[o + j] = ((fr + j) * th[o + j] + (n - fr - j) * th[o + j - 1]) * inv;
    th[o] = fr * th[o] * inv;
  }
  if (p === 2) {
    dth[o] = 1;
    dth[o + 1] = -1;
  }
}

/** |b(m)|² for one direction, length K (0 where the denominator vanishes, odd p at m = K/2). */
function eulerFactor(p: number, K: number): Float64Array {
  const out = new Float64Array(K);
  const Mk = new Float64Array(p);
  for (let k = 0; k <= p - 2; k++) Mk[k] = bspline(p, k + 1);
  for (let m = 0; m < K; m++) {
    let re = 0, im = 0;
    for (let k = 0; k <= p - 2; k++) {
      const a = (2 * Math.PI * m * k) / K;
      re += Mk[k] * Math.cos(a);
      im += Mk[k] * Math.sin(a);
    }
    const d = re * re + im * im;
    out[m] = d < 1e-14 ? 0 : 1 / d;
  }
  return out;
}

/** Per-atom spline data for a mesh. */
export interface SplineSet {
  p: number;
  /** θ and dθ/du, N × 3 × p (M_p(u − g) for the p mesh points g = base − j). */
  th: Float64Array;
  dth: Float64Array;
  /** Wrapped mesh indices per atom, N × p: g1·K2 (premultiplied), g2, g3. */
  i1: Int32Array;
  i2: Int32Array;
  i3: Int32Array;
  /** Base index along direction 3 per atom if its p points do not wrap (g3 = base − j), else −1. */
  flat3: Int32Array;
}

export function computeSplines(positions: Float64Array, ainv: Float64Array, mesh: [number, number, number], p: number, reuse: SplineSet | null): SplineSet {
  const n = positions.length / 3;
  const fits = reuse !== null && reuse.p === p && reuse.flat3.length === n;
  const th = fits ? reuse.th : new Float64Array(3 * n * p), dth = fits ? reuse.dth : new Float64Array(3 * n * p);
  const idx = fits ? [reuse.i1, reuse.i2, reuse.i3] : [new Int32Array(n * p), new Int32Array(n * p), new Int32Array(n * p)];
  const flat3 = fits ? reuse.flat3 : new Int32Array(n);
  const weights = SPLINE_WEIGHTS[p];
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    for (let d = 0; d < 3; d++) {
      const K = mesh[d];
      const s = x * ainv[d] + y * ainv[3 + d] + z * ainv[6 + d];
      let u = K * (s - Math.floor(s));
      if (u >= K) u -= K;
      const fl = Math.floor(u);
      if (weights) weights(u - fl, th, dth, (3 * i + d) * p);
      else splineWeights(p, u - fl, th, dth, (3 * i + d) * p);
      const mult = d === 0 ? mesh[1] : 1;
      const ix = idx[d];
      for (let j = 0; j < p; j++) {
        const g = fl - j; // ≥ −(p−1) > −K
        ix[i * p + j] = (g < 0 ? g + K : g) * mult;
      }
      if (d === 2) flat3[i] = fl >= p - 1 ? fl : -1;
    }
  }
  return { p, th, dth, i1: idx[0], i2: idx[1], i3: idx[2], flat3 };
}

/**
 * Spread real weights (column `col` of an N × C array) onto a real mesh K1 × K2 × K3 (zeroed first). The inner
 * loop runs along direction 3 over contiguous mesh points when the atom's p points do not wrap (flat3), else
 * through the wrapped indices; the branch is taken once per atom.
 */
export function spread(sp: SplineSet, K3: number, w: Float64Array, C: number, col: number, grid: Float64Array): void {
  grid.fill(0);
  const n = sp.flat3.length, p = sp.p, th = sp.th;
  const { i1, i2, i3, flat3 } = sp;
  const flat = SPREAD_FLAT[p];
  for (let i = 0; i < n; i++) {
    const q = w[i * C + col];
    if (q === 0) continue;
    const o1 = 3 * i * p, o2 = o1 + p, o3 = o2 + p, ip = i * p, f3 = flat3[i];
    if (f3 >= 0 && flat) {
      // unrolled along direction 3 (pmeKernels.ts; ≈ 3× faster than the loop in V8)
      flat(grid, th, i1, i2, ip, o1, K3, f3, q);
    } else if (f3 >= 0) {
      for (let j1 = 0; j1 < p; j1++) {
        const r1 = i1[ip + j1], t1 = q * th[o1 + j1];
        for (let j2 = 0; j2 < p; j2++) {
          const r0 = (r1 + i2[ip + j2]) * K3 + f3 - p + 1, t12 = t1 * th[o2 + j2];
          // mesh point r0 + k holds spline point j3 = p − 1 − k
          for (let k = 0, o = o3 + p - 1; k < p; k++, o--) grid[r0 + k] += t12 * th[o];
        }
      }
    } else {
      for (let j1 = 0; j1 < p; j1++) {
        const r1 = i1[ip + j1], t1 = q * th[o1 + j1];
        for (let j2 = 0; j2 < p; j2++) {
          const row = (r1 + i2[ip + j2]) * K3, t12 = t1 * th[o2 + j2];
          for (let j3 = 0; j3 < p; j3++) grid[row + i3[ip + j3]] += t12 * th[o3 + j3];
        }
      }
    }
  }
}

/** Gather at atom i from a real mesh: value Σ_g M_i(g) Φ(g) and its u-gradient (out[1 … 3]). */
export function gather(sp: SplineSet, K3: number, i: number, grid: Float64Array, out: Float64Array): void {
  const p = sp.p, th = sp.th, dth = sp.dth;
  const { i1, i2, i3 } = sp;
  const o1 = 3 * i * p, o2 = o1 + p, o3 = o2 + p, ip = i * p, f3 = sp.flat3[i];
  let v = 0, d1 = 0, d2 = 0, d3 = 0;
  const flat = GATHER_FLAT[p];
  if (f3 >= 0 && flat) {
    // unrolled along direction 3 (pmeKernels.ts)
    flat(grid, th, dth, i1, i2, ip, o1, K3, f3, out);
    return;
  } else if (f3 >= 0) {
    for (let j1 = 0; j1 < p; j1++) {
      const r1 = i1[ip + j1];
      let a0 = 0, a2 = 0, a3 = 0;
      for (let j2 = 0; j2 < p; j2++) {
        const r0 = (r1 + i2[ip + j2]) * K3 + f3 - p + 1;
        let s0 = 0, s3 = 0;
        for (let k = 0, o = o3 + p - 1; k < p; k++, o--) {
          const f = grid[r0 + k];
          s0 += th[o] * f;
          s3 += dth[o] * f;
        }
        const t2 = th[o2 + j2];
        a0 += t2 * s0;
        a2 += dth[o2 + j2] * s0;
        a3 += t2 * s3;
      }
      const t1 = th[o1 + j1];
      v += t1 * a0;
      d1 += dth[o1 + j1] * a0;
      d2 += t1 * a2;
      d3 += t1 * a3;
    }
  } else {
    for (let j1 = 0; j1 < p; j1++) {
      const r1 = i1[ip + j1];
      let a0 = 0, a2 = 0, a3 = 0;
      for (let j2 = 0; j2 < p; j2++) {
        const row = (r1 + i2[ip + j2]) * K3;
        let s0 = 0, s3 = 0;
        for (let j3 = 0; j3 < p; j3++) {
          const f = grid[row + i3[ip + j3]];
          s0 += th[o3 + j3] * f;
          s3 += dth[o3 + j3] * f;
        }
        const t2 = th[o2 + j2];
        a0 += t2 * s0;
        a2 += dth[o2 + j2] * s0;
        a3 += t2 * s3;
      }
      const t1 = th[o1 + j1];
      v += t1 * a0;
      d1 += dth[o1 + j1] * a0;
      d2 += t1 * a2;
      d3 += t1 * a3;
    }
  }
  out[0] = v; out[1] = d1; out[2] = d2; out[3] = d3;
}

/** Gather the value only. */
function gatherValue(sp: SplineSet, K3: number, i: number, grid: Float64Array): number {
  const p = sp.p, th = sp.th;
  const { i1, i2, i3 } = sp;
  const o1 = 3 * i * p, o2 = o1 + p, o3 = o2 + p, ip = i * p, f3 = sp.flat3[i];
  const flat = GATHER_VALUE_FLAT[p];
  if (f3 >= 0 && flat) return flat(grid, th, i1, i2, ip, o1, K3, f3);
  let v = 0;
  for (let j1 = 0; j1 < p; j1++) {
    const r1 = i1[ip + j1];
    let a0 = 0;
    for (let j2 = 0; j2 < p; j2++) {
      const row = (r1 + i2[ip + j2]) * K3;
      let s0 = 0;
      if (f3 >= 0) for (let j3 = 0, r0 = row + f3; j3 < p; j3++) s0 += th[o3 + j3] * grid[r0 - j3];
      else for (let j3 = 0; j3 < p; j3++) s0 += th[o3 + j3] * grid[row + i3[ip + j3]];
      a0 += th[o2 + j2] * s0;
    }
    v += th[o1 + j1] * a0;
  }
  return v;
}

export interface Influence { key: string | null; infl: Float64Array; dinfl: Float64Array | null }

/**
 * Reusable PME state owned by the caller: the real transform of the last mesh, the influence function of the last
 * (kernel, cell, mesh, order) and the scratch meshes. Reuse one along an MD trajectory (same mesh every step);
 * drop it with its owner. Results never alias its arrays. Memory O(M) for a mesh of M points.
 */
/** Scratch meshes shared by several PmeWorkspace instances used one at a time (see the PmeWorkspace constructor). */
export interface PmeScratchPool {
  readonly real: Float64Array[];
  readonly spec: Float64Array[];
}

export class PmeWorkspace {
  private plan: RealTransform3d | null = null;
  /** Influence function of the last call whose request carried a kernelKey. */
  influence: Influence | null = null;
  private readonly real: Float64Array[];
  private readonly spec: Float64Array[];
  private readonly shared: boolean;

  /**
   * `pool`: scratch meshes shared with other workspaces that are never used at the same time (e.g. one per channel
   * of a descriptor, run one after another): each slot is grown to the largest length asked for and handed out as a
   * prefix, so the channels together keep one set of meshes instead of one set each.
   * `kernels`: 'auto' (default) spreads and gathers in WebAssembly SIMD (assembly/pme.ts; spline data and the real
   * meshes then live in its memory) where available; 'ts' keeps the TS loops (pools: always 'ts', their meshes are shared).
   */
  constructor(pool?: PmeScratchPool, readonly kernels: 'auto' | 'ts' = 'auto') {
    this.real = pool ? pool.real : [];
    this.spec = pool ? pool.spec : [];
    this.shared = pool !== undefined;
  }

  private wasmState: PmeMeshWasm | null | undefined;

  /** The wasm spread/gather of this workspace (created on first use), or null ('ts', a pooled workspace, no SIMD). */
  meshWasm(): PmeMeshWasm | null {
    if (this.wasmState === undefined) this.wasmState = this.kernels === 'ts' || this.shared ? null : PmeMeshWasm.create();
    return this.wasmState;
  }
  /** Spline weights and mesh indices of the last call (buffers reused while N and the order stay the same). */
  splines: SplineSet | null = null;

  /** The transform kept from the last call (null before the first). */
  get transform(): RealTransform3d | null {
    return this.plan;
  }

  /** The real transform for a mesh (kept while the mesh stays the same). */
  planFor(K1: number, K2: number, K3: number): RealTransform3d {
    const c = this.plan;
    if (c && c.n0 === K1 && c.n1 === K2 && c.n2 === K3) return c;
    this.plan = realTransform3d(K1, K2, K3);
    return this.plan;
  }

  /** Scratch mesh `slot` of the given length (contents undefined; callers overwrite it). */
  scratch(kind: 'real' | 'spec', slot: number, length: number): Float64Array {
    const list = kind === 'real' ? this.real : this.spec;
    if (this.shared) {
      if (!list[slot] || list[slot].length < length) list[slot] = new Float64Array(length);
      return list[slot].length === length ? list[slot] : list[slot].subarray(0, length);
    }
    if (!list[slot] || list[slot].length !== length) list[slot] = new Float64Array(length);
    return list[slot];
  }
}

/** λ_c with u = λ_c w for every channel, or null (exact up to rounding: |u − λw| ≤ 1e-15·|u| + tiny). */
function proportionality(w: Float64Array, u: Float64Array, n: number, C: number): Float64Array | null {
  const lam = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let ww = 0, uw = 0;
    for (let i = 0; i < n; i++) { ww += w[i * C + c] * w[i * C + c]; uw += u[i * C + c] * w[i * C + c]; }
    const l = ww > 0 ? uw / ww : 0;
    for (let i = 0; i < n; i++) {
      const a = u[i * C + c], b = l * w[i * C + c];
      if (Math.abs(a - b) > 1e-15 * (Math.abs(a) + Math.abs(b)) + 1e-300) return null;
    }
    lam[c] = l;
  }
  return lam;
}


/**
 * Influence function F(G) B(m)/V on the stored spectrum (0 on Nyquist planes and, unless includeZero, at m = 0),
 * times the multiplicity of m in the half spectrum; F'(G²) B/V likewise for the strain derivative. Reused from the
 * workspace's previous call when the request carries the same `kernelKey`, cell, mesh and order (repeated calls in MD).
 */
export function influence(ws: PmeWorkspace, req: ReciprocalRequest & { cell: Float64Array }, mesh: [number, number, number], p: number, fft: RealTransform3d,
  b: Float64Array, wantStrain: boolean): Influence {
  const [K1, K2, K3] = mesh;
  const H = fft.spectrumLast, half = fft.halfSpectrum, V = req.volume, kern = req.kernel;
  const key = req.kernelKey === undefined ? null : `${req.kernelKey}|${Array.from(req.cell).join(',')}|${V}|${mesh.join(',')}|${p}|${H}`;
  const c = ws.influence;
  if (key !== null && c && c.key === key && (!wantStrain || c.dinfl)) return c;
  const e1 = eulerFactor(p, K1), e2 = eulerFactor(p, K2), e3 = eulerFactor(p, K3);
  const S = K1 * K2 * H;
  const infl = new Float64Array(S);
  const dinfl = wantStrain ? new Float64Array(S) : null;
  for (let m1 = 0; m1 < K1; m1++) {
    if (K1 > 1 && 2 * m1 === K1) continue;
    const s1 = m1 <= K1 / 2 ? m1 : m1 - K1;
    for (let m2 = 0; m2 < K2; m2++) {
      if (K2 > 1 && 2 * m2 === K2) continue;
      const s2 = m2 <= K2 / 2 ? m2 : m2 - K2;
      const B12 = e1[m1] * e2[m2];
      const gx0 = s1 * b[0] + s2 * b[3], gy0 = s1 * b[1] + s2 * b[4], gz0 = s1 * b[2] + s2 * b[5];
      const row = (m1 * K2 + m2) * H;
      for (let m3 = 0; m3 < H; m3++) {
        if (K3 > 1 && 2 * m3 === K3) continue;
        const s3 = m3 <= K3 / 2 ? m3 : m3 - K3;
        const idx = row + m3;
        const mult = half && m3 > 0 ? 2 : 1;
        if (idx === 0) {
          if (kern.includeZero) infl[0] = kern.value(0) / V;
          continue;
        }
        const gx = gx0 + s3 * b[6], gy = gy0 + s3 * b[7], gz = gz0 + s3 * b[8];
        const g2 = gx * gx + gy * gy + gz * gz;
        const B = B12 * e3[m3];
        infl[idx] = (mult * kern.value(g2) * B) / V;
        if (dinfl) dinfl[idx] = (mult * kern.derivative(g2) * B) / V;
      }
    }
  }
  const out = { key, infl, dinfl };
  if (key !== null) ws.influence = out;
  return out;
}

/** Largest PME mesh (grid points) accepted: 2²⁷ points = 1 GiB per real grid, with its spectrum and influence
 * function about 4 GiB in all. Larger meshes would fail inside V8 with a bare "Array buffer allocation failed". */
export const MAX_PME_MESH_POINTS = 2 ** 27;

function checkMeshSize(mesh: readonly number[]): void {
  const points = mesh[0] * mesh[1] * mesh[2];
  if (points > MAX_PME_MESH_POINTS)
    throw new FarfieldError('INVALID_INPUT',
      `PME mesh ${mesh.join('×')} has ${points.toExponential(3)} points (about ${(points * 32 / 2 ** 30).toFixed(1)} GiB of grids), more than the ${MAX_PME_MESH_POINTS.toExponential(3)} allowed; ` +
      'hint: request a looser accuracy, let tune choose the mesh, or use the Ewald method (--method ewald) for this cell', { field: 'mesh' });
}

/**
 * Evaluate a ReciprocalRequest by smooth PME on `params.mesh` with cell `cell` (rows, Å). `workspace`: reused state
 * (plan, influence function, scratch meshes); a fresh one when omitted (same results, slower).
 */
export function pmeReciprocal(req: ReciprocalRequest & { cell: Float64Array }, params: PmeParameters, workspace: PmeWorkspace = new PmeWorkspace()): ReciprocalResult {
  const n = checkRequest(req, 'pmeReciprocal');
  const { mesh, order: p } = params;
  if (!Number.isInteger(p) || p < 2 || p > 12) throw new FarfieldError('INVALID_INPUT', `PME spline order must be an integer in 2 … 12, got ${p}`);
  for (const K of mesh)
    if (!Number.isInteger(K) || K < p) throw new FarfieldError('INVALID_INPUT', `PME mesh ${mesh.join('×')} must be integers no smaller than the spline order ${p}`);
  const [K1, K2, K3] = mesh;
  checkMeshSize(mesh);
  const fft = workspace.planFor(K1, K2, K3);
  const H = fft.spectrumLast, half = fft.halfSpectrum;
  const C = req.channels, V = req.volume, w = req.sources, u = req.probes;
  const ainv = inv3(req.cell);
  const b = reciprocalCell(req.cell);
  const M = K1 * K2 * K3;
  // spline data and real meshes in wasm memory when its kernels run (probes given: value and gradient gathers)
  const mw = u ? workspace.meshWasm() : null;
  let reuse = workspace.splines;
  if (mw) {
    mw.layout(n, p, mesh);
    if (!reuse || reuse.th !== mw.th) reuse = { p, th: mw.th, dth: mw.dth, i1: mw.i1, i2: mw.i2, i3: mw.i3, flat3: mw.flat3 };
  }
  let sp: SplineSet;
  if (mw) {
    mw.splines(req.positions, ainv);
    sp = reuse!;
  } else sp = computeSplines(req.positions, ainv, mesh, p, reuse);
  workspace.splines = sp;
  const S = K1 * K2 * H;
  const wantStrain = !!(req.strain && u);
  const { infl, dinfl } = influence(workspace, req, mesh, p, fft, b, wantStrain);
  // multiplicities undone when the spectrum is multiplied (the product must stay a plain filter)
  const filterScale = workspace.scratch('real', 2, H);
  for (let m3 = 0; m3 < H; m3++) filterScale[m3] = half && m3 > 0 ? 0.5 : 1;

  const out: ReciprocalResult = {};
  const phi = req.potentials ? new Float64Array(n * C) : null;
  const grad = u ? new Float64Array(3 * n) : null;
  const dS = wantStrain ? new Float64Array(9) : null;
  let L = 0;
  const gridQ = mw ? mw.grids[0] : workspace.scratch('real', 0, M), specQ = mw ? mw.specs[0] : workspace.scratch('spec', 0, 2 * S);
  const lam = u ? proportionality(w, u, n, C) : null;
  const general = !!u && !lam;
  const gridU = general ? (mw ? mw.grids[1] : workspace.scratch('real', 1, M)) : null, specU = general ? (mw ? mw.specs[1] : workspace.scratch('spec', 1, 2 * S)) : null;
  const tmp = new Float64Array(4), tmp2 = new Float64Array(4);
  const g00 = K1 * ainv[0], g01 = K2 * ainv[1], g02 = K3 * ainv[2];
  const g10 = K1 * ainv[3], g11 = K2 * ainv[4], g12 = K3 * ainv[5];
  const g20 = K1 * ainv[6], g21 = K2 * ainv[7], g22 = K3 * ainv[8];
  // ∂L/∂r_a += s · Σ_d K_d A⁻¹[a][d] ∂φ/∂u_d
  const addGrad = (d1: number, d2: number, d3: number, s: number, i: number, g: Float64Array): void => {
    g[3 * i] += s * (g00 * d1 + g01 * d2 + g02 * d3);
    g[3 * i + 1] += s * (g10 * d1 + g11 * d2 + g12 * d3);
    g[3 * i + 2] += s * (g20 * d1 + g21 * d2 + g22 * d3);
  };
  // Σ_m infl · Re[A B*] (and the strain sum) over the stored spectrum, then A, B ← filter · A, B
  const convolve = (A: Float64Array, Bs: Float64Array | null, scale: number): void => {
    let acc = 0;
    const acc9 = dS;
    for (let m1 = 0; m1 < K1; m1++) {
      const s1 = m1 <= K1 / 2 ? m1 : m1 - K1;
      for (let m2 = 0; m2 < K2; m2++) {
        const s2 = m2 <= K2 / 2 ? m2 : m2 - K2;
        const row = (m1 * K2 + m2) * H;
        const gx0 = s1 * b[0] + s2 * b[3], gy0 = s1 * b[1] + s2 * b[4], gz0 = s1 * b[2] + s2 * b[5];
        for (let m3 = 0; m3 < H; m3++) {
          const idx = row + m3;
          const f = infl[idx];
          const ar = A[2 * idx], ai = A[2 * idx + 1];
          if (u) {
            const pr = Bs ? ar * Bs[2 * idx] + ai * Bs[2 * idx + 1] : ar * ar + ai * ai;
            acc += f * pr;
            if (acc9 && dinfl) {
              const s3 = m3 <= K3 / 2 ? m3 : m3 - K3;
              const h = -2 * scale * dinfl[idx] * pr;
              const x = gx0 + s3 * b[6], y = gy0 + s3 * b[7], z = gz0 + s3 * b[8];
              acc9[0] += h * x * x; acc9[1] += h * x * y; acc9[2] += h * x * z;
              acc9[4] += h * y * y; acc9[5] += h * y * z; acc9[8] += h * z * z;
            }
          }
          const fs = f * filterScale[m3];
          A[2 * idx] = ar * fs; A[2 * idx + 1] = ai * fs;
          if (Bs) { Bs[2 * idx] *= fs; Bs[2 * idx + 1] *= fs; }
        }
      }
    }
    L += scale * acc;
  };

  // spreading of column c of an N × C array onto mesh g (0: Q, 1: U)
  const spreadCol = (a: Float64Array, c: number, g: 0 | 1, grid: Float64Array): void => {
    if (!mw) return spread(sp, K3, a, C, c, grid);
    for (let i = 0; i < n; i++) mw.w[i] = a[i * C + c];
    mw.spread(g);
  };
  // transforms of mesh g (0: Q, 1: U) in wasm when its kernels hold the meshes (bitwise the TS transform)
  const wfft = mw && mw.fft ? mw : null;
  const forward = (g: 0 | 1, grid: Float64Array, spec: Float64Array): void => (wfft ? wfft.forward(g) : fft.forward(grid, spec));
  const inverse = (g: 0 | 1, spec: Float64Array, grid: Float64Array): void => (wfft ? wfft.inverse(g) : fft.inverse(spec, grid));
  for (let c = 0; c < C; c++) {
    spreadCol(w, c, 0, gridQ);
    forward(0, gridQ, specQ);
    if (general && gridU && specU && u) {
      spreadCol(u, c, 1, gridU);
      forward(1, gridU, specU);
      convolve(specQ, specU, 1);
      inverse(1, specU, gridU);
    } else if (wfft && lam && !dS) L += lam[c] * wfft.convolveSelf(0, infl, filterScale);
    else convolve(specQ, null, lam ? lam[c] : 0);
    inverse(0, specQ, gridQ);
    if (mw && u) {
      // value and u-gradient of every atom from Q (and U) in wasm, combined here as in the loop below
      const o = mw.out;
      if (gridU) {
        mw.gather(1);
        if (grad) for (let i = 0; i < n; i++) addGrad(o[4 * i + 1], o[4 * i + 2], o[4 * i + 3], w[i * C + c], i, grad);
      }
      mw.gather(0);
      for (let i = 0; i < n; i++) {
        if (phi) phi[i * C + c] = o[4 * i];
        if (!grad) continue;
        if (lam) addGrad(o[4 * i + 1], o[4 * i + 2], o[4 * i + 3], 2 * lam[c] * w[i * C + c], i, grad);
        else addGrad(o[4 * i + 1], o[4 * i + 2], o[4 * i + 3], u[i * C + c], i, grad);
      }
      continue;
    }
    for (let i = 0; i < n; i++) {
      if (!u) {
        if (phi) phi[i * C + c] = gatherValue(sp, K3, i, gridQ);
        continue;
      }
      gather(sp, K3, i, gridQ, tmp);
      if (phi) phi[i * C + c] = tmp[0];
      if (!grad) continue;
      if (lam) addGrad(tmp[1], tmp[2], tmp[3], 2 * lam[c] * w[i * C + c], i, grad);
      else if (gridU) {
        gather(sp, K3, i, gridU, tmp2);
        addGrad(tmp[1], tmp[2], tmp[3], u[i * C + c], i, grad);
        addGrad(tmp2[1], tmp2[2], tmp2[3], w[i * C + c], i, grad);
      }
    }
  }
  if (phi) out.potentials = phi;
  if (u) {
    out.value = L;
    if (grad) out.dPositions = grad;
    if (dS) {
      dS[3] = dS[1]; dS[6] = dS[2]; dS[7] = dS[5];
      dS[0] -= L; dS[4] -= L; dS[8] -= L;
      out.dStrain = dS;
    }
  }
  return out;
}
