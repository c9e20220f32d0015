/**
 * Pair functions of the FKK long-range descriptor (Faller, Kaltak & Kresse, arXiv:2406.17595; science.md §4.3, §4.7).
 *
 * The descriptor projects the Gaussian-smeared density (width σ, g_σ(r) = (2πσ²)^{-3/2} e^{−r²/2σ²}) on Slater
 * functions e^{−ζr}. One neighbour at distance d contributes the convolution
 *
 *   𝒮_ζ,σ(d) = (e^{−ζ|·|} ∗ g_σ)(d),              Ŝ_ζ(G) = 8πζ/(ζ²+G²)²,   F(G) = Ŝ_ζ(G) e^{−σ²G²/2}
 *            = (e^{ζ²σ²/2}/2d)[(d−ζσ²) e^{−ζd} erfc((ζσ²−d)/√2σ) + (d+ζσ²) e^{ζd} erfc((ζσ²+d)/√2σ)]
 *
 * and, for the Ewald-like split below, the Gaussian-smeared Yukawa function
 *
 *   𝒴_ζ,σ(d) = (e^{−ζ|·|}/|·| ∗ g_σ)(d),           Ŷ_ζ(G) = 4π/(ζ²+G²)
 *            = (e^{ζ²σ²/2}/2d)[e^{−ζd} erfc((ζσ²−d)/√2σ) − e^{ζd} erfc((ζσ²+d)/√2σ)].
 *
 * Stable evaluation (no overflow of e^{ζd}, no underflow of erfc): with E = e^{−d²/2σ²}, x₁ = (d−ζσ²)/√2σ,
 * x₂ = (d+ζσ²)/√2σ and c = e^{ζ²σ²/2} one has exactly
 *   P(d) := c e^{−ζd} erfc(−x₁) = E·erfcx(−x₁)            (x₁ < 0)
 *                              = 2c e^{−ζd} − E·erfcx(x₁)  (x₁ ≥ 0; the first term is the pure exponential tail),
 *   M(d) := c e^{+ζd} erfc(x₂)  = E·erfcx(x₂),
 * so 𝒮 = [(d−ζσ²)P + (d+ζσ²)M]/2d and 𝒴 = (P − M)/2d. Derivatives, with k = √(2/π)/σ: P′ = −ζP + kE,
 * M′ = ζM − kE, hence 𝒮′ = [P(1−ζ(d−ζσ²)) + M(1+ζ(d+ζσ²)) − 2kζσ²E]/2d − 𝒮/d and
 * 𝒴′ = [2kE − ζ(P+M)]/2d − 𝒴/d (science.md §4.3 gives the same 𝒮′).
 * Near d = 0 (removable singularity, d < 1e-3 σ) both use their Taylor series f(0) + f″(0)d²/2 with
 *   𝒮(0) = (1+ζ²σ²) erfcx(ζσ/√2) − ζσ√(2/π),          𝒴(0) = √(2/π)/σ − ζ erfcx(ζσ/√2),
 *   𝒮″(0) = [ζ²𝒮(0) − 2ζ𝒴(0)]/3,                      𝒴″(0) = [ζ²𝒴(0) − 4π(2πσ²)^{-3/2}]/3
 * (from ∇²e^{−ζr} = ζ²e^{−ζr} − 2ζe^{−ζr}/r, (ζ² − ∇²)e^{−ζr}/r = 4πδ, and ∇²f(0) = 3f″(0) for radial f).
 * σ = 0 gives the point limits 𝒮 = e^{−ζd}, 𝒴 = e^{−ζd}/d.
 *
 * Ewald-like split (our construction; exact, proven by the tests): with a split width a > 0 and σ′² = σ² + a²,
 *   m(G) = e^{−a²u/2}(1 + a²u/2),  u = ζ² + G²   (m = 1 and dm/du = 0 at the double pole u = 0 of Ŝ),
 *   long-range part  l̂(G) = Ŝ_ζ(G) e^{−σ²G²/2} m(G),  l(d) = e^{−a²ζ²/2}[𝒮_ζ,σ′(d) + a²ζ 𝒴_ζ,σ′(d)],
 *   short-range part r(d) = 𝒮_ζ,σ(d) − l(d).
 * r̂(G) = 8πζ u^{-2}[1 − e^{−a²u/2}(1 + a²u/2)] e^{−σ²G²/2} is entire in G², so r decays like a Gaussian (the
 * exponential tails e^{ζ²σ²/2}(1−ζσ²/d)e^{−ζd} of 𝒮_σ and of l cancel identically); l̂ decays like e^{−σ′²G²/2}.
 * Units: d and σ in Å, ζ in Å⁻¹; 𝒮 dimensionless, 𝒴 in Å⁻¹, Ŝ in Å³, Ŷ in Å².
 */
import { erfcx } from '../../math/index.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const SQRT2 = Math.SQRT2;

/**
 * P, M and E of one (ζ, σ, d) into pm[0..2] (a typed scratch array: no object allocation or shape changes in the
 * hot loop).
 */
const pm = new Float64Array(3);
function pmEval(zeta: number, sigma: number, d: number): void {
  const s2 = sigma * sigma;
  const E = Math.exp(-(d * d) / (2 * s2));
  const inv = 1 / (SQRT2 * sigma);
  const x1 = (d - zeta * s2) * inv;
  pm[2] = E;
  if (E === 0) {
    pm[0] = 2 * Math.exp(zeta * zeta * s2 / 2 - zeta * d);
    pm[1] = 0;
    return;
  }
  pm[1] = E * erfcx((d + zeta * s2) * inv);
  pm[0] = x1 < 0 ? E * erfcx(-x1) : 2 * Math.exp(zeta * zeta * s2 / 2 - zeta * d) - E * erfcx(x1);
}

/** 𝒮_ζ,σ(0). */
export function slaterAtZero(zeta: number, sigma: number): number {
  if (sigma === 0) return 1;
  const y = zeta * sigma / SQRT2;
  return (1 + zeta * zeta * sigma * sigma) * erfcx(y) - zeta * sigma * SQRT_2_OVER_PI;
}

/** 𝒴_ζ,σ(0), Å⁻¹ (σ > 0). */
export function yukawaAtZero(zeta: number, sigma: number): number {
  return SQRT_2_OVER_PI / sigma - zeta * erfcx(zeta * sigma / SQRT2);
}

/**
 * Gaussian-smeared Slater pair function: writes 𝒮_ζ,σ(d) into out[0] and d𝒮/dd into out[1] (Å⁻¹).
 * σ = 0 gives e^{−ζd}. Cost: two erfcx and two exp.
 */
export function slaterPair(zeta: number, sigma: number, d: number, out: Float64Array): void {
  if (sigma === 0) {
    const e = Math.exp(-zeta * d);
    out[0] = e;
    out[1] = -zeta * e;
    return;
  }
  if (d < 1e-3 * sigma) {
    const s0 = slaterAtZero(zeta, sigma);
    const s2 = (zeta * zeta * s0 - 2 * zeta * yukawaAtZero(zeta, sigma)) / 3;
    out[0] = s0 + 0.5 * s2 * d * d;
    out[1] = s2 * d;
    return;
  }
  pmEval(zeta, sigma, d);
  const P = pm[0], M = pm[1], E = pm[2];
  const zs2 = zeta * sigma * sigma;
  const S = ((d - zs2) * P + (d + zs2) * M) / (2 * d);
  out[0] = S;
  out[1] = (P * (1 - zeta * (d - zs2)) + M * (1 + zeta * (d + zs2)) - 2 * SQRT_2_OVER_PI * zeta * sigma * E) / (2 * d) - S / d;
}

/** Gaussian-smeared Yukawa pair function: out[0] = 𝒴_ζ,σ(d) (Å⁻¹), out[1] = d𝒴/dd (Å⁻²); σ > 0. */
export function yukawaPair(zeta: number, sigma: number, d: number, out: Float64Array): void {
  if (d < 1e-3 * sigma) {
    const y0 = yukawaAtZero(zeta, sigma);
    const y2 = (zeta * zeta * y0 - 4 * Math.PI * Math.pow(2 * Math.PI * sigma * sigma, -1.5)) / 3;
    out[0] = y0 + 0.5 * y2 * d * d;
    out[1] = y2 * d;
    return;
  }
  pmEval(zeta, sigma, d);
  const P = pm[0], M = pm[1], E = pm[2];
  const Y = (P - M) / (2 * d);
  out[0] = Y;
  out[1] = (2 * (SQRT_2_OVER_PI / sigma) * E - zeta * (P + M)) / (2 * d) - Y / d;
}

/** Ŝ_ζ(G) = 8πζ/(ζ²+G²)² as a function of G² (Å³). */
export function slaterFourier(zeta: number, g2: number): number {
  const u = zeta * zeta + g2;
  return (8 * Math.PI * zeta) / (u * u);
}

/**
 * One radial channel of the FKK descriptor with an optional Ewald-like split of width a (Å; a = 0: no split, the
 * whole function in reciprocal space). Provides the reciprocal-space kernel F(G²) = Ŝ e^{−σ²G²/2} m(G) with its
 * G²-derivative, the long-range value l(0) (self term of the reciprocal sum) and the short-range pair function r(d).
 */
export class SlaterChannel {
  readonly zeta: number;
  readonly sigma: number;
  readonly splitA: number;
  /** σ′ = √(σ² + a²). */
  readonly sigmaLong: number;
  private readonly damp: number;
  private readonly tmp = new Float64Array(2);

  constructor(zeta: number, sigma: number, splitA: number) {
    this.zeta = zeta;
    this.sigma = sigma;
    this.splitA = splitA;
    this.sigmaLong = Math.sqrt(sigma * sigma + splitA * splitA);
    this.damp = Math.exp(-splitA * splitA * zeta * zeta / 2);
  }

  /** F(G²) = Ŝ_ζ(G) e^{−σ²G²/2} m(G), Å³. */
  fourier(g2: number): number {
    const a2 = this.splitA * this.splitA;
    const u = this.zeta * this.zeta + g2;
    const m = a2 === 0 ? 1 : Math.exp(-a2 * u / 2) * (1 + a2 * u / 2);
    return (8 * Math.PI * this.zeta / (u * u)) * Math.exp(-this.sigma * this.sigma * g2 / 2) * m;
  }

  /** dF/d(G²), Å⁵. */
  fourierDerivative(g2: number): number {
    const a2 = this.splitA * this.splitA;
    const u = this.zeta * this.zeta + g2;
    const s = 8 * Math.PI * this.zeta / (u * u);
    const gauss = Math.exp(-this.sigma * this.sigma * g2 / 2);
    const m = a2 === 0 ? 1 : Math.exp(-a2 * u / 2) * (1 + a2 * u / 2);
    const dm = a2 === 0 ? 0 : -Math.exp(-a2 * u / 2) * a2 * a2 * u / 4;
    return s * gauss * (dm + m * (-2 / u - this.sigma * this.sigma / 2));
  }

  /** l(0): the value at d = 0 of the part summed in reciprocal space (𝒮_ζ,σ(0) when a = 0). */
  longAtZero(): number {
    if (this.splitA === 0) return slaterAtZero(this.zeta, this.sigma);
    return this.damp * (slaterAtZero(this.zeta, this.sigmaLong) + this.splitA * this.splitA * this.zeta * yukawaAtZero(this.zeta, this.sigmaLong));
  }

  /** Long-range part l(d) and dl/dd into out. */
  long(d: number, out: Float64Array): void {
    if (this.splitA === 0) {
      slaterPair(this.zeta, this.sigma, d, out);
      return;
    }
    const t = this.tmp;
    slaterPair(this.zeta, this.sigmaLong, d, out);
    yukawaPair(this.zeta, this.sigmaLong, d, t);
    const c = this.splitA * this.splitA * this.zeta;
    out[0] = this.damp * (out[0] + c * t[0]);
    out[1] = this.damp * (out[1] + c * t[1]);
  }

  /** Short-range part r(d) = 𝒮_ζ,σ(d) − l(d) and dr/dd into out (identically 0 when a = 0). */
  short(d: number, out: Float64Array): void {
    if (this.splitA === 0) {
      out[0] = 0;
      out[1] = 0;
      return;
    }
    const t = this.tmp;
    this.long(d, out);
    const l0 = out[0], l1 = out[1];
    slaterPair(this.zeta, this.sigma, d, t);
    out[0] = t[0] - l0;
    out[1] = t[1] - l1;
  }
}
