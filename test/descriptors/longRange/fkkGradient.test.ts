/**
 * Proves the FKK reverse pass: for E = Σ_i Σ_c w_ic X_ic (random fixed upstream weights) the backward pass equals
 * central finite differences with respect to positions and to all 9 strain components, for open boundaries and for
 * each periodic mode (real-space lattice sum, reciprocal sum with G = 0, Ewald-like split, G = 0 dropped). The
 * numerical parameters are fixed explicitly so that the finite differences see one smooth function.
 */
import { test } from 'node:test';
import { makeStructure, type Structure } from '../../../src/core/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { checkDescriptorGradients } from '../../helpers/descriptorGradients.js';
import { randomIonic } from './helpers.js';

function check(d: FkkDescriptor, s: Structure, what: string, strain = true): void {
  checkDescriptorGradients(d, s, { weightSeed: 11, rtol: 1e-6, strain, what });
}

const species = ['Na', 'Cl'];

test('finite system: backward = finite differences (positions and strain)', () => {
  const s = makeStructure({ symbols: ['Na', 'Cl', 'Cl', 'Na', 'Na'], positions: [0, 0, 0, 2.4, 0.1, 0, 0.3, 2.6, -0.4, 2.2, 2.5, 1.9, -1.5, 1.2, 2.2] });
  check(new FkkDescriptor(species, { count: 6 }), s, 'finite');
});

test('periodic, reciprocal sum (G = 0 included): backward = finite differences', () => {
  check(new FkkDescriptor(species, { count: 3, method: 'reciprocal', kCutoffPerA: 16 }), randomIonic(5, 6, 7), 'reciprocal');
});

test('periodic, Ewald-like split: backward = finite differences', () => {
  check(new FkkDescriptor(species, { count: 4, scale: 3, method: 'split', splitWidthA: 1, realCutoffA: 12, kCutoffPerA: 8 }), randomIonic(6, 6, 7, 0.2), 'split');
});

test('periodic, real-space lattice sum, and G = 0 dropped: backward = finite differences', () => {
  check(new FkkDescriptor(species, { count: 2, method: 'real', realCutoffA: 40 }), randomIonic(8, 5, 6.5), 'real');
  check(new FkkDescriptor(species, { count: 3, method: 'split', includeZero: false, splitWidthA: 1, realCutoffA: 12, kCutoffPerA: 8 }), randomIonic(9, 6, 7), 'split without G = 0');
});
