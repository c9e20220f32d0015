/**
 * Proves the PME path of the FKK reciprocal parts (the engine's pmeReciprocal with F_n as a generic kernel):
 * - agreement with the explicit-k-vector (Ewald) path at the requested accuracy (1e-4, 1e-6, 1e-8; the error is
 *   measured in the plan's units, the pair-function sum Σ'_k 𝒮(r_ik), i.e. features / (√β Y₀₀ N_n));
 * - backward = central finite differences (positions and strain) on the PME path;
 * - backwardMany = loop of backward (1e-12);
 * - the auto plan keeps explicit k-vectors for a 64-atom cell and switches to PME for a 4096-atom melt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/index.js';
import { ComputeContext, backwardOf, backwardManyOf } from '../../../src/descriptors/index.js';
import { FkkDescriptor, planFkk, parseFkkHypers } from '../../../src/descriptors/longRange/index.js';
import { checkDescriptorGradients } from '../../helpers/descriptorGradients.js';
import { randomIonic } from './helpers.js';

const species = ['Na', 'Cl'];

test('PME = Ewald reciprocal path at the requested accuracy (1e-4, 1e-6, 1e-8)', () => {
  const s = randomIonic(41, 16, 9, 0.2);
  for (const accuracy of [1e-4, 1e-6, 1e-8]) {
    const e = new FkkDescriptor(species, { accuracy, reciprocalSolver: 'ewald' });
    const p = new FkkDescriptor(species, { accuracy, reciprocalSolver: 'pme' });
    const plan = p.plan(s);
    assert.ok(plan.channels.some((c) => c.solver === 'pme'), 'the forced plan uses PME');
    const Xe = e.compute(s, new ComputeContext(s)).features.data;
    const Xp = p.compute(s, new ComputeContext(s)).features.data;
    let worst = 0;
    for (let k = 0; k < Xe.length; k++) worst = Math.max(worst, Math.abs(Xe[k] - Xp[k]) / p.prefactors[k % p.hypers.count]);
    assert.ok(worst <= accuracy, `accuracy ${accuracy}: PME − Ewald = ${worst.toExponential(2)}`);
  }
});

test('PME path: backward = finite differences (positions, strain); backwardMany = loop of backward', () => {
  const d = new FkkDescriptor(species, { count: 3, scale: 3, method: 'split', splitWidthA: 1.2, realCutoffA: 9, reciprocalSolver: 'pme', accuracy: 1e-7 });
  const s = randomIonic(42, 6, 7, 0.2);
  assert.ok(d.plan(s).channels.every((c) => c.solver === 'pme'));
  const rng = new Rng(12);
  const w = Float64Array.from({ length: s.species.length * d.width }, () => rng.range(-1, 1));
  checkDescriptorGradients(d, s, { weights: w, rtol: 1e-6, what: 'pme' });
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const count = 3, size = w.length;
  const gs = Float64Array.from({ length: count * size }, () => rng.range(-1, 1));
  const many = backwardManyOf(d, s, ctx, out.saved, gs, count);
  for (let c = 0; c < count; c++) {
    const one = backwardOf(d, s, ctx, out.saved, gs.subarray(c * size, (c + 1) * size));
    const n = 3 * s.species.length;
    for (let k = 0; k < n; k++) assert.ok(Math.abs(many.positions[c * n + k] - one.positions[k]) <= 1e-12 * (1 + Math.abs(one.positions[k])));
    for (let k = 0; k < 9; k++) assert.ok(Math.abs(many.strain[c * 9 + k] - one.strain[k]) <= 1e-12 * (1 + Math.abs(one.strain[k])));
  }
});

test('auto plan: explicit k-vectors for 64 atoms, PME for a 4096-atom melt', () => {
  const h = parseFkkHypers({});
  const plan = (edge: number, atoms: number) => planFkk(h, { volumeA3: edge ** 3, cell: [edge, 0, 0, 0, edge, 0, 0, 0, edge], atoms, types: 2 });
  const small = plan(12.6, 64), big = plan(50.4, 4096);
  assert.ok(small.channels.every((c) => c.solver === 'ewald'), small.channels.map((c) => c.solver).join(' '));
  assert.ok(big.channels.some((c) => c.solver === 'pme'), big.channels.map((c) => c.solver).join(' '));
});

test('PME channels share one pool of scratch meshes (sized by the largest), with bit-identical features and gradients', async () => {
  const { PmeWorkspace } = await import('../../../src/electrostatics/index.js');
  const pool = { real: [] as Float64Array[], spec: [] as Float64Array[] };
  const a = new PmeWorkspace(pool), b = new PmeWorkspace(pool);
  const x = a.scratch('real', 0, 100), y = b.scratch('real', 0, 60);
  assert.ok(y.buffer === x.buffer && y.length === 60 && x.length === 100);
  // one instance used on two structures in turn (different meshes per channel) = fresh instances, bit for bit
  const { createDescriptor } = await import('../../../src/descriptors/index.js');
  const spec = { kind: 'fkk', species: ['Na', 'Cl'], hypers: { count: 3, method: 'split', reciprocalSolver: 'pme', splitWidthA: 1, realCutoffA: 6, kCutoffPerA: 4 } };
  const s1 = randomIonic(3, 4, 5.5), s2 = randomIonic(4, 5, 7.1);
  const run = (d: ReturnType<typeof createDescriptor>, s: typeof s1) => {
    const ctx = new ComputeContext(s), out = d.compute(s, ctx);
    const g = backwardOf(d, s, ctx, out.saved, out.features.data.map((_, k) => Math.sin(k)));
    return [out.features.data, g.positions, g.strain];
  };
  const reused = createDescriptor(spec);
  run(reused, s2);
  assert.deepEqual(run(reused, s1), run(createDescriptor(spec), s1));
  assert.deepEqual(run(reused, s2), run(createDescriptor(spec), s2));
});

test('PME channel meshes in WebAssembly (meshKernels auto) = the TS loops: features, vjp of a general and of a species-constant upstream', () => {
  const s = randomIonic(43, 24, 9, 0.2);
  const hypers = { count: 4, scale: 2, method: 'split', splitWidthA: 1.2, realCutoffA: 8, reciprocalSolver: 'pme', accuracy: 1e-7 };
  const a = new FkkDescriptor(species, hypers), t = new FkkDescriptor(species, hypers);
  t.meshKernels = 'ts';
  assert.equal(a.meshKernels, 'auto');
  assert.ok(new Set(a.plan(s).channels.map((c) => c.mesh?.join('x'))).size >= 1 && a.plan(s).channels.every((c) => c.solver === 'pme'));
  const n = s.species.length, W = a.width, rng = new Rng(13);
  for (let call = 0; call < 2; call++) { // the second call on warm workspaces (influence functions reused)
    const ca = new ComputeContext(s), ct = new ComputeContext(s);
    const oa = a.compute(s, ca), ot = t.compute(s, ct);
    let scale = 0, worst = 0;
    for (let k = 0; k < oa.features.data.length; k++) {
      scale = Math.max(scale, Math.abs(ot.features.data[k]));
      worst = Math.max(worst, Math.abs(oa.features.data[k] - ot.features.data[k]));
    }
    assert.ok(worst <= 1e-13 * scale, `features: ${worst.toExponential(2)} vs ${scale.toExponential(2)}`);
    const general = Float64Array.from({ length: n * W }, () => rng.range(-1, 1));
    // the upstream a linear kernel gives: equal rows per species (pmeChannelsReverseLinear)
    const rows = [Float64Array.from({ length: W }, () => rng.range(-1, 1)), Float64Array.from({ length: W }, () => rng.range(-1, 1))];
    const constant = new Float64Array(n * W);
    for (let i = 0; i < n; i++) constant.set(rows[s.species[i]], i * W);
    for (const [what, g] of [['general', general], ['species-constant', constant]] as const) {
      const ga = backwardOf(a, s, ca, oa.saved, g), gt = backwardOf(t, s, ct, ot.saved, g);
      let sp = 0, wp = 0;
      for (let k = 0; k < 3 * n; k++) { sp = Math.max(sp, Math.abs(gt.positions[k])); wp = Math.max(wp, Math.abs(ga.positions[k] - gt.positions[k])); }
      assert.ok(wp <= 1e-12 * sp, `${what} positions: ${wp.toExponential(2)} vs ${sp.toExponential(2)}`);
      for (let k = 0; k < 9; k++) assert.ok(Math.abs(ga.strain[k] - gt.strain[k]) <= 1e-12 * (1 + Math.abs(gt.strain[k])), `${what} strain ${k}`);
    }
  }
});
