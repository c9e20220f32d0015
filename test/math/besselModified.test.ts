/** Scaled modified spherical Bessel e^{−x} i_l(x) against mpmath and closed forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaledModifiedSphericalBesselI, scaledModifiedSphericalBesselIArray } from '../../src/math/index.js';
import { Rng } from '../../src/core/index.js';
import { REF } from './reference/index.js';

test('e^{−x} i_l(x) matches mpmath for l ≤ 10, 1e-8 ≤ x ≤ 700 (no overflow), relative 1e-13', () => {
  for (const [l, x, v] of REF.iscaled) {
    const got = scaledModifiedSphericalBesselI(l, x);
    assert.ok(Math.abs(got - v) <= 1e-13 * Math.abs(v) + 1e-300, `ĩ_${l}(${x}) = ${got}, expected ${v}`);
    // the all-orders routine with a larger lmax switches method at a different x: must agree too
    const all = scaledModifiedSphericalBesselIArray(10, x);
    assert.ok(Math.abs(all[l] - v) <= 1e-13 * Math.abs(v) + 1e-300, `ĩ_${l}(${x}) via lmax=10: ${all[l]}, expected ${v}`);
  }
});

test('closed forms ĩ_0 = (1 − e^{−2x})/(2x), ĩ_1 = [x(1 + e^{−2x}) − (1 − e^{−2x})]/(2x²); x = 0', () => {
  const rng = new Rng(9);
  for (let k = 0; k < 100; k++) {
    const x = rng.range(0.5, 50), u = Math.exp(-2 * x);
    const v = scaledModifiedSphericalBesselIArray(1, x);
    assert.ok(Math.abs(v[0] - (1 - u) / (2 * x)) < 1e-15);
    assert.ok(Math.abs(v[1] - (x * (1 + u) - (1 - u)) / (2 * x * x)) < 1e-14 * v[1]);
  }
  const z = scaledModifiedSphericalBesselIArray(3, 0);
  assert.deepEqual([...z], [1, 0, 0, 0]);
});
