/**
 * Meta-tests for checkDescriptorGradients: it passes real descriptors' reverse passes (periodic and open), and fails
 * a reverse pass that is wrong in one position component, in one strain component, that misses the strain
 * (zero), or that forgets one atom's contribution.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, type Structure } from '../../src/core/index.js';
import { createDescriptor, type Descriptor, type Upstream } from '../../src/descriptors/index.js';
import { checkDescriptorGradients } from './descriptorGradients.js';

const periodic = makeStructure({
  symbols: ['Na', 'Cl', 'Na', 'Cl'],
  positions: [0.1, 0.2, 0.1, 2.9, 0.3, 0.2, 0.2, 3.1, 2.6, 2.7, 2.8, 3.0],
  cell: [5.6, 0, 0, 0.3, 5.8, 0, -0.2, 0.4, 6.0],
});
const open = makeStructure({ symbols: ['Na', 'Cl', 'Cl'], positions: [0, 0, 0, 2.4, 0.1, 0, 0.3, 2.6, -0.4] });

const radial = (): Descriptor => createDescriptor({ kind: 'radial', species: ['Na', 'Cl'], hypers: { cutoffA: 4, nmax: 3 } });

/** The same descriptor with its reverse pass edited after the fact. */
function broken(d: Descriptor, edit: (g: { positions: Float64Array; strain: Float64Array }, s: Structure) => void): Descriptor {
  return Object.assign(Object.create(d) as Descriptor, {
    vjp(s: Structure, ctx: Parameters<Descriptor['vjp']>[1], saved: unknown, w: Upstream) {
      const g = d.vjp(s, ctx, saved, w);
      edit(g, s);
      return g;
    },
  });
}

test('checkDescriptorGradients passes a correct reverse pass (periodic and open, positions and strain)', () => {
  const r = checkDescriptorGradients(radial(), periodic);
  assert.equal(r.positions.checked.length, 12);
  assert.equal(r.strain!.checked.length, 9);
  assert.ok(r.positions.maxRelError < 1e-7 && r.strain!.maxRelError < 1e-7, `${r.positions.maxRelError} ${r.strain!.maxRelError}`);
  checkDescriptorGradients(radial(), open, { weightSeed: 4 });
  const sub = checkDescriptorGradients(radial(), periodic, { components: [1, 7], strain: false });
  assert.deepEqual(sub.positions.checked, [1, 7]);
  assert.equal(sub.strain, undefined);
});

test('checkDescriptorGradients fails a wrong position component, a wrong or missing strain, a forgotten atom', () => {
  const d = radial();
  assert.throws(() => checkDescriptorGradients(broken(d, (g) => { g.positions[7] *= 1 + 1e-4; }), periodic), /positions check failed at atom 2 y/);
  assert.throws(() => checkDescriptorGradients(broken(d, (g) => { g.strain[5] += 1e-4 * Math.abs(g.strain[5]) + 1e-6; }), periodic), /strain check failed at ε_yz/);
  assert.throws(() => checkDescriptorGradients(broken(d, (g) => g.strain.fill(0)), periodic), /strain check failed/);
  assert.throws(() => checkDescriptorGradients(broken(d, (g) => g.positions.fill(0, 3, 6)), open), /positions check failed at atom 1/);
  // a wrong strain is not seen when the strain check is switched off (the option does what it says)
  checkDescriptorGradients(broken(d, (g) => g.strain.fill(0)), periodic, { strain: false });
});
