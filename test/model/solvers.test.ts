/**
 * Solvers on synthetic normal equations: SVD, Bayesian and ridge agree on a well-posed noisy problem; the SVD cut
 * handles rank deficiency (minimum-norm solution); evidence maximisation converges to a fixed point that is a local
 * maximum of the evidence and estimates the true noise level; covariance factors reproduce (βA + αI)⁻¹.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { getLinalg } from '../../src/math/index.js';
import { evidenceAt, solve, solveBayes, solveSvd, type NormalEquations } from '../../src/model/index.js';
import { symmetricEigen } from '../../src/math/index.js';
import { maxRelativeDifference } from '../helpers/invariance.js';

function problem(seed: number, rows: number, m: number, noise: number, dup = false): { ne: NormalEquations; w: Float64Array } {
  const rng = new Rng(seed);
  const phi = Float64Array.from({ length: rows * m }, () => rng.normal());
  if (dup) for (let r = 0; r < rows; r++) phi[r * m + m - 1] = phi[r * m]; // last column = first column
  const w = Float64Array.from({ length: m }, () => rng.normal());
  if (dup) w[m - 1] = w[0];
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < m; c++) s += phi[r * m + c] * w[c];
    y[r] = s + noise * rng.normal();
  }
  const la = getLinalg();
  const a = new Float64Array(m * m), b = new Float64Array(m);
  la.syrkAccumulate(phi, rows, m, a);
  la.gemvTransposeAccumulate(phi, rows, m, y, b);
  let yy = 0;
  for (const v of y) yy += v * v;
  return { ne: { n: m, a, b, yy, rows }, w };
}

const maxRel = maxRelativeDifference;

test('svd, bayes and ridge agree on a well-posed problem and recover the weights', () => {
  const { ne, w } = problem(1, 400, 15, 0.01);
  const s = solve(ne, { kind: 'svd' }, false);
  const b = solve(ne, { kind: 'bayes' }, false);
  const r = solve(ne, { kind: 'ridge', lambda: 1e-10 }, false);
  assert.equal(s.info.effectiveParameters, 15);
  assert.ok(maxRel(s.weights, w) < 5e-3);
  assert.ok(maxRel(b.weights, s.weights) < 1e-4, `bayes vs svd ${maxRel(b.weights, s.weights)}`);
  assert.ok(maxRel(r.weights, s.weights) < 1e-8);
});

test('evidence maximisation converges, estimates the noise and ends at a local maximum of the evidence', () => {
  const noise = 0.2;
  const { ne } = problem(2, 600, 25, noise);
  const res = solveBayes(ne, {}, false);
  assert.ok(res.info.converged, 'converged');
  assert.ok(Math.abs(res.info.sigmaV! / noise - 1) < 0.1, `σ_v ${res.info.sigmaV} vs ${noise}`);
  const { values, vectors } = symmetricEigen(ne.a.slice(), ne.n);
  const z = new Float64Array(ne.n);
  for (let k = 0; k < ne.n; k++) for (let j = 0; j < ne.n; j++) z[k] += vectors[j * ne.n + k] * ne.b[j];
  const alpha = 1 / res.info.sigmaW! ** 2, beta = 1 / res.info.sigmaV! ** 2;
  const best = evidenceAt(values, z, ne.yy, ne.rows, alpha, beta);
  // fixed point: α = γ/|w|², β = (R − γ)/rss
  assert.ok(Math.abs(best.gamma / best.wNorm2 / alpha - 1) < 1e-8);
  assert.ok(Math.abs((ne.rows - best.gamma) / best.rss / beta - 1) < 1e-8);
  for (const [fa, fb] of [[1.05, 1], [1 / 1.05, 1], [1, 1.05], [1, 1 / 1.05]])
    assert.ok(evidenceAt(values, z, ne.yy, ne.rows, alpha * fa, beta * fb).logEvidence < best.logEvidence);
  assert.ok(Math.abs(best.logEvidence - res.info.logEvidence!) < 1e-9 * Math.abs(best.logEvidence));
});

test('svd: a rank-deficient problem gives the minimum-norm solution with the right rank', () => {
  const { ne, w } = problem(3, 200, 10, 0);
  const { ne: ne2 } = problem(3, 200, 10, 0, true);
  const s = solveSvd(ne2, 1e-9, false);
  assert.equal(s.info.effectiveParameters, 9);
  // duplicated column: the two weights share w0 + w9 equally
  const total = s.weights[0] + s.weights[9];
  assert.ok(Math.abs(s.weights[0] - s.weights[9]) < 1e-6 * Math.abs(total));
  assert.ok(s.info.effectiveRcond! >= 1e-9);
  void ne;
  void w;
});

test('covariance factors: C Cᵀ = (βA + αI)⁻¹ (bayes), σ̂²(A + λI)⁻¹ (ridge)', () => {
  const { ne } = problem(4, 100, 8, 0.1);
  const n = ne.n, la = getLinalg();
  const check = (c: Float64Array, rank: number, p: Float64Array, scale: number): void => {
    // (C Cᵀ) · P = scale · I
    const cct = new Float64Array(n * n);
    la.gemm(n, n, rank, c, c, cct, { transB: true });
    const prod = new Float64Array(n * n);
    la.gemm(n, n, n, cct, p, prod);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(prod[i * n + j] - (i === j ? scale : 0)) < 1e-9 * scale);
  };
  const b = solveBayes(ne, {}, true);
  const alpha = 1 / b.info.sigmaW! ** 2, beta = 1 / b.info.sigmaV! ** 2;
  const pb = Float64Array.from(ne.a, (v) => beta * v);
  for (let i = 0; i < n; i++) pb[i * n + i] += alpha;
  check(b.covarianceFactor!.data, b.covarianceFactor!.rank, pb, 1);
  const r = solve(ne, { kind: 'ridge', lambda: 1e-3 }, true);
  const pr = ne.a.slice();
  for (let i = 0; i < n; i++) pr[i * n + i] += r.info.lambda!;
  check(r.covarianceFactor!.data, n, pr, r.info.sigmaV! ** 2);
});

test('non-finite normal equations and unknown solvers are refused', () => {
  const { ne } = problem(5, 20, 3, 0.1);
  ne.a[4] = NaN;
  assert.throws(() => solve(ne, { kind: 'svd' }, false), /not finite/);
  assert.throws(() => solve(problem(5, 20, 3, 0.1).ne, { kind: 'qr' } as never, false), /unknown solver/);
});
