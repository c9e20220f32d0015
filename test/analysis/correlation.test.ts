// Spearman's ρ against values worked by hand: the no-ties formula 1 − 6Σd²/(n(n²−1)), and a tie (average ranks;
// ρ = 3/√10, the value scipy.stats.spearmanr gives for these inputs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ranks, spearman, perAtomForceCalibration } from '../../src/analysis/index.js';

test('spearman: monotone ±1, the no-ties formula, average ranks for ties', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // d = (1, −1, 1, −1, 0): ρ = 1 − 6·4/(5·24) = 0.8
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) - 0.8) < 1e-15);
  assert.deepEqual(ranks([1, 2, 2, 3]), [0, 1.5, 1.5, 3]);
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 3 / Math.sqrt(10)) < 1e-15);
});

test('perAtomForceCalibration: per-atom norms of σ and of the force error (3-4-5 triangles)', () => {
  const { sigma, error } = perAtomForceCalibration([3, 4, 0, 0, 0, 2], [1, 1, 1, 0, 0, 0], [1, -2, 5, 0, 6, 8]);
  assert.deepEqual(sigma, [5, 2]);
  assert.deepEqual(error, [5, 10]);
});
