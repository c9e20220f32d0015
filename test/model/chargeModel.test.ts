/**
 * The latent-charge model (sr+q): forces and stress are finite-difference derivatives of its energy (periodic PME
 * and Ewald, open boundaries by direct summation), the charges sum to the structure's total charge exactly for any
 * weights, and its electrostatic part equals an independent ElectrostaticsCalculator evaluation of its own charges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Structure } from '../../src/core/index.js';
import { ElectrostaticsCalculator, gaussianKernel } from '../../src/electrostatics/index.js';
import { ChargeModel, parseAnyModel, serializeAnyModel } from '../../src/model/index.js';
import { randomChargeModel } from './helpers/chargeModel.js';
import './helpers/pairDescriptor.js';
import { randomStructure } from './helpers/data.js';
import { checkCalculator } from '../helpers/gradient.js';

function open(s: Structure): Structure {
  return makeStructure({ symbols: s.species.length ? Array.from(s.species, (k) => s.symbols[k]) : [], positions: Array.from(s.positions), pbc: [false, false, false] });
}

const PME = { method: 'pme' as const, alphaPerA: 0.45, realCutoffA: 6, mesh: [16, 16, 16] as [number, number, number], order: 6 };
const EWALD = { method: 'ewald' as const, alphaPerA: 0.45, realCutoffA: 6, kCutoffPerA: 3.2 };

for (const [name, params] of [['pme', PME], ['ewald', EWALD]] as const) {
  test(`sr+q, periodic (${name}): forces and stress = finite differences of the energy`, () => {
    const model = randomChargeModel(3, params);
    const s = randomStructure(new Rng(5), 10, 6.5);
    // PME's mesh interpolation breaks translation invariance (~1e-6 eV/Å in forces): symmetry checked with Ewald only
    checkCalculator(model, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, symmetry: name === 'pme' ? false : undefined });
  });
}

test('sr+q, open boundaries (direct sum): forces = finite differences of the energy; charged structure', () => {
  const model = randomChargeModel(4, { method: 'direct' });
  const s = open(randomStructure(new Rng(6), 9, 6.5));
  s.info.charge = 1;
  checkCalculator(model, s, { h: 1e-5, rtol: 1e-6 });
});

test('sr+q: Σq = Q exactly for any weights (Q = 0, info charge, summed info keys)', () => {
  const s = randomStructure(new Rng(7), 11, 6.5);
  for (const seed of [1, 2, 3]) {
    const model = randomChargeModel(seed, PME);
    const q0 = model.calculate(s, { forces: false }).charges!;
    assert.ok(Math.abs(q0.reduce((a, b) => a + b, 0)) < 1e-13, 'neutral');
    assert.ok(q0.some((x) => Math.abs(x) > 0.1), 'charges are not trivially zero');
    const t: Structure = { ...s, info: { ...s.info, charge: -2 } };
    const q1 = model.calculate(t, { forces: false }).charges!;
    assert.ok(Math.abs(q1.reduce((a, b) => a + b, 0) + 2) < 1e-13, 'Q = −2');
  }
  const m2 = new ChargeModel({ ...randomChargeModel(1, PME).params, totalChargeKeys: ['chargeA', 'chargeB'] });
  const t: Structure = { ...s, info: { ...s.info, chargeA: 1, chargeB: 1 } };
  assert.ok(Math.abs(m2.calculate(t, { forces: false }).charges!.reduce((a, b) => a + b, 0) - 2) < 1e-13);
});

test('sr+q: energy − Σε equals the electrostatics calculator on the predicted Gaussian charges (σ = √2 s)', () => {
  const model = randomChargeModel(9, PME);
  const s = randomStructure(new Rng(8), 10, 6.5);
  const r = model.calculate(s, { forces: false });
  const withQ: Structure = { ...s, arrays: { ...s.arrays, qpred: { type: 'R', width: 1, data: r.charges! } } };
  const es = new ElectrostaticsCalculator({ charges: { array: 'qpred' }, kernel: gaussianKernel({ sigmaA: Math.SQRT2 * 0.7 }), parameters: PME });
  const f = model.forward(s, false);
  const eps = f.epsilon.reduce((a, b) => a + b, 0);
  const e = es.calculate(withQ, { forces: false, stress: false }).energyEv;
  assert.ok(Math.abs(r.energyEv - eps - e) < 1e-10 * Math.abs(e), `${r.energyEv - eps} vs ${e}`);
  assert.ok(Math.abs(e) > 0.1, 'electrostatic part is not negligible');
});

test('sr+q with fragments (a charged dimer): each fragment keeps its own total charge exactly; forces = finite differences; PME too', () => {
  const base = randomChargeModel(4, { method: 'direct' });
  const model = new ChargeModel({ ...base.params, fragments: { startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB'] } });
  const s = open(randomStructure(new Rng(6), 9, 6.5));
  s.info.indexB = 4; s.info.chargeA = 1; s.info.chargeB = -2;
  const q = model.calculate(s, { forces: false }).charges!;
  const qa = q.subarray(0, 4).reduce((a, b) => a + b, 0), qb = q.subarray(4).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(qa - 1) < 1e-13 && Math.abs(qb + 2) < 1e-13, `fragment charges ${qa}, ${qb}`);
  // (fragments follow atom order, so the permutation check does not apply)
  checkCalculator(model, s, { h: 1e-5, rtol: 1e-6, symmetry: false });
  const periodic = randomStructure(new Rng(5), 10, 6.5);
  Object.assign(periodic.info, { indexB: 3, chargeA: 0.5, chargeB: -0.5 });
  const pm = new ChargeModel({ ...randomChargeModel(3, PME).params, fragments: { startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB'] } });
  checkCalculator(pm, periodic, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, symmetry: false });
  const back = parseAnyModel(serializeAnyModel(model), 'mem');
  assert.deepEqual(Array.from(back.calculate(s, { forces: false }).charges!), Array.from(q), 'file round trip keeps the fragments');
  // without the keys: one fragment with the total charge
  const plain = open(randomStructure(new Rng(6), 9, 6.5));
  plain.info.charge = 1;
  assert.ok(Math.abs(model.calculate(plain, { forces: false }).charges!.reduce((a, b) => a + b, 0) - 1) < 1e-13);
});
