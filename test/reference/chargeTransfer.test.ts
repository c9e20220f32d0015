/**
 * The charge-transfer reference: forces and stress of the QEq potential are finite-difference derivatives of its
 * energy (charges re-equilibrated at every displacement), the charges are neutral, and in the benchmark the far
 * donor changes the net charge of the probe cluster, no atom of which is within 6 Å of the donor (non-local by
 * construction); the generator is reproducible for a seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure } from '../../src/core/index.js';
import { chargeTransferDataset, chargeTransferPotential } from '../../src/reference/index.js';
import { checkCalculator } from '../helpers/gradient.js';

test('QEq reference potential: forces = finite differences (open clusters, direct sum); stress (periodic, Ewald)', () => {
  const s = chargeTransferDataset({ n: 1, atoms: 6, seed: 3 })[1];
  checkCalculator(chargeTransferPotential({ electrostaticsParameters: { method: 'direct' } }), s, { h: 1e-5, rtol: 1e-6 });
  const p = makeStructure({ symbols: Array.from(s.species, (k) => s.symbols[k]).slice(0, 6), positions: Array.from(s.positions.subarray(0, 18), (x, k) => x + (k % 3 === 2 ? 0 : 4)), cell: [9, 0, 0, 0.3, 9.5, 0, 0, -0.2, 10] });
  const pot = chargeTransferPotential({ electrostaticsParameters: { method: 'ewald', alpha: 0.4, realCutoffA: 4.5, kCutoff: 3.0 } });
  checkCalculator(pot, p, { h: 1e-5, strainH: 1e-5, rtol: 1e-6 });
});

test('charge-transfer benchmark: the far donor changes probe charges beyond any cutoff; neutral; reproducible', () => {
  const frames = chargeTransferDataset({ n: 2, seed: 1 });
  assert.equal(frames.length, 4);
  const again = chargeTransferDataset({ n: 2, seed: 1 });
  assert.deepEqual(Array.from(again[3].positions), Array.from(frames[3].positions));
  assert.equal(again[3].labels.energyEv, frames[3].labels.energyEv);
  for (let g = 0; g < 2; g++) {
    const [u, d] = [frames[2 * g], frames[2 * g + 1]];
    assert.equal(u.info.doped, 0);
    assert.equal(d.info.doped, 1);
    for (const f of [u, d]) assert.ok(Math.abs(f.labels.charges!.reduce((a, b) => a + b, 0)) < 1e-10);
    const donor = Array.from(d.species).findIndex((k) => d.symbols[k] === 'Al');
    let far = 0, shift = 0;
    for (let i = 0; i < d.species.length; i++) {
      let r2 = 0;
      for (let a = 0; a < 3; a++) r2 += (d.positions[3 * i + a] - d.positions[3 * donor + a]) ** 2;
      if (d.positions[3 * i + 2] < 8) {
        assert.ok(Math.sqrt(r2) > 6, 'no probe-cluster atom within 6 Å of the donor');
        far++;
        shift += d.labels.charges![i] - u.labels.charges![i];
      }
    }
    assert.equal(far, 16, 'probe cluster');
    assert.ok(Math.abs(shift) > 0.01, `net charge of the probe cluster changes by ${shift} e`);
  }
});
