/** Proves the TS reference backend against naive loops and defining identities; symmetricEigen on both backends. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FarfieldError, Rng } from '../../../src/core/index.js';
import { getLinalg, symmetricEigen } from '../../../src/math/linalg/index.js';
import { naiveGemm, randomMatrix, randomSpd, relErr } from './helpers.js';

const la = getLinalg('ts');
const SIZES = [1, 3, 17, 64, 130];

test('ts syrkAccumulate: C += α·AᵀA matches naive product, full symmetric result', () => {
  const rng = new Rng(1);
  for (const [m, n] of [[1, 1], [5, 3], [17, 17], [131, 33], [6, 130]]) {
    const a = randomMatrix(rng, m, n);
    const c0 = randomSpd(rng, n);
    const c = c0.slice();
    la.syrkAccumulate(a, m, n, c, 0.75);
    const ata = naiveGemm(n, n, m, a, a, true, false);
    const want = c0.map((v, i) => v + 0.75 * ata[i]);
    assert.ok(relErr(c, want) < 1e-13, `${m}×${n}`);
  }
});

test('ts gemvTransposeAccumulate: b += α·Aᵀy', () => {
  const rng = new Rng(2);
  const m = 37, n = 19;
  const a = randomMatrix(rng, m, n), y = randomMatrix(rng, m, 1), b = randomMatrix(rng, n, 1);
  const want = naiveGemm(n, 1, m, a, y, true, false).map((v, i) => b[i] - 2 * v);
  la.gemvTransposeAccumulate(a, m, n, y, b, -2);
  assert.ok(relErr(b, want) < 1e-13);
});

test('ts gemm: all transpose combinations, alpha and beta, against a naive triple loop', () => {
  const rng = new Rng(3);
  for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [17, 9, 13], [33, 65, 31]]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n), c = randomMatrix(rng, m, n);
        const ab = naiveGemm(m, n, k, a, b, transA, transB);
        const want = c.map((v, i) => 0.5 * v + 1.5 * ab[i]);
        la.gemm(m, n, k, a, b, c, { transA, transB, alpha: 1.5, beta: 0.5 });
        assert.ok(relErr(c, want) < 1e-13, `${m} ${n} ${k} ${transA} ${transB}`);
      }
    }
  }
  const c = new Float64Array([NaN]);
  la.gemm(1, 1, 1, new Float64Array([2]), new Float64Array([3]), c);
  assert.equal(c[0], 6, 'beta = 0 ignores NaN in C');
});

test('ts cholesky: L·Lᵀ = A, upper triangle zeroed; solves have small residuals', () => {
  const rng = new Rng(4);
  for (const n of SIZES) {
    const a = randomSpd(rng, n);
    const l = a.slice();
    la.cholesky(l, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], 0);
    assert.ok(relErr(naiveGemm(n, n, n, l, l, false, true), a) < 1e-13, `LLᵀ n=${n}`);
    const nrhs = 3;
    const b = randomMatrix(rng, n, nrhs);
    const x = b.slice();
    la.choleskySolve(l, n, x, nrhs);
    assert.ok(relErr(naiveGemm(n, nrhs, n, a, x, false, false), b) < 1e-12, `solve n=${n}`);
    const y = b.slice();
    la.triangularSolve(l, n, y, nrhs, true);
    assert.ok(relErr(naiveGemm(n, nrhs, n, l, y, true, false), b) < 1e-12, `Lᵀ solve n=${n}`);
  }
});

test('ts cholesky: non-SPD matrix → FarfieldError NUMERIC naming the pivot', () => {
  const a = new Float64Array([4, 2, 0, 2, 1, 0, 0, 0, 1]); // singular: pivot 1 is 0
  assert.throws(() => la.cholesky(a, 3), (e: unknown) => e instanceof FarfieldError && e.code === 'NUMERIC' && /pivot 1/.test(e.message));
  assert.throws(() => la.cholesky(new Float64Array([-1]), 1), (e: unknown) => e instanceof FarfieldError && /pivot 0/.test(e.message));
  assert.throws(() => la.cholesky(new Float64Array(3), 2), (e: unknown) => e instanceof FarfieldError && e.code === 'INVALID_INPUT');
});

for (const backend of ['ts', 'wasm'] as const) {
test(`symmetricEigen (${backend}): A·V = V·Λ, VᵀV = I, ascending values`, () => {
  const rng = new Rng(5);
  for (const n of [1, 2, 3, 17, 64, 131, 258]) {
    const g = randomMatrix(rng, n, n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = g[i * n + j] + g[j * n + i];
    const { values, vectors } = symmetricEigen(a, n, backend);
    for (let k = 1; k < n; k++) assert.ok(values[k] >= values[k - 1]);
    const av = naiveGemm(n, n, n, a, vectors, false, false);
    const vl = vectors.map((v, i) => v * values[i % n]);
    assert.ok(relErr(av, vl) < 1e-12 * Math.max(1, n / 10), `AV = VΛ n=${n}: ${relErr(av, vl)}`);
    const vtv = naiveGemm(n, n, n, vectors, vectors, true, false);
    const id = new Float64Array(n * n);
    for (let i = 0; i < n; i++) id[i * n + i] = 1;
    assert.ok(relErr(vtv, id) < 1e-13 * Math.max(1, n), `VᵀV = I n=${n}`);
  }
});

test(`symmetricEigen (${backend}): degenerate and diagonal spectra; input not modified`, () => {
  const n = 20;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = i % 3; // repeated eigenvalues 0,1,2
  const copy = a.slice();
  const { values } = symmetricEigen(a, n, backend);
  assert.deepEqual(a, copy);
  const sorted = Array.from({ length: n }, (_, i) => i % 3).sort((x, y) => x - y);
  assert.deepEqual([...values], sorted);
  const z = symmetricEigen(new Float64Array(9), 3, backend);
  assert.deepEqual([...z.values], [0, 0, 0]);
});
}

test('symmetricEigen: ts and wasm eigenvalues agree to 1e-12 relative', () => {
  const rng = new Rng(6);
  const n = 199;
  const g = randomMatrix(rng, n, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = g[i * n + j] + g[j * n + i];
  assert.ok(relErr(symmetricEigen(a, n, 'wasm').values, symmetricEigen(a, n, 'ts').values) < 1e-12);
});
