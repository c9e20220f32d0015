/**
 * The sr+qeq model (charges from charge equilibration with learned electronegativities): forces and stress are
 * finite-difference derivatives of its energy although no dq/dr is formed (stationarity), periodic (Ewald) and open
 * (direct, charged); Σq = Q; the charges are the QEq solution for the model's χ; a far change of the environment
 * moves charges that sr+q (local charges) cannot move; the file round trip keeps the kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Structure } from '../../src/core/index.js';
import { solveQeq } from '../../src/electrostatics/index.js';
import { QeqModel, parseAnyModel, serializeAnyModel } from '../../src/model/index.js';
import { randomChargeModel } from './helpers/chargeModel.js';
import { randomStructure } from './helpers/data.js';
import { checkCalculator } from '../helpers/gradient.js';

const EWALD = { method: 'ewald' as const, alphaPerA: 0.45, realCutoffA: 6, kCutoffPerA: 3.2 };

function qeqModel(seed: number, parameters: ConstructorParameters<typeof QeqModel>[0]['electrostatics']['parameters']): QeqModel {
  const base = randomChargeModel(seed, parameters).params;
  return new QeqModel({ ...base, charges: base.charges.map((c, t) => ({ ...c, offsetE: t === 0 ? -1 : 2 })), hardness: [10, 12] });
}

test('sr+qeq, periodic (Ewald): forces and stress = finite differences; Σq = 0; q = QEq(χ)', () => {
  const model = qeqModel(3, EWALD);
  const s = randomStructure(new Rng(5), 10, 6.5);
  checkCalculator(model, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6 });
  const r = model.calculate(s, { forces: false });
  assert.ok(Math.abs(r.charges!.reduce((a, b) => a + b, 0)) < 1e-12);
  const f = model.forward(s, false);
  const q = solveQeq(s, model.esKernel, EWALD, { chi: f.g, hardness: Float64Array.from(f.groups.speciesOf, (t) => [10, 12][t]) }).charges;
  for (let i = 0; i < q.length; i++) assert.ok(Math.abs(q[i] - r.charges![i]) < 1e-10);
  assert.ok(r.charges!.some((x) => Math.abs(x) > 0.05), 'non-trivial charges');
});

test('sr+qeq, open (direct, Q = −1): forces = finite differences; a far atom moves the charges of a distant group', () => {
  const model = qeqModel(4, { method: 'direct' });
  const s = randomStructure(new Rng(6), 8, 6.5);
  const open: Structure = makeStructure({ symbols: Array.from(s.species, (k) => s.symbols[k]), positions: Array.from(s.positions), pbc: [false, false, false], info: { charge: -1 } });
  checkCalculator(model, open, { h: 1e-5, rtol: 1e-6 });
  assert.ok(Math.abs(model.calculate(open, { forces: false }).charges!.reduce((a, b) => a + b, 0) + 1) < 1e-12);
  // two far groups: moving an atom inside group B changes q in group A (QEq) but not the local g of group A
  const far = (dz: number) => makeStructure({ symbols: ['Na', 'Cl', 'Na', 'Cl'], positions: [0, 0, 0, 2.4, 0, 0, 0, 0, 20, 2.4 + dz, 0, 20], pbc: [false, false, false] });
  const qa = model.calculate(far(0), { forces: false }).charges!, qb = model.calculate(far(0.3), { forces: false }).charges!;
  assert.ok(Math.abs(qa[0] - qb[0]) > 1e-4, `QEq charge of a far atom moves: ${qa[0]} → ${qb[0]}`);
  const local = randomChargeModel(4, { method: 'direct' });
  const la = local.calculate(far(0), { forces: false }).charges!, lb = local.calculate(far(0.3), { forces: false }).charges!;
  assert.ok(Math.abs((la[0] - la[1]) - (lb[0] - lb[1])) < 1e-12, 'sr+q: charge differences within the far group A are unchanged');
});

test('sr+qeq file round trip keeps the kind and the predictions', () => {
  const model = qeqModel(5, EWALD);
  const back = parseAnyModel(serializeAnyModel(model), 'mem');
  assert.ok(back instanceof QeqModel);
  const s = randomStructure(new Rng(7), 10, 6.5);
  assert.equal(back.calculate(s).energyEv, model.calculate(s).energyEv);
});
