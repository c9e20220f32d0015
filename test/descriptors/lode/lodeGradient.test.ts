/**
 * Proves the LODE reverse pass and symmetries: for E = Σ w·X (random fixed weights) backward equals central finite
 * differences of positions and strain (periodic: reciprocal sum with a fixed G cutoff; open: quadrature pair sum);
 * features are rotation/translation/wrap/permutation invariant and a 2×2×2 supercell gives identical rows.
 */
import { test } from 'node:test';
import { makeStructure, type Structure } from '../../../src/core/index.js';
import { ComputeContext } from '../../../src/descriptors/index.js';
import { LodeDescriptor } from '../../../src/descriptors/lode/index.js';
import { checkDescriptorGradients } from '../../helpers/descriptorGradients.js';
import { checkInvariance } from '../../helpers/invariance.js';
import { randomIonic } from '../longRange/helpers.js';

function check(d: LodeDescriptor, s: Structure, what: string): void {
  checkDescriptorGradients(d, s, { weightSeed: 3, rtol: 1e-6, what });
}

test('periodic LODE: backward = finite differences (positions, strain)', () => {
  check(new LodeDescriptor(['Na', 'Cl'], { cutoffA: 3, count: 3, smearingA: 0.5, kCutoffPerA: 11 }), randomIonic(4, 6, 7, 0.2), 'lode periodic');
});

test('open-boundary LODE: backward = finite differences (positions, strain)', () => {
  const s = makeStructure({ symbols: ['Na', 'Cl', 'Cl', 'Na'], positions: [0, 0, 0, 2.4, 0.1, 0, 0.3, 2.6, -0.4, 2.2, 2.5, 1.9] });
  check(new LodeDescriptor(['Na', 'Cl'], { cutoffA: 3, count: 3 }), s, 'lode open');
});

test('LODE invariances incl. a 2×2×2 supercell', () => {
  const d = new LodeDescriptor(['Na', 'Cl'], { cutoffA: 3, count: 3, accuracy: 1e-10 });
  checkInvariance((s) => d.compute(s, new ComputeContext(s)).features.data, randomIonic(12, 6, 6.5, 0.2), { rtol: 1e-9, atol: 1e-10, reps: [2, 2, 2], what: 'lode' });
});
