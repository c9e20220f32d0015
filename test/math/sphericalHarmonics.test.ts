/**
 * Real spherical harmonics: values against scipy (converted to the real, no-Condon–Shortley convention), orthonormality
 * by exact quadrature on the sphere, the addition theorem, and Cartesian gradients against finite differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SphericalHarmonics, gaussLegendre } from '../../src/math/index.js';
import { Rng } from '../../src/core/index.js';
import { REF } from './reference/index.js';

test('Y_lm matches scipy sph_harm converted to real form (l ≤ 7), Y_00 = 1/(2√π), Y_1m ∝ (y, z, x)', () => {
  const Y = new SphericalHarmonics(7);
  for (const [x, y, z, l, m, v] of REF.ylm) {
    const got = Y.compute(x, y, z)[l * l + l + m];
    assert.ok(Math.abs(got - v) < 1e-13, `Y_${l},${m}(${x},${y},${z}) = ${got}, expected ${v}`);
  }
  const v = Y.compute(0.3, -0.4, 1.2), r = Math.hypot(0.3, -0.4, 1.2), c = Math.sqrt(3 / (4 * Math.PI));
  assert.ok(Math.abs(v[0] - 1 / (2 * Math.sqrt(Math.PI))) < 1e-16);
  assert.ok(Math.abs(v[1] - (c * -0.4) / r) < 1e-15 && Math.abs(v[2] - (c * 1.2) / r) < 1e-15 && Math.abs(v[3] - (c * 0.3) / r) < 1e-15);
});

test('orthonormality ∫ Y_lm Y_l\'m\' dΩ = δ by Gauss–Legendre × trapezoid quadrature (exact for l + l\' ≤ 16)', () => {
  const L = 8, Y = new SphericalHarmonics(L), K = (L + 1) ** 2;
  const { nodes, weights } = gaussLegendre(20);
  const nphi = 40;
  const G = new Float64Array(K * K);
  for (let a = 0; a < nodes.length; a++) {
    const t = nodes[a], st = Math.sqrt(1 - t * t);
    for (let b = 0; b < nphi; b++) {
      const phi = (2 * Math.PI * b) / nphi, w = (weights[a] * 2 * Math.PI) / nphi;
      const v = Y.compute(st * Math.cos(phi), st * Math.sin(phi), t);
      for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) G[i * K + j] += w * v[i] * v[j];
    }
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) assert.ok(Math.abs(G[i * K + j] - (i === j ? 1 : 0)) < 1e-13, `<${i}|${j}> = ${G[i * K + j]}`);
});

test('addition theorem Σ_m Y_lm(a) Y_lm(b) = (2l+1)/(4π) P_l(â·b̂)', () => {
  const L = 10, Ya = new SphericalHarmonics(L), Yb = new SphericalHarmonics(L), rng = new Rng(11);
  for (let k = 0; k < 20; k++) {
    const a = [rng.normal(), rng.normal(), rng.normal()], b = [rng.normal(), rng.normal(), rng.normal()];
    const va = Ya.compute(a[0], a[1], a[2]), vb = Yb.compute(b[0], b[1], b[2]);
    const t = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (Math.hypot(a[0], a[1], a[2]) * Math.hypot(b[0], b[1], b[2]));
    let p0 = 1, p1 = t;
    for (let l = 0; l <= L; l++) {
      const pl = l === 0 ? 1 : l === 1 ? t : (() => { const p2 = ((2 * l - 1) * t * p1 - (l - 1) * p0) / l; p0 = p1; p1 = p2; return p2; })();
      let s = 0;
      for (let m = -l; m <= l; m++) s += va[l * l + l + m] * vb[l * l + l + m];
      assert.ok(Math.abs(s - ((2 * l + 1) / (4 * Math.PI)) * pl) < 1e-13, `l=${l}: ${s}`);
    }
  }
});

test('∇_r Y_lm(r̂) equals central finite differences and is tangential (r·∇Y = 0), also on the z axis', () => {
  const L = 6, Y = new SphericalHarmonics(L), F = new SphericalHarmonics(L), rng = new Rng(2);
  const K = (L + 1) ** 2, h = 1e-6;
  const vecs = [[0, 0, 1.7], [0, 0, -0.9], [1e-3, 0, 2]];
  for (let k = 0; k < 10; k++) vecs.push([rng.normal(), rng.normal(), rng.normal()].map((x) => 2 * x));
  for (const r of vecs) {
    Y.computeWithGradient(r[0], r[1], r[2]);
    const g = Y.gradients.slice(), v = Y.values.slice();
    const v2 = F.compute(r[0], r[1], r[2]);
    for (let i = 0; i < K; i++) assert.ok(Math.abs(v[i] - v2[i]) < 1e-15);
    for (let d = 0; d < 3; d++) {
      const p = r.slice(), m = r.slice();
      p[d] += h; m[d] -= h;
      const fp = F.compute(p[0], p[1], p[2]).slice(), fm = F.compute(m[0], m[1], m[2]).slice();
      for (let i = 0; i < K; i++) {
        const fd = (fp[i] - fm[i]) / (2 * h);
        assert.ok(Math.abs(fd - g[3 * i + d]) < 1e-7 * (1 + Math.abs(fd)), `d${d} Y[${i}] at ${r}: ${g[3 * i + d]} vs ${fd}`);
      }
    }
    for (let i = 0; i < K; i++) assert.ok(Math.abs(r[0] * g[3 * i] + r[1] * g[3 * i + 1] + r[2] * g[3 * i + 2]) < 1e-13);
  }
});
