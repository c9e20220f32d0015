/**
 * Design rows: the factored path (kernel.factoredGradient → factored vjp) and the materialised path
 * (gradientPerReference → batched vjp, and a loop of single vjps) give the same rows to 1e-12 relative, for
 * every kernel kind on the `sr` descriptor, with batches that split the references unevenly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { ComputeContext, createDescriptor, type Descriptor } from '../../src/descriptors/index.js';
import { DesignWorkspace, ReferenceSet, bindKernel, createKernel, designBlock, type KernelSpec } from '../../src/model/index.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';
import { loopedDescriptor } from '../helpers/plainDescriptor.js';

const SR = { kind: 'sr', species: ['Na', 'Cl'], hypers: { radial: { cutoffA: 4.5, nmax: 4 }, angular: { cutoffA: 3.8, nmax: 3, lmax: 2 } } };

test('design rows: factored, materialised and looped reverse passes agree (polynomial, gaussian, vasp kernels)', () => {
  const rng = new Rng(5);
  const frames = label(Array.from({ length: 3 }, () => randomStructure(rng, 10, 7, ['Na', 'Cl'], 1.8, true)), morseCalculator());
  const d = createDescriptor(SR);
  const env: number[][][] = [[], []];
  for (const s of frames.slice(1)) {
    const X = d.compute(s, new ComputeContext(s)).features.data;
    for (let i = 0; i < s.species.length; i++) env[s.symbols[s.species[i]] === 'Na' ? 0 : 1].push(Array.from(X.subarray(i * d.width, (i + 1) * d.width)));
  }
  const s = frames[0];
  const scaling = { energy: 0.7, forces: 1.3, stress: 2.1, baselineEv: new Float64Array([0.1, -0.2]) };
  const looped: Descriptor = loopedDescriptor(d);
  for (const spec of [{ kind: 'polynomial', hypers: { zeta: 4 } }, { kind: 'gaussian', hypers: { scale: 3 } }, { kind: 'vasp', hypers: {} }] as KernelSpec[]) {
    const kernel = createKernel(bindKernel(spec, d as never));
    const refs = new ReferenceSet(kernel, ['Na', 'Cl'], env.map((e) => Float64Array.from(e.slice(0, 7).flat())), d.width);
    const rows = (desc: Descriptor, materialise: boolean) => {
      const ctx = new ComputeContext(s);
      const out = desc.compute(s, ctx);
      return designBlock(s, desc, ctx, out.features.data, out.saved, refs, scaling,
        { useEnergy: true, useForces: true, useStress: true, batch: 3, materialise }, new DesignWorkspace());
    };
    const f = rows(d, false), m = rows(d, true), l = rows(looped, true);
    assert.equal(f.rows, 1 + 3 * s.species.length + 6);
    const scale = Math.max(...m.phi.map(Math.abs));
    for (let k = 0; k < m.phi.length; k++) {
      assert.ok(Math.abs(f.phi[k] - m.phi[k]) <= 1e-12 * scale, `${spec.kind}: factored vs materialised, entry ${k}: ${f.phi[k]} vs ${m.phi[k]}`);
      assert.ok(Math.abs(l.phi[k] - m.phi[k]) <= 1e-12 * scale, `${spec.kind}: looped vs materialised, entry ${k}`);
    }
    assert.deepEqual(Array.from(f.y), Array.from(m.y));
  }
});
