/**
 * Root finding: Brent's method (bisection + secant + inverse quadratic interpolation) on a sign-changing bracket.
 * Reference: R. P. Brent, Algorithms for Minimization without Derivatives (1973), ch. 4; the classic `zeroin`.
 */

/**
 * A root of f in [a, b], where f(a) and f(b) have opposite signs (or one is zero). `tol` is the absolute x tolerance
 * added to 4·eps·|x|. Throws RangeError if the bracket does not change sign or after `maxIter` iterations.
 */
export function brent(f: (x: number) => number, a: number, b: number, tol = 1e-15, maxIter = 200): number {
  let fa = f(a), fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (fa * fb > 0) throw new RangeError(`brent: f(${a}) = ${fa} and f(${b}) = ${fb} have the same sign`);
  let c = a, fc = fa, d = b - a, e = d;
  for (let it = 0; it < maxIter; it++) {
    if (fb * fc > 0) { c = a; fc = fa; d = b - a; e = d; }
    if (Math.abs(fc) < Math.abs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
    const tol1 = 4 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const xm = 0.5 * (c - b);
    if (Math.abs(xm) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) {
        p = 2 * xm * s;
        q = 1 - s;
      } else {
        const qq = fa / fc, r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      if (2 * p < Math.min(3 * xm * q - Math.abs(tol1 * q), Math.abs(e * q))) { e = d; d = p / q; }
      else { d = xm; e = d; }
    } else { d = xm; e = d; }
    a = b; fa = fb;
    b += Math.abs(d) > tol1 ? d : xm > 0 ? tol1 : -tol1;
    fb = f(b);
  }
  throw new RangeError(`brent: no convergence in ${maxIter} iterations`);
}

/**
 * Smallest x in [lo, hi] with err(x) ≤ target, for err decreasing in x (bisection to a relative width 1e-6);
 * lo if already met there, hi if never met. Used to turn accuracy targets into cutoffs.
 */
export function smallestMeeting(err: (x: number) => number, target: number, lo: number, hi: number): number {
  if (err(lo) <= target) return lo;
  if (err(hi) > target) return hi;
  for (let it = 0; it < 60 && hi - lo > 1e-6 * hi; it++) {
    const m = 0.5 * (lo + hi);
    if (err(m) <= target) hi = m;
    else lo = m;
  }
  return hi;
}
