/** Gauss–Legendre exactness, composite and adaptive rules on integrals with closed forms, Brent's root finder. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussLegendre, compositeGaussLegendre, integrateGaussLegendre, integrateAdaptive, brent, erf } from '../../src/math/index.js';

test('n-point Gauss–Legendre integrates x^k exactly for k ≤ 2n−1 and weights sum to 2', () => {
  for (const n of [1, 2, 5, 16, 33]) {
    const { nodes, weights } = gaussLegendre(n);
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 2) < 1e-14);
    for (let k = 0; k <= 2 * n - 1; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += weights[i] * nodes[i] ** k;
      const exact = k % 2 === 1 ? 0 : 2 / (k + 1);
      assert.ok(Math.abs(s - exact) < 1e-14, `n=${n} k=${k}: ${s} vs ${exact}`);
    }
  }
});

test('composite GL and adaptive GK15 on ∫₀³ e^{−x²} = (√π/2) erf 3 and on a narrow peak', () => {
  const exact = (Math.sqrt(Math.PI) / 2) * erf(3);
  const { nodes, weights } = compositeGaussLegendre(0, 3, 6, 16);
  let s = 0;
  for (let i = 0; i < nodes.length; i++) s += weights[i] * Math.exp(-(nodes[i] ** 2));
  assert.ok(Math.abs(s - exact) < 1e-15);
  assert.ok(Math.abs(integrateGaussLegendre((x) => Math.exp(-x * x), 0, 3, 40) - exact) < 1e-15);
  assert.ok(Math.abs(integrateAdaptive((x) => Math.exp(-(x * x)), 0, 3) - exact) < 1e-14);
  // narrow Gaussian of width 1e-3 at 0.3: ∫ = √(2π)·1e-3 (tails beyond [0,1] are < e^{−45000})
  const peak = integrateAdaptive((x) => Math.exp(-((x - 0.3) ** 2) / 2e-6), 0, 1);
  assert.ok(Math.abs(peak - Math.sqrt(2 * Math.PI) * 1e-3) < 1e-15);
});

test('brent finds roots to machine precision and refuses a bracket without a sign change', () => {
  assert.ok(Math.abs(brent((x) => Math.cos(x), 1, 2) - Math.PI / 2) < 1e-15);
  assert.ok(Math.abs(brent((x) => x ** 3 - 2, 0, 2) - Math.cbrt(2)) < 1e-15);
  assert.throws(() => brent((x) => x * x + 1, -1, 1), RangeError);
});
