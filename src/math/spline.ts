/**
 * Piecewise Hermite splines of several functions on one uniform grid (tabulated radial functions).
 *
 * - Cubic Hermite (values f and first derivatives f' at the nodes): C¹, error ≤ h⁴/384 · max|f⁗|.
 * - Quintic Hermite (f, f', f''): C², value error O(h⁶), derivative error O(h⁵). Its derivative is the exact
 *   derivative of the interpolant, so forces from it are consistent with energies to round-off.
 * On interval k, with t = (x − x_k)/h ∈ [0, 1] and derivatives scaled by h (m = h f', s = h² f''):
 *   cubic:   p(t) = f₀ + m₀ t + (3Δ − 2m₀ − m₁) t² + (−2Δ + m₀ + m₁) t³,  Δ = f₁ − f₀;
 *   quintic: a₀ = f₀, a₁ = m₀, a₂ = s₀/2, a₃ = 10Δ − 6m₀ − 4m₁ − (3s₀ − s₁)/2,
 *            a₄ = −15Δ + 8m₀ + 7m₁ + (3s₀ − 2s₁)/2, a₅ = 6Δ − 3m₀ − 3m₁ − (s₀ − s₁)/2.
 * Coefficients are stored per interval and function (layout [interval][function][a₀…a_deg]) so one evaluation reads
 * one contiguous block for all functions. Outside [x0, x1] the end polynomials are extrapolated (callers clamp).
 */

export class HermiteSplineSet {
  readonly x0: number;
  readonly x1: number;
  readonly intervals: number;
  readonly functions: number;
  /** Polynomial degree: 3 (cubic) or 5 (quintic). */
  readonly degree: number;
  readonly step: number;
  private readonly invStep: number;
  private readonly coeffs: Float64Array;

  private constructor(x0: number, x1: number, intervals: number, functions: number, degree: number, coeffs: Float64Array) {
    this.x0 = x0; this.x1 = x1; this.intervals = intervals; this.functions = functions; this.degree = degree;
    this.step = (x1 - x0) / intervals;
    this.invStep = 1 / this.step;
    this.coeffs = coeffs;
  }

  /**
   * Build from node data: `values`, `d1` (and `d2` for quintic) are (intervals+1) × functions, row-major by node.
   * Passing `d2` selects the quintic form.
   */
  static fromNodes(x0: number, x1: number, intervals: number, functions: number, values: Float64Array, d1: Float64Array, d2?: Float64Array): HermiteSplineSet {
    if (!(x1 > x0) || !Number.isInteger(intervals) || intervals < 1) throw new RangeError(`HermiteSplineSet: need x1 > x0 and intervals ≥ 1`);
    const nn = (intervals + 1) * functions;
    if (values.length !== nn || d1.length !== nn || (d2 && d2.length !== nn)) throw new RangeError(`HermiteSplineSet: node arrays must have (intervals+1)·functions = ${nn} entries`);
    const h = (x1 - x0) / intervals;
    const deg = d2 ? 5 : 3, st = deg + 1;
    const c = new Float64Array(intervals * functions * st);
    for (let k = 0; k < intervals; k++)
      for (let f = 0; f < functions; f++) {
        const i0 = k * functions + f, i1 = (k + 1) * functions + f, o = (k * functions + f) * st;
        const f0 = values[i0], f1 = values[i1], m0 = h * d1[i0], m1 = h * d1[i1], dd = f1 - f0;
        c[o] = f0;
        c[o + 1] = m0;
        if (!d2) {
          c[o + 2] = 3 * dd - 2 * m0 - m1;
          c[o + 3] = -2 * dd + m0 + m1;
        } else {
          const s0 = h * h * d2[i0], s1 = h * h * d2[i1];
          c[o + 2] = 0.5 * s0;
          c[o + 3] = 10 * dd - 6 * m0 - 4 * m1 - 0.5 * (3 * s0 - s1);
          c[o + 4] = -15 * dd + 8 * m0 + 7 * m1 + 0.5 * (3 * s0 - 2 * s1);
          c[o + 5] = 6 * dd - 3 * m0 - 3 * m1 - 0.5 * (s0 - s1);
        }
      }
    return new HermiteSplineSet(x0, x1, intervals, functions, deg, c);
  }

  /** Sample f (and derivatives) at the nodes with `sample(x, values, d1, d2)` and build the spline. */
  static tabulate(
    x0: number, x1: number, intervals: number, functions: number, degree: 3 | 5,
    sample: (x: number, values: Float64Array, d1: Float64Array, d2: Float64Array) => void,
  ): HermiteSplineSet {
    const nn = (intervals + 1) * functions;
    const v = new Float64Array(nn), a = new Float64Array(nn), b = new Float64Array(nn);
    const tv = new Float64Array(functions), ta = new Float64Array(functions), tb = new Float64Array(functions);
    for (let k = 0; k <= intervals; k++) {
      sample(x0 + ((x1 - x0) * k) / intervals, tv, ta, tb);
      v.set(tv, k * functions);
      a.set(ta, k * functions);
      b.set(tb, k * functions);
    }
    return HermiteSplineSet.fromNodes(x0, x1, intervals, functions, v, a, degree === 5 ? b : undefined);
  }

  /**
   * The packed polynomial coefficients (interval k, function f: degree+1 values at (k·functions + f)·(degree+1), in
   * powers of t = (x − x0)/step − k) and 1/step, for kernels that evaluate the spline elsewhere (read only).
   */
  packed(): { coefficients: Float64Array; invStep: number } {
    return { coefficients: this.coeffs, invStep: this.invStep };
  }

  private locate(x: number): number {
    let k = Math.floor((x - this.x0) * this.invStep);
    if (k < 0) k = 0;
    else if (k >= this.intervals) k = this.intervals - 1;
    return k;
  }

  /** All function values at x into out (length ≥ functions). */
  evaluate(x: number, out: Float64Array): void {
    const k = this.locate(x), t = (x - this.x0) * this.invStep - k, F = this.functions, c = this.coeffs;
    if (this.degree === 5) {
      let o = k * F * 6;
      for (let f = 0; f < F; f++, o += 6)
        out[f] = c[o] + t * (c[o + 1] + t * (c[o + 2] + t * (c[o + 3] + t * (c[o + 4] + t * c[o + 5]))));
    } else {
      let o = k * F * 4;
      for (let f = 0; f < F; f++, o += 4) out[f] = c[o] + t * (c[o + 1] + t * (c[o + 2] + t * c[o + 3]));
    }
  }

  /** Values and first derivatives (d/dx) at x. */
  evaluateWithDerivative(x: number, out: Float64Array, dout: Float64Array): void {
    const k = this.locate(x), t = (x - this.x0) * this.invStep - k, F = this.functions, c = this.coeffs, ih = this.invStep;
    if (this.degree === 5) {
      let o = k * F * 6;
      for (let f = 0; f < F; f++, o += 6) {
        const a1 = c[o + 1], a2 = c[o + 2], a3 = c[o + 3], a4 = c[o + 4], a5 = c[o + 5];
        out[f] = c[o] + t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))));
        dout[f] = (a1 + t * (2 * a2 + t * (3 * a3 + t * (4 * a4 + t * 5 * a5)))) * ih;
      }
    } else {
      let o = k * F * 4;
      for (let f = 0; f < F; f++, o += 4) {
        const a1 = c[o + 1], a2 = c[o + 2], a3 = c[o + 3];
        out[f] = c[o] + t * (a1 + t * (a2 + t * a3));
        dout[f] = (a1 + t * (2 * a2 + t * 3 * a3)) * ih;
      }
    }
  }
}
