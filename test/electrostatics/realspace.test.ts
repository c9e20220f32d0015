/**
 * Real-space pair sweep (linked cells, half stencil): the same potentials, L, gradient and strain derivative as the
 * geometry module's half neighbour list, in cubic and triclinic cells wide enough for binning (stencil reach 2, 3, 4 bins);
 * the tabulated kernel agrees with the exact one and its forces/stress are derivatives of its energy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COULOMB_EV_A, type Structure } from '../../src/core/index.js';
import { computeElectrostatics, coulombKernel, gaussianKernel, type SolverParameters } from '../../src/electrostatics/index.js';
import { checkForces, checkStress } from '../helpers/gradient.js';
import { realSpaceSum } from '../../src/electrostatics/realspace.js';
import { randomIons, TRICLINIC } from './helpers.js';

for (const [name, cell, n, rc] of [
  ['cubic, bins of r_c/2', [24, 0, 0, 0, 24, 0, 0, 0, 24], 300, 9],
  ['triclinic, bins of r_c/2', TRICLINIC.map((x) => x * 3.2), 250, 8],
  ['cubic, reach 3 (L = 2.38 r_c)', [20, 0, 0, 0, 20, 0, 0, 0, 20], 150, 8.4],
  ['cubic, reach 4 (L = 2.27 r_c)', [20, 0, 0, 0, 20, 0, 0, 0, 20], 150, 8.8],
] as [string, number[], number, number][]) {
  test(`real-space sweep = neighbour-list sum (${name})`, () => {
    const { structure: s, charges: q } = randomIons(n, cell, 17, 1.2, (i) => (i % 3 === 0 ? 1.3 : -0.65));
    for (const kernel of [coulombKernel(), gaussianKernel({ sigmaA: 0.8 })]) {
      const sr = kernel.split(0.4).shortRange!;
      const C = 2;
      const w = new Float64Array(n * C), u = new Float64Array(n * C);
      for (let i = 0; i < n; i++) { w[2 * i] = q[i]; w[2 * i + 1] = Math.sin(i); u[2 * i] = Math.cos(3 * i); u[2 * i + 1] = 0.1 * i; }
      const run = (forceList: boolean) => {
        const phi = new Float64Array(n * C), grad = new Float64Array(3 * n), dS = new Float64Array(9);
        const L = realSpaceSum({ positions: s.positions, cell: s.cell, cutoffA: rc, shortRange: sr, channels: C, sources: w, probes: u, potentials: phi, gradient: grad, strain: dS, forceList });
        return { L, phi, grad, dS };
      };
      const a = run(false), b = run(true);
      const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-11 * Math.max(1, Math.abs(y)), `${what}: ${x} vs ${y}`);
      close(a.L, b.L, 'L');
      for (let k = 0; k < n * C; k++) close(a.phi[k], b.phi[k], `phi ${k}`);
      for (let k = 0; k < 3 * n; k++) close(a.grad[k], b.grad[k], `grad ${k}`);
      for (const k of [0, 1, 2, 4, 5, 8]) close(a.dS[k], b.dS[k], `strain ${k}`);
    }
  });
}

test('tabulated real-space kernel: within 1e-8 of the exact kernel (energy, forces, stress) and FD-consistent', () => {
  const { structure: s, charges: q } = randomIons(200, [22, 0, 0, 3, 21, 0, -2, 1, 23], 29, 0.9);
  for (const kernel of [coulombKernel(), gaussianKernel({ sigmaA: 0.6 })]) {
    const exact: SolverParameters = { method: 'pme', alphaPerA: 0.42, realCutoffA: 8.5, mesh: [30, 30, 30], order: 6 };
    const a = computeElectrostatics(s, q, kernel, exact, { potentials: true });
    const b = computeElectrostatics(s, q, kernel, { ...exact, realSpaceTable: true }, { potentials: true });
    for (let i = 0; i < 200; i++) assert.ok(Math.abs(a.potentials![i] - b.potentials![i]) < 1e-8 * COULOMB_EV_A, `potential ${i}`);
    assert.ok(Math.abs(a.energyEv - b.energyEv) < 1e-10 * Math.abs(a.energyEv), `energy ${a.energyEv} vs ${b.energyEv}`);
    let e2 = 0, f2 = 0;
    for (let k = 0; k < 600; k++) { e2 += (a.forcesEvPerA![k] - b.forcesEvPerA![k]) ** 2; f2 += a.forcesEvPerA![k] ** 2; }
    assert.ok(Math.sqrt(e2 / 200) < 1e-8 * COULOMB_EV_A, `RMS force difference ${Math.sqrt(e2 / 200)} eV/Å`);
    for (let k = 0; k < 9; k++) assert.ok(Math.abs(a.stressEvPerA3![k] - b.stressEvPerA3![k]) < 1e-9, `stress ${k}`);
  }
  const small = randomIons(10, TRICLINIC, 3, 1.2);
  const p: SolverParameters = { method: 'ewald', alphaPerA: 0.5, realCutoffA: 7, kCutoffPerA: 4, realSpaceTable: true };
  const e = (t: Structure): number => computeElectrostatics(t, small.charges, coulombKernel(), p, { forces: false, stress: false }).energyEv;
  const r = computeElectrostatics(small.structure, small.charges, coulombKernel(), p);
  checkForces(e, small.structure, r.forcesEvPerA!, { rtol: 1e-6 });
  checkStress(e, small.structure, r.stressEvPerA3!, { rtol: 1e-6 });
});
