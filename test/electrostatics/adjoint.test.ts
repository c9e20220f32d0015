/**
 * Reverse pass and reusable machinery:
 *  - adjoint: ∂/∂r and ∂/∂ε of L = Σ_i Σ_c u_i^c φ_i^c (two channels, random probe weights) = finite differences,
 *    by Ewald and PME, for the Coulomb kernel and a generic Fourier kernel with k = 0 included;
 *  - L equals Σ u φ computed from the forward potentials;
 *  - structure factors by phase recursion = direct cos/sin; kVectors half space: no ±k duplicates, all |k| < k_c.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, withPositions, strained, type Structure } from '../../src/core/index.js';
import { coulombKernel, electrostaticSum, fourierKernel, kVectors, structureFactors, ewaldReciprocal, pmeReciprocal, type Kernel, type SolverParameters } from '../../src/electrostatics/index.js';
import { checkGradient, checkStrainGradient } from '../helpers/gradient.js';
import { randomIons, TRICLINIC } from './helpers.js';

const C = 2;
const { structure: S, charges: q } = randomIons(10, TRICLINIC, 17, 1.6);
const rng = new Rng(3);
const w = Float64Array.from({ length: 10 * C }, (_, k) => (k % C === 0 ? q[k / C] : rng.range(-1, 1)));
const u = Float64Array.from({ length: 10 * C }, () => rng.range(-1, 1));

const cases: [string, Kernel, SolverParameters][] = [
  ['Ewald, Coulomb', coulombKernel(), { method: 'ewald', alphaPerA: 0.45, realCutoffA: 12, kCutoffPerA: 5.5 }],
  ['PME, Coulomb', coulombKernel(), { method: 'pme', alphaPerA: 0.45, realCutoffA: 12, mesh: [16, 16, 16], order: 6 }],
  ['PME, Coulomb, mixed-radix mesh 18×20×30 (half spectrum)', coulombKernel(), { method: 'pme', alphaPerA: 0.45, realCutoffA: 12, mesh: [18, 20, 30], order: 7 }],
  ['PME, Coulomb, odd mesh 15×18×25 (full spectrum)', coulombKernel(), { method: 'pme', alphaPerA: 0.45, realCutoffA: 12, mesh: [15, 18, 25], order: 5 }],
];
for (const [name, kernel, params] of cases) {
  test(`adjoint of Σ u φ = finite differences (${name}, 2 channels)`, () => {
    const L = (s: Structure): number => electrostaticSum(s, kernel, params, { channels: C, sources: w, probes: u }).value!;
    const r = electrostaticSum(S, kernel, params, { channels: C, sources: w, probes: u, potentials: true, strain: true });
    let direct = 0;
    for (let k = 0; k < u.length; k++) direct += u[k] * r.potentials![k];
    assert.ok(Math.abs(direct - r.value!) < 1e-10 * Math.abs(r.value!), `L = ${r.value} vs Σ u φ = ${direct}`);
    checkGradient((x) => L(withPositions(S, Float64Array.from(x))), r.dPositions!, S.positions, { rtol: 1e-6 });
    checkStrainGradient(L, S, r.dStrain!, { rtol: 1e-6 });
  });
}

test('generic Fourier kernel with k = 0 (Gaussian overlap F = e^{−σ²k²}): Ewald = PME, adjoint = finite differences', () => {
  const sig2 = 0.8;
  const kernel = fourierKernel({ value: (k2) => 10 * Math.exp(-sig2 * k2), derivative: (k2) => -10 * sig2 * Math.exp(-sig2 * k2), includeZero: true, name: 'gauss' });
  const F = kernel.split(1).fourier;
  const V = Math.abs(S.cell[0] * (S.cell[4] * S.cell[8] - S.cell[5] * S.cell[7]) - S.cell[1] * (S.cell[3] * S.cell[8] - S.cell[5] * S.cell[6]) + S.cell[2] * (S.cell[3] * S.cell[7] - S.cell[4] * S.cell[6]));
  const req = { positions: S.positions, volume: V, channels: C, sources: w, kernel: F, potentials: true, probes: u, strain: true, cell: S.cell };
  const e = ewaldReciprocal(req, kVectors(S.cell, 7.5));
  const p = pmeReciprocal(req, { mesh: [32, 32, 32], order: 8 });
  for (let k = 0; k < w.length; k++) assert.ok(Math.abs(e.potentials![k] - p.potentials![k]) < 1e-8, `φ ${k}: ${e.potentials![k]} vs ${p.potentials![k]}`);
  const Lof = (s: Structure): number => ewaldReciprocal({ ...req, positions: s.positions, cell: s.cell, volume: Math.abs(det(s.cell)), potentials: false, strain: false }, kVectors(s.cell, 7.5)).value!;
  checkGradient((x) => Lof(withPositions(S, Float64Array.from(x))), e.dPositions!, S.positions, { rtol: 1e-6 });
  checkStrainGradient(Lof, S, e.dStrain!, { rtol: 1e-6 });
  for (let k = 0; k < 9; k++) assert.ok(Math.abs(e.dStrain![k] - p.dStrain![k]) < 1e-7 * Math.max(1, Math.abs(e.dStrain![k])));
  void strained;
});

function det(m: Float64Array): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

test('structure factors (phase recursion) = direct cos/sin; half-space k-vectors', () => {
  const ks = kVectors(S.cell, 6);
  const sf = structureFactors(S.positions, w, C, ks);
  const n = q.length;
  for (let k = 0; k < ks.count; k += 7)
    for (let c = 0; c < C; c++) {
      let re = 0, im = 0;
      for (let j = 0; j < n; j++) {
        const th = ks.kx[k] * S.positions[3 * j] + ks.ky[k] * S.positions[3 * j + 1] + ks.kz[k] * S.positions[3 * j + 2];
        re += w[j * C + c] * Math.cos(th);
        im += w[j * C + c] * Math.sin(th);
      }
      assert.ok(Math.abs(sf.re[c * ks.count + k] - re) < 1e-11 && Math.abs(sf.im[c * ks.count + k] - im) < 1e-11, `S(${k}) channel ${c}`);
    }
  const seen = new Set<string>();
  for (let k = 0; k < ks.count; k++) {
    assert.ok(ks.k2[k] > 0 && ks.k2[k] < 36);
    const m = [ks.m[3 * k], ks.m[3 * k + 1], ks.m[3 * k + 2]];
    assert.ok(!seen.has(m.map((x) => -x).join(',')), `both ±k listed: ${m}`);
    seen.add(m.join(','));
  }
  // count against a brute-force full-space enumeration (half of it)
  let full = 0;
  const b = ks.reciprocal;
  for (let a = -40; a <= 40; a++) for (let bb = -40; bb <= 40; bb++) for (let c = -40; c <= 40; c++) {
    if (!a && !bb && !c) continue;
    const x = a * b[0] + bb * b[3] + c * b[6], y = a * b[1] + bb * b[4] + c * b[7], z = a * b[2] + bb * b[5] + c * b[8];
    if (x * x + y * y + z * z < 36) full++;
  }
  assert.equal(2 * ks.count, full);
});
