/** The unrolled PME kernels (pmeKernels.ts, generated) against plain loops over the same spline data, and its spline weights against the B-spline definition, for every order they cover. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { GATHER_FLAT, GATHER_VALUE_FLAT, SPLINE_WEIGHTS, SPREAD_FLAT } from '../../src/electrostatics/pmeKernels.js';
import { bspline } from '../../src/electrostatics/pme.js';

const K1 = 11, K2 = 10, K3 = 13;

/** Random spline data of one atom (index ip = p, offset o1 = 3p: the atom's slot 1 of a two-atom set) with unwrapped rows. */
function atom(p: number, rng: Rng) {
  const th = Float64Array.from({ length: 6 * p }, () => rng.range(-1, 1)), dth = Float64Array.from({ length: 6 * p }, () => rng.range(-1, 1));
  const i1 = new Int32Array(2 * p), i2 = new Int32Array(2 * p);
  for (let j = 0; j < p; j++) { i1[p + j] = ((7 - j + K1) % K1) * K2; i2[p + j] = (4 - j + K2) % K2; }
  return { th, dth, i1, i2, ip: p, o1: 3 * p, f3: K3 - 2 };
}

for (const p of [5, 6, 7, 8]) {
  test(`unrolled PME spread/gather of order ${p} equal plain loops over the same splines`, () => {
    const rng = new Rng(p);
    const a = atom(p, rng);
    const { th, dth, i1, i2, ip, o1, f3 } = a, o2 = o1 + p, o3 = o2 + p;
    const flat = SPREAD_FLAT[p], gat = GATHER_FLAT[p], val = GATHER_VALUE_FLAT[p];
    assert.ok(flat && gat && val, `order ${p} has kernels`);
    // spread: Q(g1, g2, f3 − j3) += q θ1 θ2 θ3
    const grid = new Float64Array(K1 * K2 * K3), ref = new Float64Array(grid.length);
    flat(grid, th, i1, i2, ip, o1, K3, f3, 0.7);
    for (let j1 = 0; j1 < p; j1++) for (let j2 = 0; j2 < p; j2++) for (let j3 = 0; j3 < p; j3++)
      ref[(i1[ip + j1] + i2[ip + j2]) * K3 + f3 - j3] += 0.7 * th[o1 + j1] * th[o2 + j2] * th[o3 + j3];
    for (let g = 0; g < grid.length; g++) assert.ok(Math.abs(grid[g] - ref[g]) <= 1e-15, `spread point ${g}`);
    // gather from a random mesh
    const phi = Float64Array.from({ length: grid.length }, () => rng.normal());
    const out = new Float64Array(4), want = [0, 0, 0, 0];
    gat(phi, th, dth, i1, i2, ip, o1, K3, f3, out);
    for (let j1 = 0; j1 < p; j1++) for (let j2 = 0; j2 < p; j2++) for (let j3 = 0; j3 < p; j3++) {
      const f = phi[(i1[ip + j1] + i2[ip + j2]) * K3 + f3 - j3];
      want[0] += th[o1 + j1] * th[o2 + j2] * th[o3 + j3] * f;
      want[1] += dth[o1 + j1] * th[o2 + j2] * th[o3 + j3] * f;
      want[2] += th[o1 + j1] * dth[o2 + j2] * th[o3 + j3] * f;
      want[3] += th[o1 + j1] * th[o2 + j2] * dth[o3 + j3] * f;
    }
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(out[k] - want[k]) <= 1e-12, `gather component ${k}: ${out[k]} vs ${want[k]}`);
    assert.ok(Math.abs(val(phi, th, i1, i2, ip, o1, K3, f3) - want[0]) <= 1e-12, 'gatherValue');
  });
}

test('unrolled spline weights of orders 5-8 equal the cardinal B-spline M_p(fr + j) and its derivative M_{p-1}(x) − M_{p-1}(x − 1)', () => {
  const rng = new Rng(21);
  for (const p of [5, 6, 7, 8]) {
    const f = SPLINE_WEIGHTS[p];
    assert.ok(f, `order ${p} has spline weights`);
    for (let t = 0; t < 20; t++) {
      const fr = t === 0 ? 0 : rng.uniform();
      const th = new Float64Array(p + 3), dth = new Float64Array(p + 3);
      f(fr, th, dth, 2);
      for (let j = 0; j < p; j++) {
        const x = fr + j;
        assert.ok(Math.abs(th[2 + j] - bspline(p, x)) <= 1e-15, `order ${p} fr ${fr} θ_${j}`);
        assert.ok(Math.abs(dth[2 + j] - (bspline(p - 1, x) - bspline(p - 1, x - 1))) <= 1e-14, `order ${p} fr ${fr} dθ_${j}`);
      }
    }
  }
});
