/** Hermite splines: exact on polynomials of their degree, and the expected convergence orders (h⁴ cubic, h⁶ quintic). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HermiteSplineSet } from '../../src/math/index.js';

const poly = (c: number[]) => (x: number): [number, number, number] => {
  let v = 0, d = 0, dd = 0;
  c.forEach((a, k) => { v += a * x ** k; if (k > 0) d += k * a * x ** (k - 1); if (k > 1) dd += k * (k - 1) * a * x ** (k - 2); });
  return [v, d, dd];
};

test('cubic reproduces cubics, quintic reproduces quintics (values and derivatives), several functions at once', () => {
  const p3 = poly([0.3, -1, 2, 0.7]), p5 = poly([1, 0.5, -0.25, 0.1, -0.03, 0.002]);
  const sample = (x: number, v: Float64Array, d: Float64Array, dd: Float64Array): void => {
    [v[0], d[0], dd[0]] = p3(x);
    [v[1], d[1], dd[1]] = p5(x);
  };
  const c = HermiteSplineSet.tabulate(-1, 3, 7, 2, 3, sample), q = HermiteSplineSet.tabulate(-1, 3, 7, 2, 5, sample);
  const v = new Float64Array(2), d = new Float64Array(2);
  for (let x = -1; x <= 3; x += 0.0371) {
    c.evaluateWithDerivative(x, v, d);
    assert.ok(Math.abs(v[0] - p3(x)[0]) < 1e-13 && Math.abs(d[0] - p3(x)[1]) < 1e-12);
    q.evaluateWithDerivative(x, v, d);
    assert.ok(Math.abs(v[1] - p5(x)[0]) < 1e-13 && Math.abs(d[1] - p5(x)[1]) < 1e-12);
    q.evaluate(x, v);
    assert.ok(Math.abs(v[1] - p5(x)[0]) < 1e-13);
  }
});

test('convergence: error of sin falls by ≈ 2⁴ (cubic) and ≈ 2⁶ (quintic) when the step halves', () => {
  const sample = (x: number, v: Float64Array, d: Float64Array, dd: Float64Array): void => { v[0] = Math.sin(3 * x); d[0] = 3 * Math.cos(3 * x); dd[0] = -9 * Math.sin(3 * x); };
  const err = (deg: 3 | 5, n: number): number => {
    const s = HermiteSplineSet.tabulate(0, 2, n, 1, deg, sample), v = new Float64Array(1);
    let e = 0;
    for (let k = 0; k <= 1000; k++) { const x = (2 * k) / 1000; s.evaluate(x, v); e = Math.max(e, Math.abs(v[0] - Math.sin(3 * x))); }
    return e;
  };
  const r3 = err(3, 20) / err(3, 40), r5 = err(5, 20) / err(5, 40);
  assert.ok(r3 > 13 && r3 < 19, `cubic ratio ${r3}`);
  assert.ok(r5 > 50 && r5 < 80, `quintic ratio ${r5}`);
});
