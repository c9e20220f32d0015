/**
 * PME: equals Ewald at matched accuracy (RMS force difference below the requested relative accuracy × k_e, energy
 * likewise) on random melts; forces and stress of the PME energy = finite differences (SPME forces are exact
 * derivatives of its approximate energy); B-splines: partition of unity and the derivative identity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COULOMB_EV_A, FarfieldError, type Structure } from '../../src/core/index.js';
import { AUTO_PME_ATOMS, bspline, computeElectrostatics, coulombKernel, tuneElectrostatics, type SolverParameters } from '../../src/electrostatics/index.js';
import { isFftSize } from '../../src/math/index.js';
import { checkForces, checkStress } from '../helpers/gradient.js';
import { randomIons, TRICLINIC } from './helpers.js';

test('B-splines: partition of unity and M_p(x) = M_p(p − x)', () => {
  for (const p of [2, 3, 4, 6, 8])
    for (const x of [0.1, 0.37, 0.9]) {
      let s = 0;
      for (let j = 0; j < p; j++) s += bspline(p, x + j);
      assert.ok(Math.abs(s - 1) < 1e-14, `order ${p}: Σ M_p = ${s}`);
      assert.ok(Math.abs(bspline(p, x + 0.5) - bspline(p, p - x - 0.5)) < 1e-14);
    }
});

for (const accuracy of [1e-4, 1e-6, 1e-8]) {
  test(`PME = Ewald at relative accuracy ${accuracy} (64-ion melt, cubic, and triclinic)`, () => {
    for (const [cell, n] of [[[12.59, 0, 0, 0, 12.59, 0, 0, 0, 12.59], 64], [TRICLINIC.map((x) => x * 1.6), 48]] as [number[], number][]) {
      const { structure: s, charges: q } = randomIons(n, cell, 21, 2.0);
      const ref = computeElectrostatics(s, q, coulombKernel(), tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-12 }));
      const p = tuneElectrostatics(s, q, { method: 'pme', accuracy });
      const r = computeElectrostatics(s, q, coulombKernel(), p);
      let e2 = 0;
      for (let k = 0; k < 3 * n; k++) e2 += (r.forcesEvPerA![k] - ref.forcesEvPerA![k]) ** 2;
      const rms = Math.sqrt(e2 / n) / COULOMB_EV_A;
      assert.ok(rms < accuracy, `RMS force error ${rms.toExponential(2)} (relative to k_e) > ${accuracy}; mesh ${p.mesh} order ${p.order} α ${p.alphaPerA}`);
      assert.ok(Math.abs(r.energyEv - ref.energyEv) / n < 10 * accuracy * COULOMB_EV_A, `energy ${r.energyEv} vs ${ref.energyEv}`);
      for (let k = 0; k < 9; k++) assert.ok(Math.abs(r.stressEvPerA3![k] - ref.stressEvPerA3![k]) < 10 * accuracy * COULOMB_EV_A, `stress ${k}`);
    }
  });
}

test('PME forces and stress = finite differences of the PME energy (triclinic, charged)', () => {
  const { structure: s, charges: q } = randomIons(12, TRICLINIC, 31, 1.6, (i) => (i % 3 === 0 ? 1.5 : -0.5));
  const p: SolverParameters = { method: 'pme', alphaPerA: 0.45, realCutoffA: 7, mesh: [16, 16, 16], order: 6 };
  const e = (t: Structure): number => computeElectrostatics(t, q, coulombKernel(), p, { forces: false, stress: false }).energyEv;
  const r = computeElectrostatics(s, q, coulombKernel(), p);
  checkForces(e, s, r.forcesEvPerA!, { rtol: 1e-6 });
  checkStress(e, s, r.stressEvPerA3!, { rtol: 1e-6 });
  for (const order of [3, 4, 5]) {
    const po = { ...p, order };
    const ro = computeElectrostatics(s, q, coulombKernel(), po);
    checkForces((t) => computeElectrostatics(t, q, coulombKernel(), po, { forces: false, stress: false }).energyEv, s, ro.forcesEvPerA!, { rtol: 1e-6, subset: 9 });
  }
});

test('PME on mixed-radix and odd meshes: = Ewald at matched accuracy, energy forces and stress = finite differences', () => {
  const { structure: s, charges: q } = randomIons(64, [12.59, 0, 0, 0, 12.59, 0, 0, 0, 12.59], 21, 2.0);
  const ref = computeElectrostatics(s, q, coulombKernel(), tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-12 }));
  for (const mesh of [[30, 30, 30], [27, 25, 45], [24, 36, 35]] as [number, number, number][]) {
    const p: SolverParameters = { ...tuneElectrostatics(s, q, { method: 'pme', accuracy: 1e-7 }), mesh, order: 8 };
    const r = computeElectrostatics(s, q, coulombKernel(), p);
    let e2 = 0;
    for (let k = 0; k < 3 * 64; k++) e2 += (r.forcesEvPerA![k] - ref.forcesEvPerA![k]) ** 2;
    const rms = Math.sqrt(e2 / 64) / COULOMB_EV_A;
    assert.ok(rms < 1e-6, `mesh ${mesh}: RMS force error ${rms.toExponential(2)}`);
    assert.ok(Math.abs(r.energyEv - ref.energyEv) < 1e-5 * Math.abs(ref.energyEv), `mesh ${mesh}: energy ${r.energyEv} vs ${ref.energyEv}`);
  }
  const small = randomIons(12, TRICLINIC, 31, 1.6, (i) => (i % 3 === 0 ? 1.5 : -0.5));
  const p: SolverParameters = { method: 'pme', alphaPerA: 0.45, realCutoffA: 7, mesh: [15, 20, 21], order: 5 };
  const e = (t: Structure): number => computeElectrostatics(t, small.charges, coulombKernel(), p, { forces: false, stress: false }).energyEv;
  const r = computeElectrostatics(small.structure, small.charges, coulombKernel(), p);
  checkForces(e, small.structure, r.forcesEvPerA!, { rtol: 1e-6 });
  checkStress(e, small.structure, r.stressEvPerA3!, { rtol: 1e-6 });
});

test('tune: mesh lengths are even 2^a 3^b 5^c; the estimated errors meet the request; auto picks PME above AUTO_PME_ATOMS', () => {
  const { structure: s, charges: q } = randomIons(64, [12.59, 0, 0, 0, 12.59, 0, 0, 0, 12.59], 21, 2.0);
  for (const accuracy of [1e-4, 1e-6, 1e-8]) {
    const p = tuneElectrostatics(s, q, { method: 'pme', accuracy });
    for (const K of p.mesh!) {
      assert.ok(K % 2 === 0 && isFftSize(K) && !(K % 7 === 0), `mesh length ${K}`);
    }
    assert.ok(p.reciprocalErrorEvPerA! <= (accuracy * COULOMB_EV_A) / Math.SQRT2 * (1 + 1e-9), `k-space estimate ${p.reciprocalErrorEvPerA}`);
    assert.equal(p.realSpaceTable === true, accuracy >= 1e-7);
  }
  assert.equal(tuneElectrostatics(s, q).method, 64 < AUTO_PME_ATOMS ? 'ewald' : 'pme');
});

test('a PME mesh too large to allocate is a FarfieldError naming the mesh with a hint (not "Array buffer allocation failed")', () => {
  const { structure: s, charges: q } = randomIons(4, [8, 0, 0, 0, 8, 0, 0, 0, 8], 3);
  const p = tuneElectrostatics(s, q, { method: 'pme', accuracy: 1e-4 });
  assert.throws(
    () => computeElectrostatics(s, q, coulombKernel(), { ...p, mesh: [1024, 1024, 1024] }),
    (e: unknown) => e instanceof FarfieldError && e.location?.field === 'mesh' && /PME mesh 1024×1024×1024 .*hint: .*--method ewald/.test(e.message),
  );
});
