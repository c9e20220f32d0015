/**
 * Radial functions of LODE ν = 1 on the truncated spherical-Bessel basis (science.md §1.2, §2.3, §2.5, §4.7):
 *
 *   χ_n(r) = j₀(q_n r)/ν_n on [0, R_c],  q_n = nπ/R_c,  ν_n² = ∫₀^{R_c} r² j₀(q_n r)² dr = R_c³/(2 (nπ)²).
 *
 * Radial integral (closed form, derived from j₀(x) = sin x / x and sin(q_n R_c) = 0):
 *   I_n(G) = ∫₀^{R_c} r² χ_n(r) j₀(Gr) dr
 *          = (−1)^{n+1} R_c sinc(G R_c) / (ν_n (q_n² − G²))      (form A, used for G < q_n/2)
 *          = R_c sinc((q_n − G) R_c) / (ν_n G (q_n + G))           (form B, G ≥ q_n/2; regular at G = q_n)
 * with sinc x = sin x / x. Reciprocal kernel of channel n (potential of Gaussian charges of width σ, Coulomb 4π/G²):
 *   F_n(G²) = Y₀₀ (4π/G²) e^{−σ²G²/2} · 4π I_n(G),  G = 0 excluded (tin-foil / compensating background),
 * and the self term (the centre's own Gaussian, removed for J = t(i)):
 *   C_n = Y₀₀ 4π ∫₀^{R_c} r² χ_n(r) erf(r/√2σ)/r dr                        (Gauss–Legendre, 64 nodes).
 * Real-space pair function (open boundaries), with the spherical average of the Gaussian potential
 *   φ̄(r; d) = [F(r+d) − F(|r−d|)]/(2rd),  F(s) = s erf(s/√2σ) + √(2/π) σ e^{−s²/2σ²},
 *   h_n(d) = Y₀₀ 4π ∫₀^{R_c} r² χ_n(r) φ̄(r; d) dr,   h_n′(d) from ∂φ̄/∂d = [F′(r+d) + sgn(r−d) F′(|r−d|)]/(2rd) − φ̄/d,
 * F′(s) = erf(s/√2σ) (composite Gauss–Legendre, panels split at r = d where φ̄ has its steepest change).
 * Units: r, d, R_c, σ in Å, G in Å⁻¹; χ_n in Å^{−3/2}; F_n in Å^{3/2}·Å²; coefficients in Å^{1/2} (potential
 * 1/Å × ∫ r² χ dr).
 */
import { erf, gaussLegendre } from '../../math/index.js';

const Y00 = 1 / (2 * Math.sqrt(Math.PI));
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function sinc(x: number): number {
  if (Math.abs(x) < 1e-4) return 1 - (x * x) / 6;
  return Math.sin(x) / x;
}
function sincPrime(x: number): number {
  if (Math.abs(x) < 1e-4) return -x / 3 + (x * x * x) / 30;
  return (x * Math.cos(x) - Math.sin(x)) / (x * x);
}

export class BesselChannel {
  readonly n: number;
  readonly q: number;
  readonly nu: number;
  private readonly nodes: Float64Array;
  private readonly weights: Float64Array;

  constructor(n: number, readonly cutoffA: number, readonly smearingA: number) {
    this.n = n;
    this.q = (n * Math.PI) / cutoffA;
    this.nu = Math.sqrt((cutoffA * cutoffA * cutoffA) / 2) / (n * Math.PI);
    const gl = gaussLegendre(32);
    this.nodes = Float64Array.from(gl.nodes);
    this.weights = Float64Array.from(gl.weights);
  }

  /** χ_n(r). */
  chi(r: number): number {
    return sinc(this.q * r) / this.nu;
  }

  /** I_n(G) and dI_n/dG into out. */
  radialIntegral(G: number, out: Float64Array): void {
    const R = this.cutoffA, q = this.q;
    if (G < q / 2) {
      const s = (this.n % 2 === 1 ? 1 : -1) * R / this.nu;
      const den = q * q - G * G;
      const sc = sinc(G * R);
      out[0] = (s * sc) / den;
      out[1] = (s * (R * sincPrime(G * R) * den + 2 * G * sc)) / (den * den);
    } else {
      const x = (q - G) * R;
      const den = G * (q + G);
      const sc = sinc(x);
      out[0] = (R * sc) / (this.nu * den);
      out[1] = (R * (-R * sincPrime(x) * den - sc * (q + 2 * G))) / (this.nu * den * den);
    }
  }

  /** F_n(G²) (G > 0). */
  fourier(g2: number, tmp: Float64Array): number {
    const G = Math.sqrt(g2);
    this.radialIntegral(G, tmp);
    return (Y00 * 16 * Math.PI * Math.PI * Math.exp(-this.smearingA * this.smearingA * g2 / 2) * tmp[0]) / g2;
  }

  /** dF_n/d(G²) (G > 0). */
  fourierDerivative(g2: number, tmp: Float64Array): number {
    const G = Math.sqrt(g2);
    this.radialIntegral(G, tmp);
    const s2 = this.smearingA * this.smearingA;
    const A = Y00 * 16 * Math.PI * Math.PI * Math.exp(-s2 * g2 / 2);
    // d/dG [A(G) I/G²] = A [I′/G² − 2I/G³ − σ² G I/G²]; d/dG² = (1/2G) d/dG
    const dG = A * (tmp[1] / g2 - (2 * tmp[0]) / (g2 * G) - (s2 * tmp[0]) / G);
    return dG / (2 * G);
  }

  /** Self term C_n = Y₀₀ 4π ∫ r² χ_n erf(r/√2σ)/r dr. */
  selfTerm(): number {
    const R = this.cutoffA, a = 1 / (Math.SQRT2 * this.smearingA);
    return Y00 * 4 * Math.PI * this.integrate(0, R, (r) => r * this.chi(r) * erf(a * r), 4);
  }

  /** Y₀₀ 4π ∫₀^{R_c} r² χ_n dr (the l = 0 "volume" of the basis function: c = this × potential for harmonic fields). */
  volumeIntegral(): number {
    const s = this.n % 2 === 1 ? 1 : -1;
    return Y00 * 4 * Math.PI * (s * this.cutoffA) / (this.nu * this.q * this.q);
  }

  /** Real-space pair function h_n(d) and h_n′(d) into out (d > 0). */
  pair(d: number, out: Float64Array): void {
    const R = this.cutoffA, sigma = this.smearingA, a = 1 / (Math.SQRT2 * sigma);
    const F = (s: number) => s * erf(a * s) + SQRT_2_OVER_PI * sigma * Math.exp(-(s * s) / (2 * sigma * sigma));
    let v = 0, dv = 0;
    const body = (r: number, w: number) => {
      const chi = this.chi(r);
      let phi: number, dphi: number;
      if (r < 1e-8 * d) {
        // r → 0: φ̄ → erf(a d)/d, ∂φ̄/∂d → (2a/√π e^{−a²d²} − erf(a d)/d)/d
        phi = erf(a * d) / d;
        dphi = ((2 * a / Math.sqrt(Math.PI)) * Math.exp(-a * a * d * d) - phi) / d;
      } else {
        const p = r + d, m = Math.abs(r - d);
        phi = (F(p) - F(m)) / (2 * r * d);
        dphi = (erf(a * p) + Math.sign(r - d) * erf(a * m)) / (2 * r * d) - phi / d;
      }
      v += w * r * r * chi * phi;
      dv += w * r * r * chi * dphi;
    };
    const pieces = d < R ? [[0, d], [d, R]] : [[0, R]];
    for (const [lo, hi] of pieces) {
      if (hi <= lo) continue;
      const panels = Math.max(2, Math.ceil((hi - lo) / sigma));
      const h = (hi - lo) / panels;
      for (let p = 0; p < panels; p++) {
        const mid = lo + (p + 0.5) * h, half = h / 2;
        for (let k = 0; k < this.nodes.length; k++) body(mid + half * this.nodes[k], half * this.weights[k]);
      }
    }
    out[0] = Y00 * 4 * Math.PI * v;
    out[1] = Y00 * 4 * Math.PI * dv;
  }

  private integrate(lo: number, hi: number, f: (r: number) => number, panels: number): number {
    const h = (hi - lo) / panels;
    let s = 0;
    for (let p = 0; p < panels; p++) {
      const mid = lo + (p + 0.5) * h, half = h / 2;
      for (let k = 0; k < this.nodes.length; k++) s += half * this.weights[k] * f(mid + half * this.nodes[k]);
    }
    return s;
  }
}
