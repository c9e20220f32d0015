/**
 * Proves the symmetries of the FKK descriptor: per-atom features are invariant under rotation of positions and
 * cell, translation and wrapping, equivariant under permutation, and a 2×2×2 supercell gives identical per-atom
 * descriptors (the cell-size-dependent plan changes, the values must not); finite systems likewise.
 */
import { test } from 'node:test';
import { makeStructure, type Structure } from '../../../src/core/index.js';
import { ComputeContext } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { checkInvariance } from '../../helpers/invariance.js';
import { randomIonic } from './helpers.js';

const features = (d: FkkDescriptor) => (s: Structure) => d.compute(s, new ComputeContext(s)).features.data;

test('periodic: rotation, translation, wrap, permutation and 2×2×2 supercell invariance', () => {
  const d = new FkkDescriptor(['Na', 'Cl'], { count: 6, accuracy: 1e-11 });
  // Values reach ~40 (G = 0 term of ζ = 0.0625); the plan's accuracy target is 1e-11 per lattice sum.
  checkInvariance(features(d), randomIonic(21, 8, 6.5, 0.2), { rtol: 1e-11, atol: 1e-9, reps: [2, 2, 2], what: 'fkk' });
});

test('finite system: rotation, translation and permutation invariance', () => {
  const s = makeStructure({ symbols: ['Na', 'Cl', 'Cl', 'Na', 'Na'], positions: [0, 0, 0, 2.4, 0.1, 0, 0.3, 2.6, -0.4, 2.2, 2.5, 1.9, -1.5, 1.2, 2.2] });
  checkInvariance(features(new FkkDescriptor(['Na', 'Cl'], {})), s, { rtol: 1e-12, what: 'fkk finite' });
});
