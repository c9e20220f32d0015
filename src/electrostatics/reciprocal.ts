/**
 * Generic per-atom reciprocal-space evaluator and its reverse (adjoint) pass, by explicit k-vectors (Ewald).
 *
 * Forward: for any isotropic F (FourierKernel), sources w (N × C) and the cell volume V,
 *   φ_i^c = (1/V) Σ_{G≠0} F(|G|) Σ_j w_j^c cos(G·(r_j − r_i))  [+ (1/V) F(0) Σ_j w_j^c if includeZero]
 *         = (2/V) Σ_{half G} F(G) Re[S^c(G) e^{−iG·r_i}],  S^c(G) = Σ_j w_j^c e^{iG·r_j}.
 * Reverse: for probe weights u (N × C) the scalar L = Σ_i Σ_c u_i^c φ_i^c = (2/V) Σ_G F Σ_c Re[S^c T^c*]
 * (T^c = Σ_i u_i^c e^{iG·r_i}) has
 *   ∂L/∂r_k = (2/V) Σ_G F(G) G Σ_c [ w_k^c (cos θ_k T_im − sin θ_k T_re) + u_k^c (cos θ_k S_im − sin θ_k S_re) ],
 *   ∂L/∂ε_αβ = −δ_αβ L − (4/V) Σ_G F'(G²) G_α G_β Σ_c Re[S^c T^c*],      (θ_k = G·r_k)
 * using r → (1+ε)r, G → (1−εᵀ)G (G·r invariant), V → V(1 + tr ε), F' = dF/d(G²).
 * This is one more pass over (atoms × k), never an N × N matrix. With u = w/2, L is the energy ½ Σ w φ.
 * Cost O(N · count · C).
 */
import { FarfieldError } from '../core/index.js';
import type { FourierKernel } from './kernels.js';
import { type KVectorSet, phaseTableLength, phasesAt, structureFactors } from './kvectors.js';

export interface ReciprocalRequest {
  /** 3N Cartesian positions, Å. */
  positions: Float64Array;
  /** Cell volume, Å³. */
  volume: number;
  /** Cell rows, Å (needed by PME; Ewald takes the cell through its KVectorSet). */
  cell?: Float64Array;
  channels: number;
  /** Source weights w, N × channels, atom-major. */
  sources: Float64Array;
  kernel: FourierKernel;
  /** Return φ (N × channels). */
  potentials?: boolean;
  /** Probe weights u (N × channels): return L = Σ u φ and its gradients. */
  probes?: Float64Array;
  /** Also return ∂L/∂ε (needs probes). */
  strain?: boolean;
  /** Optional identity of `kernel` across calls (e.g. kernel JSON and α): lets PME reuse its influence function. */
  kernelKey?: string;
}

export interface ReciprocalResult {
  /** φ_i^c, N × channels (units of F / Å³). */
  potentials?: Float64Array;
  /** L = Σ_i Σ_c u_i^c φ_i^c. */
  value?: number;
  /** ∂L/∂r, 3N. */
  dPositions?: Float64Array;
  /** ∂L/∂ε, 3×3 row-major (symmetric). */
  dStrain?: Float64Array;
}

export function checkRequest(req: ReciprocalRequest, what: string): number {
  const n = req.positions.length / 3;
  if (!Number.isInteger(n)) throw new FarfieldError('INVALID_INPUT', `${what}: positions length ${req.positions.length} is not a multiple of 3`);
  if (!(req.channels >= 1) || !Number.isInteger(req.channels)) throw new FarfieldError('INVALID_INPUT', `${what}: channels must be a positive integer, got ${req.channels}`);
  if (req.sources.length !== n * req.channels)
    throw new FarfieldError('INVALID_INPUT', `${what}: sources have ${req.sources.length} entries, expected ${n} atoms × ${req.channels} channels`);
  if (req.probes && req.probes.length !== n * req.channels)
    throw new FarfieldError('INVALID_INPUT', `${what}: probes have ${req.probes.length} entries, expected ${n} atoms × ${req.channels} channels`);
  if (!(req.volume > 0)) throw new FarfieldError('INVALID_INPUT', `${what}: volume must be positive, got ${req.volume}`);
  return n;
}

/** Σ_j w_j^c per channel. */
export function channelTotals(w: Float64Array, n: number, C: number): Float64Array {
  const t = new Float64Array(C);
  for (let j = 0; j < n; j++) for (let c = 0; c < C; c++) t[c] += w[j * C + c];
  return t;
}

/** Evaluate the request with the k-vectors `ks`. */
export function ewaldReciprocal(req: ReciprocalRequest, ks: KVectorSet): ReciprocalResult {
  const n = checkRequest(req, 'ewaldReciprocal');
  const C = req.channels, K = ks.count, V = req.volume;
  const w = req.sources, u = req.probes;
  const F = new Float64Array(K);
  for (let k = 0; k < K; k++) F[k] = req.kernel.value(ks.k2[k]);
  const S = structureFactors(req.positions, w, C, ks);
  const T = u ? structureFactors(req.positions, u, C, ks) : null;
  const out: ReciprocalResult = {};
  const zero = req.kernel.includeZero ? req.kernel.value(0) / V : 0;
  const wTot = channelTotals(w, n, C);

  if (T && u) {
    let L = 0;
    const dS = req.strain ? new Float64Array(9) : null;
    const dF = req.strain ? new Float64Array(K) : null;
    if (dF) for (let k = 0; k < K; k++) dF[k] = req.kernel.derivative(ks.k2[k]);
    for (let c = 0; c < C; c++) {
      const o = c * K;
      for (let k = 0; k < K; k++) {
        const p = S.re[o + k] * T.re[o + k] + S.im[o + k] * T.im[o + k];
        L += F[k] * p;
        if (dS && dF) {
          const g = (-4 / V) * dF[k] * p;
          const x = ks.kx[k], y = ks.ky[k], z = ks.kz[k];
          dS[0] += g * x * x; dS[1] += g * x * y; dS[2] += g * x * z;
          dS[4] += g * y * y; dS[5] += g * y * z; dS[8] += g * z * z;
        }
      }
    }
    L *= 2 / V;
    if (zero !== 0) {
      const uTot = channelTotals(u, n, C);
      for (let c = 0; c < C; c++) L += zero * wTot[c] * uTot[c];
    }
    out.value = L;
    if (dS) {
      dS[3] = dS[1]; dS[6] = dS[2]; dS[7] = dS[5];
      dS[0] -= L; dS[4] -= L; dS[8] -= L;
      out.dStrain = dS;
    }
  }

  if (!req.potentials && !T) return out;
  const phi = req.potentials ? new Float64Array(n * C) : null;
  const grad = T ? new Float64Array(3 * n) : null;
  const L2 = phaseTableLength(ks);
  const tRe = new Float64Array(L2), tIm = new Float64Array(L2), cs = new Float64Array(K), sn = new Float64Array(K);
  const f2 = 2 / V;
  for (let i = 0; i < n; i++) {
    phasesAt(ks, req.positions[3 * i], req.positions[3 * i + 1], req.positions[3 * i + 2], tRe, tIm, cs, sn);
    let gx = 0, gy = 0, gz = 0;
    for (let c = 0; c < C; c++) {
      const o = c * K;
      const wi = w[i * C + c], ui = u ? u[i * C + c] : 0;
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const cc = cs[k], ss = sn[k], sr = S.re[o + k], si = S.im[o + k];
        if (phi) acc += F[k] * (sr * cc + si * ss);
        if (T) {
          const tr = T.re[o + k], ti = T.im[o + k];
          const h = F[k] * (wi * (cc * ti - ss * tr) + ui * (cc * si - ss * sr));
          gx += h * ks.kx[k]; gy += h * ks.ky[k]; gz += h * ks.kz[k];
        }
      }
      if (phi) phi[i * C + c] = f2 * acc + zero * wTot[c];
    }
    if (grad) {
      grad[3 * i] = f2 * gx; grad[3 * i + 1] = f2 * gy; grad[3 * i + 2] = f2 * gz;
    }
  }
  if (phi) out.potentials = phi;
  if (grad) out.dPositions = grad;
  return out;
}
