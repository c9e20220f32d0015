/**
 * Convergence, gradient and limit tests of the Ewald solver (and kernels), on random ions in a triclinic cell:
 *  - energy independent of α (3 values, 1e-10 relative) for neutral and charged cells (background term);
 *  - forces and stress = central finite differences (1e-6 relative), also for the charged cell and a Gaussian kernel;
 *  - tr W = E for pure Coulomb (E homogeneous of degree −1);
 *  - huge periodic box → open-boundary direct sum, after the known tin-foil surface term 2π k_e |D|²/(3V);
 *  - Gaussian kernel: short + long = full; α-independence; huge box → direct sum.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COULOMB_EV_A, makeStructure, type Structure } from '../../src/core/index.js';
import { computeElectrostatics, coulombKernel, gaussianKernel, tuneElectrostatics, type Kernel, type SolverParameters } from '../../src/electrostatics/index.js';
import { checkForces, checkStress } from '../helpers/gradient.js';
import { randomIons, TRICLINIC } from './helpers.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

function energyAt(s: Structure, q: Float64Array, k: Kernel, p: SolverParameters): number {
  return computeElectrostatics(s, q, k, p, { forces: false, stress: false }).energyEv;
}

for (const [label, chargeFn] of [['neutral', undefined], ['charged (+2 net)', (i: number) => (i % 2 === 0 ? 1.25 : -1)]] as const) {
  test(`Ewald: energy independent of α (${label})`, () => {
    const { structure: s, charges: q } = randomIons(12, TRICLINIC, 5, 1.6, chargeFn);
    const energies = [0.25, 0.4, 0.6].map((alpha) => {
      const p = tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-14, alphaPerA: alpha });
      return computeElectrostatics(s, q, coulombKernel(), p);
    });
    for (const r of energies.slice(1)) {
      assert.ok(rel(r.energyEv, energies[0].energyEv) < 1e-10, `E = ${r.energyEv} vs ${energies[0].energyEv}`);
      for (let k = 0; k < r.forcesEvPerA!.length; k++) assert.ok(Math.abs(r.forcesEvPerA![k] - energies[0].forcesEvPerA![k]) < 1e-9);
      for (let k = 0; k < 9; k++) assert.ok(Math.abs(r.stressEvPerA3![k] - energies[0].stressEvPerA3![k]) < 1e-10);
    }
    if (chargeFn) assert.ok(Math.abs(energies[0].terms.background) > 1e-3, 'the charged cell has a background term');
  });

  test(`Ewald: forces, stress = finite differences; tr W = E (${label})`, () => {
    const { structure: s, charges: q } = randomIons(10, TRICLINIC, 9, 1.6, chargeFn);
    const p = tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-12 });
    const r = computeElectrostatics(s, q, coulombKernel(), p);
    checkForces((t) => energyAt(t, q, coulombKernel(), p), s, r.forcesEvPerA!, { rtol: 1e-6, h: 1e-4 });
    checkStress((t) => energyAt(t, q, coulombKernel(), p), s, r.stressEvPerA3!, { rtol: 1e-6 });
    const W = r.virialEv!;
    assert.ok(rel(W[0] + W[4] + W[8], r.energyEv) < 1e-9, `tr W = ${W[0] + W[4] + W[8]}, E = ${r.energyEv}`);
    let net = [0, 0, 0];
    for (let k = 0; k < r.forcesEvPerA!.length; k++) net[k % 3] += r.forcesEvPerA![k];
    assert.ok(Math.hypot(...net) < 1e-9, `net force ${net}`);
  });
}

test('charged cell: background energy −π Q² k_e/(2Vα²) and its stress δ_ab E_Q/V', () => {
  const { structure: s, charges: q } = randomIons(6, TRICLINIC, 2, 1.6, (i) => (i < 4 ? 1 : -0.5));
  const alpha = 0.4;
  const p = tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-12, alphaPerA: alpha });
  const r = computeElectrostatics(s, q, coulombKernel(), p);
  const V = Math.abs(s.cell[0] * (s.cell[4] * s.cell[8] - s.cell[5] * s.cell[7]) - s.cell[1] * (s.cell[3] * s.cell[8] - s.cell[5] * s.cell[6]) + s.cell[2] * (s.cell[3] * s.cell[7] - s.cell[4] * s.cell[6]));
  const Q = 3;
  const EQ = (-Math.PI * Q * Q * COULOMB_EV_A) / (2 * V * alpha * alpha);
  assert.ok(rel(r.terms.background, EQ) < 1e-12, `background ${r.terms.background} vs ${EQ}`);
});

test('huge box → open-boundary direct sum (Coulomb and Gaussian kernels)', () => {
  // Tin-foil periodic energy of a neutral cluster = vacuum energy − 2π k_e |D|²/(3V) + O(L⁻⁵) (cubic box):
  // after the surface term the residual must be small and shrink 32× when L doubles.
  const { structure: cluster, charges: q } = randomIons(8, [0, 0, 0], 4, 1.5);
  const D = [0, 0, 0];
  for (let i = 0; i < q.length; i++) for (let k = 0; k < 3; k++) D[k] += q[i] * cluster.positions[3 * i + k];
  for (const kernel of [coulombKernel(), gaussianKernel({ sigmaA: 0.7 })]) {
    const open = computeElectrostatics(cluster, q, kernel, { method: 'direct' });
    const residual = (L: number): number => {
      const box = makeStructure({ symbols: Array(q.length).fill('X'), positions: cluster.positions, cell: [L, 0, 0, 0, L, 0, 0, 0, L] });
      const per = computeElectrostatics(box, q, kernel, tuneElectrostatics(box, q, { method: 'ewald', accuracy: 1e-12 }));
      const surface = (2 * Math.PI * COULOMB_EV_A * (D[0] ** 2 + D[1] ** 2 + D[2] ** 2)) / (3 * L ** 3);
      // forces: the surface term adds (4π k_e/3V) q_i D to the periodic force
      for (let i = 0; i < q.length; i++)
        for (let k = 0; k < 3; k++) {
          const corr = ((4 * Math.PI * COULOMB_EV_A) / (3 * L ** 3)) * q[i] * D[k];
          assert.ok(Math.abs(per.forcesEvPerA![3 * i + k] - corr - open.forcesEvPerA![3 * i + k]) < 2e-3 * (60 / L) ** 5, `${kernel.kind} L ${L}: force ${i},${k}`);
        }
      return per.energyEv + surface - open.energyEv;
    };
    const r1 = residual(100), r2 = residual(200);
    assert.ok(Math.abs(r2 / open.energyEv) < 1e-6, `${kernel.kind}: relative residual ${r2 / open.energyEv} at L = 200`);
    assert.ok(Math.abs(r1 / r2 - 32) < 1.5, `${kernel.kind}: residual ratio ${r1 / r2}, expected 2⁵ = 32`);
  }
});

test('direct sum: forces = finite differences (open boundaries)', () => {
  const { structure: s, charges: q } = randomIons(7, [0, 0, 0], 8, 1.5);
  for (const kernel of [coulombKernel(), gaussianKernel({ sigmaA: 0.5 })]) {
    const r = computeElectrostatics(s, q, kernel, { method: 'direct' });
    checkForces((t) => energyAt(t, q, kernel, { method: 'direct' }), s, r.forcesEvPerA!, { rtol: 1e-7 });
  }
});

test('Gaussian kernel: α-independence, short + long = full, forces and stress by finite differences', () => {
  const k = gaussianKernel({ sigmaA: 0.6 });
  const out = new Float64Array(2), tmp = new Float64Array(2);
  for (const alpha of [0.3, 0.8])
    for (const r of [0.01, 0.5, 1.7, 4]) {
      const sp = k.split(alpha);
      sp.shortRange!(r, out);
      // long-range part erf(βr)/r with β = 1/√(2σ² + 1/α²)
      const beta = 1 / Math.sqrt(2 * 0.36 + 1 / (alpha * alpha));
      k.pair!(r, tmp);
      const lr = tmp[0] - out[0];
      const want = (COULOMB_EV_A * (r < 1e-3 ? 2 * beta / Math.sqrt(Math.PI) : erfRef(beta * r) / r));
      assert.ok(Math.abs(lr - want) < 1e-12 * COULOMB_EV_A * 4, `split at r = ${r}`);
    }
  const { structure: s, charges: q } = randomIons(10, TRICLINIC, 12, 1.6);
  const es = [0.3, 0.45, 0.7].map((alpha) => computeElectrostatics(s, q, k, tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-14, alphaPerA: alpha, realCutoffA: 12 / alpha, kCutoffPerA: 14 * alpha })).energyEv);
  assert.ok(rel(es[1], es[0]) < 1e-10 && rel(es[2], es[0]) < 1e-10, `Gaussian energies ${es}`);
  const p = tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-12, alphaPerA: 0.45, realCutoffA: 12 / 0.45, kCutoffPerA: 14 * 0.45 });
  const r = computeElectrostatics(s, q, k, p);
  checkForces((t) => energyAt(t, q, k, p), s, r.forcesEvPerA!, { rtol: 1e-6 });
  checkStress((t) => energyAt(t, q, k, p), s, r.stressEvPerA3!, { rtol: 1e-6 });
});

/** erf by its Maclaurin/continued series in long double-free form, independent of math/special (for x < 3). */
function erfRef(x: number): number {
  // erf(x) = 2x/√π e^{−x²} Σ (2x²)^n / (1·3·…·(2n+1)), all terms positive
  let term = 1, sum = 1;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return ((2 * x) / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}
