/**
 * sr+qeq on the CC charged dimer of ../shared/data/lode-charged-dimers (issue 18): the Levenberg–Marquardt steps of
 * the charge fit once drove ln J of one species past exp's range (hardness ∞) and the fit died with the QeqModel
 * constructor's MODEL error; such a step must count as rejected, like one that makes the QEq matrix indefinite.
 * Nightly: one fit on seven dimer frames costs about a minute of CPU.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareModels, loadStructures } from '../../src/api/index.js';
import type { Structure } from '../../src/core/index.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

test('sr+qeq on the CC dimer: a step to a non-finite hardness is rejected, the fit finishes with finite charges', { skip: skipWithoutShared() }, async () => {
  const open = (s: Structure): Structure => ({ ...s, pbc: [false, false, false] });
  const dist = (s: Structure) => Number(s.info.distance);
  const train = loadStructures(sharedPath('data', 'lode-charged-dimers', 'train-id0.xyz')).structures.map(open).sort((a, b) => dist(a) - dist(b));
  const near = train.slice(0, 7), far = train.slice(7);
  const r = await compareModels({
    data: near, test: far, models: ['sr+qeq'], trainSizes: [near.length], seed: 1, energyKey: 'inter_energy',
    targets: ['energy', 'forces'],
    fit: { selection: { count: 128 }, weights: { forces: 1 }, charges: { totalChargeKeys: ['chargeA', 'chargeB'], iterations: 4, tolerance: 1e-4, sigmaA: 1 } },
  });
  const run = r.results.runs[0];
  assert.ok(Number.isFinite(run.energy!.rmseMevPerAtom) && Number.isFinite(run.forces!.rmseMevPerA));
});
