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
import { ChargeModel, QeqModel, parseAnyModel, serializeAnyModel } from '../../src/model/index.js';
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

const FRAGMENTS = { startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB'] };

test('sr+qeq with fragments (open, +1 / 0): forces = finite differences; each fragment keeps its charge; q = fragment QEq', () => {
  const base = qeqModel(4, { method: 'direct' });
  const model = new QeqModel({ ...base.qeqParams, fragments: FRAGMENTS });
  const s = randomStructure(new Rng(6), 8, 6.5);
  const open: Structure = makeStructure({ symbols: Array.from(s.species, (k) => s.symbols[k]), positions: Array.from(s.positions), pbc: [false, false, false], info: { indexB: 3, chargeA: 1, chargeB: 0 } });
  // fragments are atom-index ranges: a permutation legitimately changes them
  checkCalculator(model, open, { h: 1e-5, rtol: 1e-6, symmetry: { checks: ['translation', 'rotation'] } });
  const q = model.calculate(open, { forces: false }).charges!;
  const qa = q[0] + q[1] + q[2], qb = q.reduce((a, b) => a + b, 0) - qa;
  assert.ok(Math.abs(qa - 1) < 1e-12 && Math.abs(qb) < 1e-12, `fragment totals ${qa}, ${qb} (want 1, 0)`);
  const f = model.forward(open, false);
  const ref = solveQeq(open, model.esKernel, { method: 'direct' }, { chi: f.g, hardness: Float64Array.from(f.groups.speciesOf, (t) => [10, 12][t]), fragments: f.fragments }).charges;
  for (let i = 0; i < q.length; i++) assert.ok(Math.abs(q[i] - ref[i]) < 1e-10);
});

test('sr+qeq with fragments, periodic (Ewald, −1 / +1): forces and stress = finite differences; fragment totals exact', () => {
  const base = qeqModel(3, EWALD);
  const model = new QeqModel({ ...base.qeqParams, fragments: FRAGMENTS });
  const s0 = randomStructure(new Rng(5), 10, 6.5);
  const s: Structure = { ...s0, info: { indexB: 4, chargeA: -1, chargeB: 1 } };
  // fragments are atom-index ranges: a permutation legitimately changes them
  checkCalculator(model, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, symmetry: { checks: ['translation', 'rotation'] } });
  const q = model.calculate(s, { forces: false }).charges!;
  const qa = q.slice(0, 4).reduce((a, b) => a + b, 0), qb = q.slice(4).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(qa + 1) < 1e-12 && Math.abs(qb - 1) < 1e-12, `fragment totals ${qa}, ${qb} (want −1, +1)`);
});

test('sr+qeq with fragments: a neutral molecule polarises in the field of a far ion (induction ∝ r⁻⁴), sr+q does not', () => {
  // ion: one Na (+1, its own fragment); molecule: a Cl–Na–Cl chain (neutral), its axis along the line to the ion,
  // beyond the descriptor cutoff (4 Å) so every χ is fixed. QEq within the molecule gives it a dipole ∝ the ion's field;
  // the interaction energy minus the ion–permanent-charge term is then −½ α F² ∝ r⁻⁴ at large r (point-dipole limit).
  const base = qeqModel(5, { method: 'direct' });
  const model = new QeqModel({ ...base.qeqParams, fragments: FRAGMENTS });
  const mol = [-2.3, 0, 2.3];
  const at = (r: number | null) => makeStructure({
    symbols: r === null ? ['Cl', 'Na', 'Cl'] : ['Na', 'Cl', 'Na', 'Cl'],
    positions: [...(r === null ? [] : [0, 0, -r]), ...mol.flatMap((z) => [0, 0, z])], pbc: [false, false, false],
    info: r === null ? {} : { indexB: 1, chargeA: 1, chargeB: 0 },
  });
  const q0 = model.calculate(at(null), { forces: false }).charges!; // isolated molecule (permanent charges)
  const ion = model.calculate(makeStructure({ symbols: ['Na'], positions: [0, 0, 0], pbc: [false, false, false], info: { charge: 1 } }), { forces: false }).energyEv;
  const mol0 = model.calculate(at(null), { forces: false }).energyEv;
  const ke = 14.3996454784;
  const induction = (r: number) => {
    const e = model.calculate(at(r), { forces: false }).energyEv - ion - mol0;
    let perm = 0; // the ion with the molecule's permanent charges (erf(d/2s) = 1 to 1e-70 at d ≥ 17 Å, s = 0.7 Å)
    mol.forEach((z, k) => { perm += (ke * q0[k]) / (z + r); });
    return e - perm;
  };
  const e20 = induction(20), e40 = induction(40);
  assert.ok(e20 < -1e-6, `induction lowers the energy: ${e20}`);
  assert.ok(Math.abs(e20 / e40 / 16 - 1) < 0.03, `E_ind(20)/E_ind(40) = ${e20 / e40} (r⁻⁴: 16)`);
  const local = new ChargeModel({ ...randomChargeModel(5, { method: 'direct' }).params, fragments: FRAGMENTS });
  const l1 = local.calculate(at(20), { forces: false }).charges!, l2 = local.calculate(at(40), { forces: false }).charges!;
  for (let i = 0; i < 4; i++) assert.equal(l1[i], l2[i], 'sr+q: the molecule\'s charges do not respond to the ion');
});

test('sr+qeq with fragments: the file round trip keeps the fragments (same energy on a +1 / 0 structure)', () => {
  const model = new QeqModel({ ...qeqModel(5, { method: 'direct' }).qeqParams, fragments: FRAGMENTS });
  const back = parseAnyModel(serializeAnyModel(model), 'mem');
  assert.ok(back instanceof QeqModel);
  const s0 = randomStructure(new Rng(7), 8, 6.5);
  const s = makeStructure({ symbols: Array.from(s0.species, (k) => s0.symbols[k]), positions: Array.from(s0.positions), pbc: [false, false, false], info: { indexB: 3, chargeA: 1, chargeB: 0 } });
  const a = back.calculate(s, { forces: false }), b = model.calculate(s, { forces: false });
  assert.equal(a.energyEv, b.energyEv);
  assert.ok(Math.abs(a.charges![0] + a.charges![1] + a.charges![2] - 1) < 1e-12);
});
