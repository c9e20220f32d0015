/**
 * One name per concept (docs/conventions.md): the electrostatic kernels are `ElectrostaticKernel`,
 * `ELECTROSTATIC_KERNELS`, `gaussianChargeKernel` (model/ keeps `Kernel`, `KERNELS`, `gaussianKernel` for similarity
 * kernels), and the Gaussian width is `smearingA`. The pre-0.2 names stay one release as aliases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ELECTROSTATIC_KERNELS, KERNELS, gaussianChargeKernel, gaussianKernel, type ElectrostaticKernel, type Kernel } from '../../src/electrostatics/index.js';

test('gaussian charge kernel: smearingA, with sigmaA read as its pre-0.2 name; deprecated aliases are the same objects', () => {
  const k = gaussianChargeKernel({ smearingA: 0.6 });
  assert.deepEqual(k.toJSON(), { kind: 'gaussian', smearingA: 0.6, prefactor: 14.3996454784 });
  const fromOld = ELECTROSTATIC_KERNELS.get('gaussian')({ kind: 'gaussian', sigmaA: 0.6 });
  assert.deepEqual(fromOld.toJSON(), k.toJSON());
  assert.deepEqual(gaussianChargeKernel({ sigmaA: 0.6 }).toJSON(), k.toJSON());
  assert.throws(() => gaussianChargeKernel({ smearingA: 0.6, sigmaA: 0.6 }), /give only 'smearingA'/);
  assert.throws(() => gaussianChargeKernel({}), /smearingA must be a positive finite width/);
  assert.equal(gaussianKernel, gaussianChargeKernel);
  assert.equal(KERNELS, ELECTROSTATIC_KERNELS);
  const t: Kernel = k satisfies ElectrostaticKernel;
  assert.equal(t.kind, 'gaussian');
});
