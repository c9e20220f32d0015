/**
 * Real spherical harmonics Y_lm(r̂), orthonormal on the unit sphere, and their Cartesian gradients.
 *
 * Convention (as in featomic / e3nn, no Condon–Shortley phase), with t = cos θ and φ the azimuth of r̂:
 *   Y_l0 = N_l0 P_l(t),  Y_lm = √2 N_lm P_l^m(t) cos(mφ) (m > 0),  Y_l,−m = √2 N_lm P_l^m(t) sin(mφ) (m > 0),
 *   N_lm = √[(2l+1)/(4π) · (l−m)!/(l+m)!],  P_l^m without the (−1)^m phase, so Y_00 = 1/(2√π),
 *   Y_1,−1 = √(3/4π) y/r, Y_10 = √(3/4π) z/r, Y_11 = √(3/4π) x/r.
 * Layout: index l² + l + m (m = −l..l), (lmax+1)² values.
 *
 * Method: regular solid harmonics R_lm(r) = r^l Y_lm(r̂) are polynomials, written as Q_l^m(z, ρ = r²)·{C_m, S_m}(x, y)
 * with C_m + i S_m = (x + iy)^m and
 *   Q_m^m = (2m−1)!!,  Q_{m+1}^m = (2m+1) z Q_m^m,  Q_l^m = [(2l−1) z Q_{l−1}^m − (l+m−1) ρ Q_{l−2}^m]/(l−m).
 * Gradients: ∇R from the same recurrences for ∂Q/∂z and ∂Q/∂ρ (∇ρ = 2r) and ∂_x(C_m + iS_m) = m(C + iS)_{m−1},
 * ∂_y(C_m + iS_m) = i m (C + iS)_{m−1}. Then, evaluated at the unit vector r̂ = r/|r|,
 *   ∇_r Y_lm(r̂) = (∇R_lm(r̂) − l R_lm(r̂) r̂) / |r|   (tangential; scales as 1/|r|).
 * Cost O((lmax+1)²) per vector. Reference: e.g. Helgaker, Jørgensen & Olsen, Molecular Electronic-Structure Theory
 * §6.4 (solid harmonics recurrences).
 */

/** Buffers reused by one evaluator (per lmax): no allocation per call. */
export class SphericalHarmonics {
  readonly lmax: number;
  /** (lmax+1)² values after `compute`. */
  readonly values: Float64Array;
  /** 3·(lmax+1)² gradient components ∂Y_lm/∂(x, y, z) after `computeWithGradient` (layout [lm][xyz]). */
  readonly gradients: Float64Array;
  private readonly norm: Float64Array; // √2 N_lm (m > 0) or N_l0, indexed l*(lmax+1)+m
  private readonly q: Float64Array; // Q_l^m, indexed l*(lmax+1)+m
  private readonly qz: Float64Array;
  private readonly qr: Float64Array;
  private readonly c: Float64Array;
  private readonly s: Float64Array;

  constructor(lmax: number) {
    if (!Number.isInteger(lmax) || lmax < 0) throw new RangeError(`SphericalHarmonics: lmax must be an integer ≥ 0, got ${lmax}`);
    this.lmax = lmax;
    const L1 = lmax + 1;
    this.values = new Float64Array(L1 * L1);
    this.gradients = new Float64Array(3 * L1 * L1);
    this.norm = new Float64Array(L1 * L1);
    for (let l = 0; l <= lmax; l++)
      for (let m = 0; m <= l; m++) {
        let ratio = 1; // (l−m)!/(l+m)!
        for (let k = l - m + 1; k <= l + m; k++) ratio /= k;
        this.norm[l * L1 + m] = Math.sqrt(((2 * l + 1) / (4 * Math.PI)) * ratio) * (m === 0 ? 1 : Math.SQRT2);
      }
    this.q = new Float64Array(L1 * L1);
    this.qz = new Float64Array(L1 * L1);
    this.qr = new Float64Array(L1 * L1);
    this.c = new Float64Array(L1);
    this.s = new Float64Array(L1);
  }

  /** Y_lm(r̂) for r = (x, y, z) ≠ 0 into `values`. */
  compute(x: number, y: number, z: number): Float64Array {
    const r = Math.sqrt(x * x + y * y + z * z);
    this.evaluate(x / r, y / r, z / r, false);
    return this.values;
  }

  /** Y_lm(r̂) into `values` and ∇_r Y_lm(r̂) into `gradients` for r = (x, y, z) ≠ 0. */
  computeWithGradient(x: number, y: number, z: number): void {
    const r = Math.sqrt(x * x + y * y + z * z);
    const ux = x / r, uy = y / r, uz = z / r;
    this.evaluate(ux, uy, uz, true);
    const L1 = this.lmax + 1, v = this.values, g = this.gradients, ir = 1 / r;
    for (let l = 0; l <= this.lmax; l++)
      for (let k = l * l; k < (l + 1) * l + l + 1 && k < L1 * L1; k++) {
        const rad = l * v[k];
        g[3 * k] = (g[3 * k] - rad * ux) * ir;
        g[3 * k + 1] = (g[3 * k + 1] - rad * uy) * ir;
        g[3 * k + 2] = (g[3 * k + 2] - rad * uz) * ir;
      }
  }

  /** Solid harmonics (and their gradients) at a unit vector (ρ = 1 is used inside the recurrences). */
  private evaluate(x: number, y: number, z: number, grad: boolean): void {
    const L = this.lmax, L1 = L + 1, q = this.q, qz = this.qz, qr = this.qr, c = this.c, s = this.s;
    const v = this.values, g = this.gradients, nrm = this.norm;
    c[0] = 1; s[0] = 0;
    for (let m = 1; m <= L; m++) {
      c[m] = x * c[m - 1] - y * s[m - 1];
      s[m] = x * s[m - 1] + y * c[m - 1];
    }
    const rho = 1;
    for (let m = 0; m <= L; m++) {
      // Q_m^m = (2m−1)!!
      let qmm = 1;
      for (let k = 1; k <= m; k++) qmm *= 2 * k - 1;
      q[m * L1 + m] = qmm; qz[m * L1 + m] = 0; qr[m * L1 + m] = 0;
      if (m + 1 <= L) {
        q[(m + 1) * L1 + m] = (2 * m + 1) * z * qmm;
        qz[(m + 1) * L1 + m] = (2 * m + 1) * qmm;
        qr[(m + 1) * L1 + m] = 0;
      }
      for (let l = m + 2; l <= L; l++) {
        const a = (2 * l - 1) / (l - m), b = (l + m - 1) / (l - m);
        const i1 = (l - 1) * L1 + m, i2 = (l - 2) * L1 + m, i0 = l * L1 + m;
        q[i0] = a * z * q[i1] - b * rho * q[i2];
        if (grad) {
          qz[i0] = a * (q[i1] + z * qz[i1]) - b * rho * qz[i2];
          qr[i0] = a * z * qr[i1] - b * (q[i2] + rho * qr[i2]);
        }
      }
    }
    for (let l = 0; l <= L; l++) {
      const base = l * l + l;
      for (let m = 0; m <= l; m++) {
        const i = l * L1 + m, n = nrm[i];
        const Q = q[i];
        v[base + m] = n * Q * c[m];
        if (m > 0) v[base - m] = n * Q * s[m];
        if (grad) {
          // ∇Q = (2x Q_ρ, 2y Q_ρ, Q_z + 2z Q_ρ)
          const qx = 2 * x * qr[i], qy = 2 * y * qr[i], qzz = qz[i] + 2 * z * qr[i];
          const cx = m > 0 ? m * c[m - 1] : 0, cy = m > 0 ? -m * s[m - 1] : 0;
          const k = base + m;
          g[3 * k] = n * (qx * c[m] + Q * cx);
          g[3 * k + 1] = n * (qy * c[m] + Q * cy);
          g[3 * k + 2] = n * qzz * c[m];
          if (m > 0) {
            const sx = m * s[m - 1], sy = m * c[m - 1], kk = base - m;
            g[3 * kk] = n * (qx * s[m] + Q * sx);
            g[3 * kk + 1] = n * (qy * s[m] + Q * sy);
            g[3 * kk + 2] = n * qzz * s[m];
          }
        }
      }
    }
  }
}
