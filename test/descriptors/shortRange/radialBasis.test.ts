/**
 * Radial basis χ_nl (orthonormality, boundary zero) and Gaussian projection h_nl: direct quadrature against scipy
 * reference values, spline against direct evaluation (≤ 1e-10), derivatives against finite differences, σ → 0 limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HermiteSplineSet, integrateAdaptive } from '../../../src/math/index.js';
import { SphericalBesselBasis, GaussianProjection, GaussianProjectionIntegrator, gaussianProjection, cosineCutoff } from '../../../src/descriptors/radial/index.js';
import { REF } from '../../math/reference/index.js';

test('χ_nl are orthonormal on [0, R] with weight r² and vanish at R', () => {
  const b = new SphericalBesselBasis(5, 6, 4);
  for (let l = 0; l <= 4; l++)
    for (let n = 1; n <= 6; n++) {
      assert.ok(Math.abs(b.value(n, l, 5 - 1e-12)) < 1e-10);
      for (let m = n; m <= 6; m++) {
        const s = integrateAdaptive((r) => r * r * b.value(n, l, r) * b.value(m, l, r), 0, 5, { absTol: 1e-13 });
        assert.ok(Math.abs(s - (n === m ? 1 : 0)) < 1e-11, `<${n}${l}|${m}${l}> = ${s}`);
      }
    }
  assert.ok(Math.abs(b.q[0] - Math.PI / 5) < 1e-15); // q_10 = π/R
});

test('h_nl by direct quadrature matches scipy quad (ive) reference values to 1e-12', () => {
  for (const [rc, s, l, n, r, ref] of REF.h) {
    const p = new GaussianProjectionIntegrator(rc, s, n, l);
    const F = p.functions, h = new Float64Array(F), d = new Float64Array(F), dd = new Float64Array(F);
    p.direct(r, h, d, dd);
    const got = h[l * p.nmax + n - 1];
    assert.ok(Math.abs(got - ref) < 1e-12, `h_${n}${l}(${r}; R=${rc}, σ=${s}) = ${got}, expected ${ref}`);
  }
});

test('spline of h_nl agrees with direct quadrature to ≤ 1e-10 at random points; derivatives match too', () => {
  for (const [rc, s, nmax, lmax] of [[5, 0.5, 8, 3], [8, 0.5, 12, 0], [5, 0.5, 8, 6]] as const) {
    const p = gaussianProjection(rc, s, nmax, lmax);
    assert.ok(p.splineError <= 1e-10);
    const F = p.functions, h = new Float64Array(F), d = new Float64Array(F), dd = new Float64Array(F);
    const sv = new Float64Array(F), sd = new Float64Array(F);
    for (let k = 0; k < 60; k++) {
      const r = (rc * (k + 0.37 * ((k * 7) % 5))) / 62;
      p.direct(r, h, d, dd);
      p.evaluateWithDerivative(r, sv, sd);
      for (let f = 0; f < F; f++) {
        assert.ok(Math.abs(sv[f] - h[f]) <= 1e-10, `h[${f}](${r}): ${sv[f]} vs ${h[f]}`);
        assert.ok(Math.abs(sd[f] - d[f]) <= 1e-8, `h'[${f}](${r}): ${sd[f]} vs ${d[f]}`);
      }
    }
  }
});

test('direct h\' and h\'\' equal central differences of direct h', () => {
  const p = new GaussianProjectionIntegrator(5, 0.5, 4, 3);
  const F = p.functions, h = new Float64Array(F), d = new Float64Array(F), dd = new Float64Array(F);
  const hp = new Float64Array(F), hm = new Float64Array(F), dp = new Float64Array(F), dm = new Float64Array(F), x = new Float64Array(F);
  const e = 1e-5;
  for (const r of [0, 0.3, 1.7, 3.3, 4.9]) {
    p.direct(r, h, d, dd);
    p.direct(r + e, hp, dp, x);
    if (r === 0) {
      // one-sided at r = 0: h(e) ≈ h(0) + e h'(0) + e²/2 h''(0)
      for (let f = 0; f < F; f++) assert.ok(Math.abs(hp[f] - h[f] - e * d[f] - 0.5 * e * e * dd[f]) < 1e-12);
      continue;
    }
    p.direct(r - e, hm, dm, x);
    for (let f = 0; f < F; f++) {
      assert.ok(Math.abs((hp[f] - hm[f]) / (2 * e) - d[f]) < 1e-8, `h' f=${f} r=${r}`);
      assert.ok(Math.abs((dp[f] - dm[f]) / (2 * e) - dd[f]) < 1e-7, `h'' f=${f} r=${r}`);
    }
  }
});

test('σ → 0: h_nl(r) → f_cut(r) χ_nl(r), error falling like σ²', () => {
  const rc = 5, nmax = 4, lmax = 3, F = (lmax + 1) * nmax;
  const b = new SphericalBesselBasis(rc, nmax, lmax);
  const errs: number[] = [];
  for (const s of [0.04, 0.02, 0.01]) {
    const p = new GaussianProjectionIntegrator(rc, s, nmax, lmax);
    const h = new Float64Array(F), d = new Float64Array(F), dd = new Float64Array(F), chi = new Float64Array(F);
    let err = 0;
    for (const r of [0.8, 1.9, 2.6, 3.4, 4.2]) {
      p.direct(r, h, d, dd);
      b.values(r, chi);
      for (let f = 0; f < F; f++) err = Math.max(err, Math.abs(h[f] - cosineCutoff(r, rc) * chi[f]));
    }
    errs.push(err);
  }
  assert.ok(errs[2] < 2e-3, `error at σ = 0.01: ${errs[2]}`);
  assert.ok(errs[0] / errs[1] > 3.5 && errs[1] / errs[2] > 3.5, `errors ${errs}`);
});

test('GaussianProjection tables = a fresh quintic tabulation of direct quadrature at the accepted grid, bit for bit (the doubling reuses its nodes and midpoints)', () => {
  for (const [R, s, n, l] of [[8, 0.5, 8, 0], [5, 0.5, 6, 3], [4.5, 0.7, 5, 6]]) {
    const g = new GaussianProjection(R, s, n, l);
    const F = g.functions, coeffs = g.spline.packed().coefficients;
    const intervals = coeffs.length / (F * 6);
    assert.ok(Number.isInteger(intervals) && intervals >= 16, `a doubled grid (${intervals})`);
    const fresh = HermiteSplineSet.tabulate(0, R, intervals, F, 5, (r, a, b, c) => g.integrator.direct(r, a, b, c)).packed().coefficients;
    let mismatches = 0;
    for (let i = 0; i < coeffs.length; i++) if (!Object.is(coeffs[i], fresh[i])) mismatches++;
    assert.equal(mismatches, 0, `R ${R} σ ${s} nmax ${n} lmax ${l}: ${mismatches} of ${coeffs.length} coefficients differ`);
  }
});
