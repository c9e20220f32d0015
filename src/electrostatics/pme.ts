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
 * Q and U of one channel share one complex FFT (Z = Q + iU; Re[Q̂Û*](m) = Im[Ẑ(m) Ẑ(−m)]/2); without probes two
 * channels share one. Cost O(N p³ C + M log M · C), M = K1 K2 K3. Mesh lengths: powers of two (math/fft.ts).
 */
import { FarfieldError, inv3, reciprocalCell } from '../core/index.js';
import { Fft3d } from '../math/index.js';
import { channelTotals, checkRequest, type ReciprocalRequest, type ReciprocalResult } from './reciprocal.js';

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
interface SplineSet {
  p: number;
  /** Base grid index per atom and direction (3N): the splines cover base − j, j = 0 … p−1 (mod K). */
  base: Int32Array;
  /** θ and dθ/du, N × 3 × p. */
  th: Float64Array;
  dth: Float64Array;
}

function computeSplines(positions: Float64Array, ainv: Float64Array, mesh: [number, number, number], p: number): SplineSet {
  const n = positions.length / 3;
  const base = new Int32Array(3 * n), th = new Float64Array(3 * n * p), dth = new Float64Array(3 * n * p);
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    for (let d = 0; d < 3; d++) {
      const s = x * ainv[d] + y * ainv[3 + d] + z * ainv[6 + d];
      let u = mesh[d] * (s - Math.floor(s));
      if (u >= mesh[d]) u -= mesh[d];
      const fl = Math.floor(u);
      base[3 * i + d] = fl;
      splineWeights(p, u - fl, th, dth, (3 * i + d) * p);
    }
  }
  return { p, base, th, dth };
}

/** Spread real weights (column `col` of an N × C array, scaled) into the real or imaginary part of a complex mesh. */
function spread(sp: SplineSet, mesh: [number, number, number], w: Float64Array, C: number, col: number, grid: Float64Array, part: 0 | 1): void {
  const n = sp.base.length / 3, p = sp.p;
  const [K1, K2, K3] = mesh;
  for (let i = 0; i < n; i++) {
    const q = w[i * C + col];
    if (q === 0) continue;
    const b1 = sp.base[3 * i], b2 = sp.base[3 * i + 1], b3 = sp.base[3 * i + 2];
    const o1 = 3 * i * p, o2 = o1 + p, o3 = o2 + p;
    for (let j1 = 0; j1 < p; j1++) {
      const g1 = (((b1 - j1) % K1) + K1) % K1;
      const t1 = q * sp.th[o1 + j1];
      for (let j2 = 0; j2 < p; j2++) {
        const g2 = (((b2 - j2) % K2) + K2) % K2;
        const t12 = t1 * sp.th[o2 + j2];
        const row = (g1 * K2 + g2) * K3;
        for (let j3 = 0; j3 < p; j3++) {
          const g3 = (((b3 - j3) % K3) + K3) % K3;
          grid[2 * (row + g3) + part] += t12 * sp.th[o3 + j3];
        }
      }
    }
  }
}

/**
 * Gather at atom i from one part of a complex mesh: value Σ_g M_i(g) Φ(g) and its u-gradient (3).
 */
function gather(sp: SplineSet, mesh: [number, number, number], i: number, grid: Float64Array, part: 0 | 1, out: Float64Array): void {
  const p = sp.p;
  const [K1, K2, K3] = mesh;
  const b1 = sp.base[3 * i], b2 = sp.base[3 * i + 1], b3 = sp.base[3 * i + 2];
  const o1 = 3 * i * p, o2 = o1 + p, o3 = o2 + p;
  let v = 0, d1 = 0, d2 = 0, d3 = 0;
  for (let j1 = 0; j1 < p; j1++) {
    const g1 = (((b1 - j1) % K1) + K1) % K1;
    const t1 = sp.th[o1 + j1], dt1 = sp.dth[o1 + j1];
    for (let j2 = 0; j2 < p; j2++) {
      const g2 = (((b2 - j2) % K2) + K2) % K2;
      const t2 = sp.th[o2 + j2], dt2 = sp.dth[o2 + j2];
      const row = (g1 * K2 + g2) * K3;
      let s0 = 0, s3 = 0;
      for (let j3 = 0; j3 < p; j3++) {
        const g3 = (((b3 - j3) % K3) + K3) % K3;
        const f = grid[2 * (row + g3) + part];
        s0 += sp.th[o3 + j3] * f;
        s3 += sp.dth[o3 + j3] * f;
      }
      v += t1 * t2 * s0;
      d1 += dt1 * t2 * s0;
      d2 += t1 * dt2 * s0;
      d3 += t1 * t2 * s3;
    }
  }
  out[0] = v; out[1] = d1; out[2] = d2; out[3] = d3;
}

/** Evaluate a ReciprocalRequest by smooth PME on `params.mesh` with cell `cell` (rows, Å). */
export function pmeReciprocal(req: ReciprocalRequest & { cell: Float64Array }, params: PmeParameters): ReciprocalResult {
  const n = checkRequest(req, 'pmeReciprocal');
  const { mesh, order: p } = params;
  if (!Number.isInteger(p) || p < 2 || p > 12) throw new FarfieldError('INVALID_INPUT', `PME spline order must be an integer in 2 … 12, got ${p}`);
  const [K1, K2, K3] = mesh;
  for (const K of mesh) if (K < p) throw new FarfieldError('INVALID_INPUT', `PME mesh ${mesh.join('×')} is smaller than the spline order ${p} in some direction`);
  const fft = new Fft3d(K1, K2, K3);
  const C = req.channels, V = req.volume, w = req.sources, u = req.probes;
  const ainv = inv3(req.cell);
  const b = reciprocalCell(req.cell);
  const sp = computeSplines(req.positions, ainv, mesh, p);
  const e1 = eulerFactor(p, K1), e2 = eulerFactor(p, K2), e3 = eulerFactor(p, K3);
  const M = K1 * K2 * K3;
  // influence function F(G) B(m)/V (0 on Nyquist planes and, unless includeZero, at m = 0); optional F' B / V
  const infl = new Float64Array(M);
  const dinfl = req.strain && u ? new Float64Array(M) : null;
  const gvec = dinfl ? new Float64Array(3 * M) : null;
  for (let m1 = 0; m1 < K1; m1++) {
    if (K1 > 1 && 2 * m1 === K1) continue;
    const s1 = m1 <= K1 / 2 ? m1 : m1 - K1;
    for (let m2 = 0; m2 < K2; m2++) {
      if (K2 > 1 && 2 * m2 === K2) continue;
      const s2 = m2 <= K2 / 2 ? m2 : m2 - K2;
      for (let m3 = 0; m3 < K3; m3++) {
        if (K3 > 1 && 2 * m3 === K3) continue;
        const s3 = m3 <= K3 / 2 ? m3 : m3 - K3;
        const idx = (m1 * K2 + m2) * K3 + m3;
        const gx = s1 * b[0] + s2 * b[3] + s3 * b[6];
        const gy = s1 * b[1] + s2 * b[4] + s3 * b[7];
        const gz = s1 * b[2] + s2 * b[5] + s3 * b[8];
        const g2 = gx * gx + gy * gy + gz * gz;
        const B = e1[m1] * e2[m2] * e3[m3];
        if (idx === 0) {
          if (req.kernel.includeZero) infl[0] = req.kernel.value(0) / V;
          continue;
        }
        infl[idx] = (req.kernel.value(g2) * B) / V;
        if (dinfl && gvec) {
          dinfl[idx] = (req.kernel.derivative(g2) * B) / V;
          gvec[3 * idx] = gx; gvec[3 * idx + 1] = gy; gvec[3 * idx + 2] = gz;
        }
      }
    }
  }

  const out: ReciprocalResult = {};
  const phi = req.potentials ? new Float64Array(n * C) : null;
  const grad = u ? new Float64Array(3 * n) : null;
  const dS = dinfl ? new Float64Array(9) : null;
  let L = 0;
  const grid = new Float64Array(2 * M);
  const tmp = new Float64Array(4), tmp2 = new Float64Array(4);
  // gradient factor: ∂u_d/∂r_a = K_d A⁻¹[a][d]
  const gradFromU = (d1: number, d2: number, d3: number, s: number, i: number, g: Float64Array): void => {
    for (let a = 0; a < 3; a++) g[3 * i + a] += s * (K1 * ainv[3 * a] * d1 + K2 * ainv[3 * a + 1] * d2 + K3 * ainv[3 * a + 2] * d3);
  };

  // Work units: with probes, (sources c, probes c) per channel; else pairs of source channels.
  const units: [number, number][] = [];
  if (u) for (let c = 0; c < C; c++) units.push([c, c]);
  else for (let c = 0; c < C; c += 2) units.push([c, c + 1 < C ? c + 1 : -1]);

  for (const [ca, cb] of units) {
    grid.fill(0);
    spread(sp, mesh, w, C, ca, grid, 0);
    if (u) spread(sp, mesh, u, C, cb, grid, 1);
    else if (cb >= 0) spread(sp, mesh, w, C, cb, grid, 1);
    fft.forward(grid);
    if (u) {
      // L and strain from Re[Q̂ Û*](m) = Im[Ẑ(m) Ẑ(−m)]/2
      for (let m1 = 0; m1 < K1; m1++) {
        const n1 = (K1 - m1) % K1;
        for (let m2 = 0; m2 < K2; m2++) {
          const n2 = (K2 - m2) % K2;
          for (let m3 = 0; m3 < K3; m3++) {
            const idx = (m1 * K2 + m2) * K3 + m3;
            const f = infl[idx];
            if (f === 0 && !(dinfl && dinfl[idx] !== 0)) continue;
            const jdx = (n1 * K2 + n2) * K3 + ((K3 - m3) % K3);
            const ar = grid[2 * idx], ai = grid[2 * idx + 1], br = grid[2 * jdx], bi = grid[2 * jdx + 1];
            const pr = 0.5 * (ar * bi + ai * br);
            L += f * pr;
            if (dS && dinfl && gvec) {
              const h = -2 * dinfl[idx] * pr;
              const x = gvec[3 * idx], y = gvec[3 * idx + 1], z = gvec[3 * idx + 2];
              dS[0] += h * x * x; dS[1] += h * x * y; dS[2] += h * x * z;
              dS[4] += h * y * y; dS[5] += h * y * z; dS[8] += h * z * z;
            }
          }
        }
      }
    }
    for (let m = 0; m < M; m++) {
      grid[2 * m] *= infl[m];
      grid[2 * m + 1] *= infl[m];
    }
    fft.inverse(grid);
    // real part: Φ of the part-0 weights; imaginary part: Φ of the part-1 weights
    for (let i = 0; i < n; i++) {
      gather(sp, mesh, i, grid, 0, tmp);
      if (phi) phi[i * C + ca] = tmp[0];
      if (u && grad) {
        gather(sp, mesh, i, grid, 1, tmp2);
        gradFromU(tmp[1], tmp[2], tmp[3], u[i * C + cb], i, grad);
        gradFromU(tmp2[1], tmp2[2], tmp2[3], w[i * C + ca], i, grad);
      } else if (phi && cb >= 0) {
        gather(sp, mesh, i, grid, 1, tmp2);
        phi[i * C + cb] = tmp2[0];
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
  void channelTotals;
  return out;
}
