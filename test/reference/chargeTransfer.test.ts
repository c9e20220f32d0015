/**
 * The charge-transfer reference: forces and stress of the QEq potential are finite-difference derivatives of its
 * energy (charges re-equilibrated at every displacement), the charges are neutral; in the benchmark the far donor
 * changes the net charge of the probe cluster, no atom of which is within 8 Å of the far cluster (non-local by
 * construction), by an amount that depends on the gap — while a local-charge model (sr+q) moves the probe's charge
 * by the same amount at any gap (the design's argument, checked on a random sr+q model); reproducible for a seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Structure } from '../../src/core/index.js';
import { ChargeModel } from '../../src/model/index.js';
import { chargeTransferDataset, chargeTransferPotential } from '../../src/reference/index.js';
import { checkCalculator } from '../helpers/gradient.js';
import '../model/helpers/pairDescriptor.js';

test('QEq reference potential: forces = finite differences (open clusters, direct sum); stress (periodic, Ewald)', () => {
  const s = chargeTransferDataset({ n: 1, seed: 3, probe: [2, 2, 1], far: [2, 1, 1], gapA: [3, 3] })[1];
  checkCalculator(chargeTransferPotential({ electrostaticsParameters: { method: 'direct' } }), s, { h: 1e-5, rtol: 1e-6 });
  const p = makeStructure({ symbols: Array.from(s.species, (k) => s.symbols[k]).slice(0, 4), positions: Array.from(s.positions.subarray(0, 12), (x) => x + 4), cell: [9, 0, 0, 0.3, 9.5, 0, 0, -0.2, 10] });
  const pot = chargeTransferPotential({ electrostaticsParameters: { method: 'ewald', alphaPerA: 0.4, realCutoffA: 4.5, kCutoffPerA: 3.0 } });
  checkCalculator(pot, p, { h: 1e-5, strainH: 1e-5, rtol: 1e-6 });
});

const probeCharge = (q: Float64Array) => Array.from(q.subarray(0, 18)).reduce((a, b) => a + b, 0);

test('charge-transfer benchmark: the far donor moves ≥ 0.3 e onto the probe beyond any cutoff, by a gap-dependent amount; neutral; reproducible', () => {
  const near = chargeTransferDataset({ n: 1, seed: 1, gapA: [9, 9] }), far = chargeTransferDataset({ n: 1, seed: 1, gapA: [36, 36] });
  const again = chargeTransferDataset({ n: 1, seed: 1, gapA: [9, 9] });
  assert.deepEqual(Array.from(again[1].positions), Array.from(near[1].positions));
  assert.equal(again[1].labels.energyEv, near[1].labels.energyEv);
  const shift: number[] = [];
  for (const [u, d] of [near, far]) {
    assert.equal(u.info.doped, 0);
    assert.equal(d.info.doped, 1);
    for (const f of [u, d]) assert.ok(Math.abs(f.labels.charges!.reduce((a, b) => a + b, 0)) < 1e-10);
    const donor = Array.from(d.species).findIndex((k) => d.symbols[k] === 'Al');
    assert.ok(donor >= 18, 'the donor is in the far cluster');
    for (let i = 0; i < 18; i++)
      for (let j = 18; j < d.species.length; j++) {
        let r2 = 0;
        for (let a = 0; a < 3; a++) r2 += (d.positions[3 * i + a] - d.positions[3 * j + a]) ** 2;
        assert.ok(Math.sqrt(r2) > 8, 'no probe atom within 8 Å (the sr radial cutoff) of the far cluster');
      }
    shift.push(probeCharge(d.labels.charges!) - probeCharge(u.labels.charges!));
  }
  assert.ok(Math.abs(shift[0]) > 0.3 && Math.abs(shift[1]) > 0.3, `probe charge shifts ${shift.join(', ')} e`);
  assert.ok(Math.abs(shift[0] - shift[1]) > 0.1, `gap dependence of the transfer: ${shift[0]} at 9 Å vs ${shift[1]} at 36 Å`);
});

test('charge-transfer benchmark: a local-charge model (sr+q) moves the probe charge by the same amount at any gap (by construction)', () => {
  // a random sr+q model over Na, Cl, Al on the test pair descriptor (cutoff 4 Å)
  const rng = new Rng(7), sp = ['Na', 'Cl', 'Al'], D = 15;
  const rand = (n: number, sc: number) => Float64Array.from({ length: n }, () => sc * Math.abs(rng.normal()));
  const model = new ChargeModel({
    energy: {
      descriptor: { kind: 'test-pair', species: sp, hypers: { cutoffA: 4, gaussians: 5 } }, kernel: { kind: 'polynomial', hypers: { zeta: 2 } },
      species: sp.map((s) => ({ species: s, features: rand(3 * D, 1), weights: rand(3, 0.5), referenceEnergyEv: 0 })),
    },
    charges: sp.map((s, t) => ({ species: s, features: rand(4 * D, 1), weights: rand(4, 0.3), offsetE: [0.8, -0.8, 2][t] })),
    electrostatics: { sigmaA: 1, parameters: { method: 'direct' } },
  });
  const shiftAt = (frames: Structure[]) => probeCharge(model.calculate(frames[1], { forces: false }).charges!) - probeCharge(model.calculate(frames[0], { forces: false }).charges!);
  const a = shiftAt(chargeTransferDataset({ n: 1, seed: 1, gapA: [9, 9] })), b = shiftAt(chargeTransferDataset({ n: 1, seed: 1, gapA: [36, 36] }));
  assert.ok(Math.abs(a) > 1e-3, `sr+q shift ${a} e is not trivially zero`);
  assert.ok(Math.abs(a - b) < 1e-12, `sr+q: ${a} vs ${b} e`);
});
