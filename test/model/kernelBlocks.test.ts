/**
 * KernelModel evaluates the kernel in blocks of atoms (`kernelBlockAtoms`): the work arrays (prepared rows, kernel
 * matrix, gradient coefficients, energy-σ rows) hold at most one block of atoms, and the results do not depend on
 * the block size — energies, forces, stress and per-atom σ bit for bit (each atom's row is computed alone); the total
 * energy σ sums the per-atom rows in another order (species blocks instead of atom order), so to round-off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitModel, loadStructures } from '../../src/api/index.js';
import type { KernelModel } from '../../src/model/index.js';
import { NACL_PBE, TINY_HYPERS } from '../helpers/tinyModel.js';

test('kernel evaluation in blocks of atoms: arrays O(block), results independent of the block size', async () => {
  const data = loadStructures(NACL_PBE).structures;
  const { model } = await fitModel(data.slice(0, 1), { descriptors: 'sr+lr', descriptorHypers: { sr: TINY_HYPERS }, selection: { count: 6 }, threads: 1 }, { onWarning: () => {} });
  const m = model as KernelModel;
  const s = data[3];
  const n = s.species.length;
  const matrix = m.kernel.matrix.bind(m.kernel);
  let maxRows = 0;
  m.kernel.matrix = (a, b) => {
    maxRows = Math.max(maxRows, a.rows);
    return matrix(a, b);
  };
  const run = (block: number) => {
    m.kernelBlockAtoms = block;
    maxRows = 0;
    const r = m.calculate(s, { uncertainty: true, forceUncertainty: false });
    return { r, maxRows };
  };
  const whole = run(1e9);
  assert.equal(whole.maxRows, n / 2); // one species at a time
  for (const block of [1, 5, 13]) {
    const b = run(block);
    assert.equal(b.maxRows, block, `block ${block}: kernel matrix of ${b.maxRows} atoms`);
    assert.equal(Object.is(b.r.energyEv, whole.r.energyEv), true);
    assert.deepEqual(b.r.energiesEv, whole.r.energiesEv);
    assert.deepEqual(b.r.forcesEvPerA, whole.r.forcesEvPerA);
    assert.deepEqual(b.r.stressEvPerA3, whole.r.stressEvPerA3);
    assert.deepEqual(b.r.uncertainty!.energiesEv, whole.r.uncertainty!.energiesEv);
    const u = b.r.uncertainty!.energyEv!, u0 = whole.r.uncertainty!.energyEv!;
    assert.ok(Math.abs(u - u0) <= 1e-12 * u0, `energy σ ${u} vs ${u0}`);
  }
  // with the force uncertainty the whole species' kernel matrix is needed: one block per species
  m.kernelBlockAtoms = 5;
  maxRows = 0;
  m.calculate(s, { uncertainty: true });
  assert.equal(maxRows, n / 2);
});
