/** Metrics: RMSE/MAE/RMSPE against hand-computed values; per-atom energies, Voigt stress, per-species forces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure } from '../../src/core/index.js';
import { datasetErrors, errorStats } from '../../src/analysis/index.js';

test('errorStats: rmse, mae, rmspe = rmse/std(ref)·100', () => {
  const s = errorStats([1, 2, 3, 5], [1, 1, 3, 3]);
  assert.equal(s.n, 4);
  assert.ok(Math.abs(s.rmse - Math.sqrt(5 / 4)) < 1e-15);
  assert.ok(Math.abs(s.mae - 3 / 4) < 1e-15);
  assert.ok(Math.abs(s.stdReference - 1) < 1e-15);
  assert.ok(Math.abs(s.rmspe - 100 * Math.sqrt(5 / 4)) < 1e-12);
  assert.ok(Number.isNaN(errorStats([1, 2], [3, 3]).rmspe), 'no spread → NaN, not Infinity');
  // compensated sums: a tiny error on a large offset is not lost
  const big = errorStats(Array.from({ length: 1000 }, () => 1e8 + 1e-6), Array.from({ length: 1000 }, () => 1e8));
  assert.ok(Math.abs(big.rmse - 1e-6) < 1e-7);
});

test('datasetErrors: energies per atom, force components per species, symmetric stress', () => {
  const a = makeStructure({ symbols: ['Na', 'Cl'], positions: [[0, 0, 0], [1, 0, 0]], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3],
    labels: { energyEv: -2, forcesEvPerA: Float64Array.from([1, 0, 0, -1, 0, 0]), stressEvPerA3: new Float64Array(9) } });
  const b = makeStructure({ symbols: ['Na', 'Na', 'Cl', 'Cl'], positions: [[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 2, 0]],
    labels: { energyEv: -8 } });
  const err = datasetErrors([a, b], [
    { energyEv: -1, forcesEvPerA: Float64Array.from([1, 0, 0, -1, 0, 1]), stressEvPerA3: Float64Array.from([0, 2, 0, 0, 0, 0, 0, 0, 0]) },
    { energyEv: -8, forcesEvPerA: new Float64Array(12) },
  ]);
  assert.equal(err.structures, 2);
  assert.equal(err.energy!.n, 2);
  assert.ok(Math.abs(err.energy!.rmse - Math.sqrt((0.5 ** 2) / 2)) < 1e-15); // (−1+2)/2 per atom on a, 0 on b
  assert.equal(err.forces!.n, 6); // b has no reference forces
  assert.ok(Math.abs(err.forcesBySpecies.Cl.rmse - Math.sqrt(1 / 3)) < 1e-15);
  assert.equal(err.forcesBySpecies.Na.rmse, 0);
  assert.equal(err.stress!.n, 6);
  assert.ok(Math.abs(err.stress!.rmse - Math.sqrt(1 / 6)) < 1e-15); // xy = (2 + 0)/2 = 1
  assert.deepEqual(err.parityEnergy.reference, [-1, -2]);
});
