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
  // recurrence constants, indexed l*(lmax+1)+m (l ≥ m+2): a = (2l−1)/(l−m), b = (l+m−1)/(l−m); and (2m−1)!! per m
  private readonly ra: Float64Array;
  private readonly rb: Float64Array;
  private readonly dfact: Float64Array;
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
    this.ra = new Float64Array(L1 * L1);
    this.rb = new Float64Array(L1 * L1);
    this.dfact = new Float64Array(L1);
    for (let l = 0; l <= lmax; l++)
      for (let m = 0; m <= l; m++) {
        let ratio = 1; // (l−m)!/(l+m)!
        for (let k = l - m + 1; k <= l + m; k++) ratio /= k;
        this.norm[l * L1 + m] = Math.sqrt(((2 * l + 1) / (4 * Math.PI)) * ratio) * (m === 0 ? 1 : Math.SQRT2);
        this.ra[l * L1 + m] = (2 * l - 1) / (l - m);
        this.rb[l * L1 + m] = (l + m - 1) / (l - m);
      }
    for (let m = 0; m <= lmax; m++) {
      let qmm = 1;
      for (let k = 1; k <= m; k++) qmm *= 2 * k - 1;
      this.dfact[m] = qmm;
    }
    this.q = new Float64Array(L1 * L1);
    this.qz = new Float64Array(L1 * L1);
    this.qr = new Float64Array(L1 * L1);
    this.c = new Float64Array(L1);
    this.s = new Float64Array(L1);
  }

  /**
   * The constant tables of the recurrences (read only), for kernels that evaluate the harmonics elsewhere: norm
   * √2 N_lm or N_l0, a = (2l−1)/(l−m), b = (l+m−1)/(l−m) (each indexed l·(lmax+1) + m) and (2m−1)!! per m.
   */
  tables(): { norm: Float64Array; a: Float64Array; b: Float64Array; doubleFactorial: Float64Array } {
    return { norm: this.norm, a: this.ra, b: this.rb, doubleFactorial: this.dfact };
  }

  /** Y_lm(r̂) for r = (x, y, z) ≠ 0 into `values`. */
  compute(x: number, y: number, z: number): Float64Array {
    const r = Math.sqrt(x * x + y * y + z * z);
    this.values_(x / r, y / r, z / r);
    return this.values;
  }

  /** Y_lm(r̂) into `values` and ∇_r Y_lm(r̂) into `gradients` for r = (x, y, z) ≠ 0. */
  computeWithGradient(x: number, y: number, z: number): void {
    const r = Math.sqrt(x * x + y * y + z * z);
    const ux = x / r, uy = y / r, uz = z / r;
    this.withGradients(ux, uy, uz, 1 / r);
  }

  /** cos/sin recurrences: C_m + i S_m = (x + iy)^m. */
  private azimuth(x: number, y: number): void {
    const c = this.c, s = this.s;
    c[0] = 1; s[0] = 0;
    for (let m = 1; m <= this.lmax; m++) {
      c[m] = x * c[m - 1] - y * s[m - 1];
      s[m] = x * s[m - 1] + y * c[m - 1];
    }
  }

  /** Solid harmonics at a unit vector (ρ = 1 inside the recurrences) into `values`. */
  private values_(x: number, y: number, z: number): void {
    const L = this.lmax, L1 = L + 1, q = this.q, c = this.c, s = this.s, ra = this.ra, rb = this.rb;
    const v = this.values, nrm = this.norm;
    this.azimuth(x, y);
    for (let m = 0; m <= L; m++) {
      const qmm = this.dfact[m];
      q[m * L1 + m] = qmm;
      if (m + 1 <= L) q[(m + 1) * L1 + m] = (2 * m + 1) * z * qmm;
      for (let l = m + 2, i0 = l * L1 + m; l <= L; l++, i0 += L1) q[i0] = ra[i0] * z * q[i0 - L1] - rb[i0] * q[i0 - 2 * L1];
    }
    for (let l = 0; l <= L; l++) {
      const base = l * l + l, row = l * L1;
      v[base] = nrm[row] * q[row] * c[0];
      for (let m = 1; m <= l; m++) {
        const nq = nrm[row + m] * q[row + m];
        v[base + m] = nq * c[m];
        v[base - m] = nq * s[m];
      }
    }
  }

  /**
   * Values and gradients at a unit vector (ρ = 1 inside the recurrences): ∇R_lm(r̂) − l R_lm(r̂) r̂, times ir = 1/|r|.
   * ∇Q = (2x Q_ρ, 2y Q_ρ, Q_z + 2z Q_ρ), ∂_x(C_m, S_m) = m(C_{m−1}, S_{m−1}), ∂_y(C_m, S_m) = m(−S_{m−1}, C_{m−1}).
   */
  private withGradients(x: number, y: number, z: number, ir: number): void {
    const L = this.lmax, L1 = L + 1, q = this.q, qz = this.qz, qr = this.qr, c = this.c, s = this.s, ra = this.ra, rb = this.rb;
    const v = this.values, g = this.gradients, nrm = this.norm;
    this.azimuth(x, y);
    for (let m = 0; m <= L; m++) {
      const qmm = this.dfact[m];
      let i0 = m * L1 + m;
      q[i0] = qmm; qz[i0] = 0; qr[i0] = 0;
      if (m + 1 <= L) {
        i0 += L1;
        q[i0] = (2 * m + 1) * z * qmm;
        qz[i0] = (2 * m + 1) * qmm;
        qr[i0] = 0;
      }
      for (let l = m + 2; l <= L; l++) {
        i0 += L1;
        const a = ra[i0], b = rb[i0], i1 = i0 - L1, i2 = i1 - L1;
        q[i0] = a * z * q[i1] - b * q[i2];
        qz[i0] = a * (q[i1] + z * qz[i1]) - b * qz[i2];
        qr[i0] = a * z * qr[i1] - b * (q[i2] + qr[i2]);
      }
    }
    const x2 = 2 * x, y2 = 2 * y, z2 = 2 * z;
    for (let l = 0; l <= L; l++) {
      const base = l * l + l, row = l * L1;
      for (let m = 0; m <= l; m++) {
        const i = row + m, n = nrm[i], Q = q[i], QR = qr[i];
        const qx = x2 * QR, qy = y2 * QR, qzz = qz[i] + z2 * QR;
        const cm = c[m], k = base + m, vk = n * Q * cm, rad = l * vk;
        v[k] = vk;
        if (m > 0) {
          const c1 = c[m - 1], s1 = s[m - 1], sm = s[m], kk = base - m, vkk = n * Q * sm, radk = l * vkk;
          g[3 * k] = (n * (qx * cm + Q * (m * c1)) - rad * x) * ir;
          g[3 * k + 1] = (n * (qy * cm + Q * (-m * s1)) - rad * y) * ir;
          g[3 * k + 2] = (n * qzz * cm - rad * z) * ir;
          v[kk] = vkk;
          g[3 * kk] = (n * (qx * sm + Q * (m * s1)) - radk * x) * ir;
          g[3 * kk + 1] = (n * (qy * sm + Q * (m * c1)) - radk * y) * ir;
          g[3 * kk + 2] = (n * qzz * sm - radk * z) * ir;
        } else {
          g[3 * k] = (n * (qx * cm + Q * 0) - rad * x) * ir;
          g[3 * k + 1] = (n * (qy * cm + Q * 0) - rad * y) * ir;
          g[3 * k + 2] = (n * qzz * cm - rad * z) * ir;
        }
      }
    }
  }
}
