/** Spherical Bessel j_l, j_l' and zeros against mpmath (40 digits) and exact closed forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sphericalBesselJ, sphericalBesselJArray, sphericalBesselJDerivative, sphericalBesselJZeros,
} from '../../src/math/index.js';
import { Rng } from '../../src/core/index.js';
import { REF } from './reference/index.js';

// Tolerance: relative 1e-13, plus an absolute floor of 1e-15 for values near a zero of j_l (where the relative error
// of any double-precision evaluation is unbounded: |x|·|j_l'|·ε).
const close = (a: number, b: number, rel = 1e-13, abs = 1e-15): boolean => Math.abs(a - b) <= rel * Math.abs(b) + abs;

test('j_l(x) and j_l\'(x) match mpmath for l ≤ 12, 1e-6 ≤ x ≤ 100 (series, upward and Miller regions)', () => {
  let worst = 0;
  for (const [l, x, v, d] of REF.j) {
    const got = sphericalBesselJ(l, x), gd = sphericalBesselJDerivative(l, x);
    worst = Math.max(worst, Math.abs(got - v) / (Math.abs(v) + 1e-2));
    assert.ok(close(got, v), `j_${l}(${x}) = ${got}, expected ${v}`);
    assert.ok(close(gd, d), `j_${l}'(${x}) = ${gd}, expected ${d}`);
  }
  assert.ok(REF.j.length > 150);
});

test('closed forms: j_0 = sin x/x, j_1 = sin x/x² − cos x/x, j_2 = (3/x³ − 1/x) sin x − 3 cos x/x²', () => {
  const rng = new Rng(5);
  for (let k = 0; k < 200; k++) {
    const x = rng.range(1, 60);
    const j = sphericalBesselJArray(2, x);
    const s = Math.sin(x), c = Math.cos(x);
    assert.ok(Math.abs(j[0] - s / x) < 1e-15);
    assert.ok(Math.abs(j[1] - (s / x ** 2 - c / x)) < 1e-15);
    assert.ok(Math.abs(j[2] - ((3 / x ** 3 - 1 / x) * s - (3 * c) / x ** 2)) < 2e-15);
  }
  assert.equal(sphericalBesselJ(0, 0), 1);
  assert.equal(sphericalBesselJ(3, 0), 0);
});

test('all orders at once agree with one order at a time', () => {
  for (const x of [0.5, 2.2, 6.7, 13.1]) {
    const all = sphericalBesselJArray(10, x);
    for (let l = 0; l <= 10; l++) assert.ok(close(all[l], sphericalBesselJ(l, x), 1e-14, 1e-17));
  }
});

test('zeros of j_l match mpmath besseljzero(l+1/2, n) for l ≤ 8, n ≤ 12; j_0 zeros are nπ', () => {
  for (let l = 0; l <= 8; l++) {
    const z = sphericalBesselJZeros(l, 12);
    for (let n = 1; n <= 12; n++) {
      const ref = REF.jzeros.find((e) => e[0] === l && e[1] === n)![2];
      assert.ok(Math.abs(z[n - 1] - ref) < 1e-13 * ref, `zero ${n} of j_${l}: ${z[n - 1]} vs ${ref}`);
      if (l === 0) assert.ok(Math.abs(z[n - 1] - n * Math.PI) < 1e-14 * n);
    }
  }
  assert.throws(() => sphericalBesselJZeros(-1, 3), RangeError);
});
