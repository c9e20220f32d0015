/**
 * The potential basis of lode-ms (multiscale.ts): χ^V_nl(r) = j_l(q_nl r)/ν_nl on [0, R_c], its radial integrals
 * I_nl(k) = ∫₀^{R_c} r² χ^V_nl j_l(kr) dr tabulated in k, the short-range split functions s_nl(d), and the
 * k-space coefficient table A_nlm(k) = s_l · 16π² e^{−σ²k²/2} I_nl(k)/k² · Y_lm(k̂) of the reciprocal sum.
 */
import type { KVectorSet } from '../../electrostatics/index.js';
import { gaussLegendre, HermiteSplineSet, sphericalBesselJ, sphericalBesselJWithDerivative, sphericalBesselJZeros, SphericalHarmonics } from '../../math/index.js';

/** Radial integrals I_nl(k) of the potential basis, tabulated in k (cubic Hermite; function index l·count + n). */
export class PotentialRadial {
  readonly zeros: Float64Array[];
  readonly nu: Float64Array;
  private table: HermiteSplineSet | null = null;
  constructor(readonly cutoffA: number, readonly count: number, readonly lmax: number) {
    this.zeros = Array.from({ length: lmax + 1 }, (_, l) => sphericalBesselJZeros(l, count));
    this.nu = new Float64Array((lmax + 1) * count);
    for (let l = 0; l <= lmax; l++)
      for (let n = 0; n < count; n++)
        this.nu[l * count + n] = Math.sqrt(cutoffA ** 3 / 2) * Math.abs(sphericalBesselJ(l + 1, this.zeros[l][n]));
  }
  chi(l: number, n: number, r: number): number {
    return sphericalBesselJ(l, (this.zeros[l][n] * r) / this.cutoffA) / this.nu[l * this.count + n];
  }
  /** ∫₀^{R_c} r^{l+2} χ_nl dr. */
  moment(l: number, n: number): number {
    const gl = gaussLegendre(64), R = this.cutoffA;
    let s = 0;
    for (let k = 0; k < gl.nodes.length; k++) {
      const r = 0.5 * R * (gl.nodes[k] + 1);
      s += 0.5 * R * gl.weights[k] * r ** (l + 2) * this.chi(l, n, r);
    }
    return s;
  }
  /** ∫₀^{R_c} r² |χ_nl| dr. */
  absMoment(l: number, n: number): number {
    const M = 400, h = this.cutoffA / M;
    let s = 0;
    for (let k = 0; k < M; k++) {
      const r = (k + 0.5) * h;
      s += r * r * Math.abs(this.chi(l, n, r));
    }
    return s * h;
  }

  /**
   * Short part of the split, s_nl(d) = 8 ∫₀^∞ (e^{−σ²k²/2} − e^{−σ′²k²/2}) I_nl(k) j_l(kd) dk, and ds/dd, for the
   * d values given (Gauss–Legendre in k up to 9/σ, panels shorter than half a period of j_l(kd) and of I_nl);
   * layout [d][l·count + n]. From Φ_nl(d) = (2/π)∫k² φ̂(k) I_nl(k) j_l(kd) dk (plane-wave expansions, §0).
   */
  short(ds: ArrayLike<number>, sigma: number, sigmaLong: number): { v: Float64Array; dv: Float64Array } {
    const L1 = this.lmax + 1, F = L1 * this.count, kMax = 9 / sigma;
    const spl = this.spline(kMax);
    let dMax = 0;
    for (let q = 0; q < ds.length; q++) dMax = Math.max(dMax, ds[q]);
    const panels = Math.max(8, Math.ceil((kMax * (dMax + this.cutoffA)) / Math.PI)), gl = gaussLegendre(16), hk = kMax / panels;
    const v = new Float64Array(ds.length * F), dv = new Float64Array(ds.length * F);
    const I = new Float64Array(F), dI = new Float64Array(F), jv = new Float64Array(L1), jd = new Float64Array(L1);
    for (let p = 0; p < panels; p++)
      for (let t = 0; t < gl.nodes.length; t++) {
        const k = (p + 0.5 + 0.5 * gl.nodes[t]) * hk, w = 0.5 * hk * gl.weights[t];
        spl.evaluate(k, I);
        const g = 8 * w * (Math.exp(-sigma * sigma * k * k / 2) - Math.exp(-sigmaLong * sigmaLong * k * k / 2));
        for (let q = 0; q < ds.length; q++) {
          sphericalBesselJWithDerivative(this.lmax, k * ds[q], jv, jd);
          const o = q * F;
          for (let l = 0; l < L1; l++)
            for (let n = 0; n < this.count; n++) {
              const f = l * this.count + n, a = g * I[f];
              v[o + f] += a * jv[l];
              dv[o + f] += a * k * jd[l];
            }
        }
      }
    void dI;
    return { v, dv };
  }

  /** Table covering [0, kMax]. */
  spline(kMax: number): HermiteSplineSet {
    if (this.table && this.table.x1 >= kMax) return this.table;
    const R = this.cutoffA, L1 = this.lmax + 1, F = L1 * this.count;
    const top = Math.ceil(kMax * 1.2 + 1);
    const panels = Math.max(4, Math.ceil((top * R) / 8)), gl = gaussLegendre(24);
    const nodes: number[] = [], w: number[] = [];
    for (let p = 0; p < panels; p++)
      for (let k = 0; k < gl.nodes.length; k++) {
        nodes.push(((p + 0.5 + 0.5 * gl.nodes[k]) * R) / panels);
        w.push((0.5 * gl.weights[k] * R) / panels);
      }
    const chi = new Float64Array(nodes.length * F);
    nodes.forEach((r, q) => {
      for (let l = 0; l < L1; l++) for (let n = 0; n < this.count; n++) chi[q * F + l * this.count + n] = w[q] * r * r * this.chi(l, n, r);
    });
    const jv = new Float64Array(L1), jd = new Float64Array(L1);
    this.table = HermiteSplineSet.tabulate(0, top, Math.ceil(top * R / 0.02), F, 3, (k, v, d1) => {
      v.fill(0); d1.fill(0);
      for (let q = 0; q < nodes.length; q++) {
        const r = nodes[q];
        sphericalBesselJWithDerivative(this.lmax, k * r, jv, jd);
        for (let l = 0; l < L1; l++)
          for (let n = 0; n < this.count; n++) {
            const c = chi[q * F + l * this.count + n];
            v[l * this.count + n] += c * jv[l];
            d1[l * this.count + n] += c * r * jd[l];
          }
      }
    });
    return this.table;
  }
}

/**
 * A (NLM × 2K: even l in the cos half, odd l in the sin half; NLM = count·(lmax+1)², row n·(lmax+1)² + l² + l + m)
 * and, if asked, ∂A/∂k_β (3 such matrices) for the k-vectors `ks` and smearing σ.
 */
export function potentialTable(pot: PotentialRadial, ks: KVectorSet, withGradient: boolean, sigma: number): { A: Float64Array; dA: Float64Array | null } {
  const K = ks.count, K2 = 2 * K, L2 = (pot.lmax + 1) ** 2, Nv = pot.count, L1 = pot.lmax + 1, NLM = Nv * L2;
  const spl = pot.spline(ks.kCutoffPerA);
  const A = new Float64Array(NLM * K2), dA = withGradient ? new Float64Array(3 * NLM * K2) : null;
  const sh = new SphericalHarmonics(pot.lmax);
  const I = new Float64Array(spl.functions), dI = new Float64Array(spl.functions);
  const s2 = sigma * sigma, c0 = 16 * Math.PI * Math.PI;
  for (let k = 0; k < K; k++) {
    const kx = ks.kx[k], ky = ks.ky[k], kz = ks.kz[k], k2 = ks.k2[k], G = Math.sqrt(k2);
    spl.evaluateWithDerivative(G, I, dI);
    const e = (c0 * Math.exp(-s2 * k2 / 2)) / k2;
    const de = e * (-s2 * G - 2 / G); // d/dG of c0 e^{−σ²G²/2}/G²
    if (dA) sh.computeWithGradient(kx, ky, kz);
    else sh.compute(kx, ky, kz);
    const Y = sh.values, dY = sh.gradients;
    for (let l = 0; l < L1; l++) {
      const odd = l % 2 === 1, sign = (odd ? (l - 1) / 2 : l / 2) % 2 === 0 ? 1 : -1;
      const col = odd ? K + k : k;
      for (let n = 0; n < Nv; n++) {
        const f = sign * e * I[l * Nv + n], df = sign * (de * I[l * Nv + n] + e * dI[l * Nv + n]);
        for (let m = l * l; m < (l + 1) * (l + 1); m++) {
          const row = n * L2 + m;
          A[row * K2 + col] = f * Y[m];
          if (dA) {
            dA[(0 * NLM + row) * K2 + col] = (df * kx) / G * Y[m] + f * dY[3 * m];
            dA[(1 * NLM + row) * K2 + col] = (df * ky) / G * Y[m] + f * dY[3 * m + 1];
            dA[(2 * NLM + row) * K2 + col] = (df * kz) / G * Y[m] + f * dY[3 * m + 2];
          }
        }
      }
    }
  }
  return { A, dA };
}
