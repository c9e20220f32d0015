/**
 * KernelModel.calculate's per-call arrays (issue 17 goal 4): the features (N × d) and dE/dX (N × d) live only during a
 * call, so they are written into buffers the model reuses from call to call — no 2 × N × d garbage per MD step (at
 * 1728 ions and d = 584, 16 MB a step) — and stale contents never leak into a result: a call after calls on other
 * structures (larger, smaller) is bit-identical to the same call on a fresh model. On the weighted path dE/dX takes
 * the place of the features in the same buffer (`inPlaceGradient`): bit-identical to separate buffers, also for block
 * kernels (several column runs, a linear part), several atom blocks per species and a species without references.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import type { Descriptor } from '../../src/descriptors/index.js';
import { createDescriptor } from '../../src/descriptors/index.js';
import { KernelModel } from '../../src/model/index.js';
import { createKernel } from '../../src/model/kernels.js';
import { KernelScratch } from '../../src/model/kernelScratch.js';
import { randomSrModel, randomStructure } from './helpers/data.js';

const model = randomSrModel;

/** Records the buffers the descriptor is handed: the feature target and the upstream dE/dX. */
function spy(d: Descriptor): { targets: ArrayBufferLike[]; upstreams: ArrayBufferLike[] } {
  const seen = { targets: [] as ArrayBufferLike[], upstreams: [] as ArrayBufferLike[] };
  const into = d.computeInto?.bind(d), vjp = d.vjp.bind(d);
  assert.ok(into, 'the sr descriptor writes into a target');
  d.computeInto = (s, ctx, t) => { seen.targets.push(t.data.buffer); return into(s, ctx, t); };
  d.vjp = (s, ctx, saved, up) => { if (up.form === 'dense') seen.upstreams.push(up.data.buffer); return vjp(s, ctx, saved, up); };
  return seen;
}

test('calculate reuses one buffer from call to call for the features and, in their place, dE/dX', () => {
  const rng = new Rng(1), m = model(), seen = spy(m.descriptor);
  const s = randomStructure(rng, 32, 9, ['Na', 'Cl'], 2.0);
  for (let k = 0; k < 3; k++) m.calculate({ ...s, positions: Float64Array.from(s.positions, (x) => x + 0.01 * k) }, { forces: true, stress: true });
  assert.equal(seen.targets.length, 3, 'features written into a target');
  assert.equal(seen.upstreams.length, 3);
  assert.ok(seen.targets.every((b) => b === seen.targets[0]), 'one feature buffer for every call');
  assert.ok(seen.upstreams.every((b) => b === seen.targets[0]), 'dE/dX in the feature buffer');
  // separate buffers on request (A/B): still one each for every call
  const sep = model(), seen2 = spy(sep.descriptor);
  sep.inPlaceGradient = false;
  for (let k = 0; k < 2; k++) sep.calculate({ ...s, positions: Float64Array.from(s.positions, (x) => x + 0.01 * k) });
  assert.ok(seen2.upstreams.every((b) => b === seen2.upstreams[0]) && seen2.upstreams[0] !== seen2.targets[0]);
});

/** An sr model with a block kernel: polynomial on two column runs, linear on the columns between; Cl optionally
 * without references. */
function blockModel(clRefs: number): KernelModel {
  const descriptor = { kind: 'sr', species: ['Na', 'Cl'], hypers: {} };
  const D = createDescriptor(descriptor).width, rng = new Rng(9), a = 10, b = 30;
  const species = [['Na', 5], ['Cl', clRefs]].map(([sp, m]) => ({
    species: sp as string, features: Float64Array.from({ length: (m as number) * D }, () => rng.range(0, 1)),
    weights: Float64Array.from({ length: m as number }, () => rng.range(-1, 1)), referenceEnergyEv: -1.5,
  }));
  const kernel = { kind: 'block', hypers: { parts: [
    { kernel: { kind: 'polynomial', hypers: { zeta: 3 } }, weight: 0.7, columns: [[0, a], [b, D]] },
    { kernel: { kind: 'linear', hypers: {} }, weight: 1, columns: [[a, b]] },
  ] } };
  return new KernelModel({ descriptor, kernel, species });
}

test('dE/dX in place of the features = separate buffers, bit for bit (block kernels, atom blocks, no references)', () => {
  const rng = new Rng(3);
  const big = randomStructure(rng, 40, 10, ['Na', 'Cl'], 2.0), s = randomStructure(rng, 24, 8, ['Na', 'Cl'], 2.0);
  const makers: [string, () => KernelModel][] = [['sr polynomial', model], ['block kernel', () => blockModel(4)], ['Cl without references', () => blockModel(0)]];
  for (const [name, make] of makers) {
    const a = make(), b = make();
    b.inPlaceGradient = false;
    a.kernelBlockAtoms = b.kernelBlockAtoms = 5; // several blocks per species
    a.calculate(big); // stale buffer contents from a larger structure
    for (const opts of [{ forces: true, stress: true }, { forces: false, stress: true }, { forces: true, stress: false }]) {
      const ra = a.calculate(s, opts), rb = b.calculate(s, opts);
      assert.equal(ra.energyEv, rb.energyEv, name);
      assert.deepEqual(Array.from(ra.energiesEv!), Array.from(rb.energiesEv!), name);
      if (opts.forces) assert.deepEqual(Array.from(ra.forcesEvPerA!), Array.from(rb.forcesEvPerA!), name);
      if (opts.stress) assert.deepEqual(Array.from(ra.stressEvPerA3!), Array.from(rb.stressEvPerA3!), name);
    }
    // forces are −∂E/∂r: central finite difference of the in-place model's energy (independent of either buffer scheme)
    const r = a.calculate(s), h = 1e-5;
    for (const k of [0, 7, 3 * 13 + 2]) {
      const p = Float64Array.from(s.positions), q = Float64Array.from(s.positions);
      p[k] += h;
      q[k] -= h;
      const fd = -(a.calculate({ ...s, positions: p }).energyEv - a.calculate({ ...s, positions: q }).energyEv) / (2 * h);
      assert.ok(Math.abs(fd - r.forcesEvPerA![k]) < 1e-6 * Math.max(1, Math.abs(fd)), `${name}: force ${k}: ${r.forcesEvPerA![k]} vs FD ${fd}`);
    }
  }
});

test('reused buffers leak nothing: after calls on larger and smaller structures, results are a fresh model\'s bit for bit', () => {
  const rng = new Rng(2), used = model();
  const big = randomStructure(rng, 48, 10, ['Na', 'Cl'], 2.0), small = randomStructure(rng, 16, 7, ['Na', 'Cl'], 2.0);
  const s: Structure = randomStructure(rng, 32, 9, ['Na', 'Cl'], 2.0);
  used.calculate(big);
  used.calculate(small);
  for (const x of [s, small]) {
    const a = used.calculate(x, { forces: true, stress: true }), b = model().calculate(x, { forces: true, stress: true });
    assert.equal(a.energyEv, b.energyEv);
    assert.deepEqual(Array.from(a.energiesEv!), Array.from(b.energiesEv!));
    assert.deepEqual(Array.from(a.forcesEvPerA!), Array.from(b.forcesEvPerA!));
    assert.deepEqual(Array.from(a.stressEvPerA3!), Array.from(b.stressEvPerA3!));
  }
});

test('the polynomial kernel\'s weighted pass keeps one atoms × references array (P written over S), = the matrix path to round-off', () => {
  const kernel = createKernel({ kind: 'polynomial', hypers: { zeta: 4 } });
  const rng = new Rng(8), na = 9, nb = 23, d = 17;
  const x = Float64Array.from({ length: na * d }, () => rng.range(-1, 1)), refs = Float64Array.from({ length: nb * d }, () => rng.range(-1, 1));
  const w = Float64Array.from({ length: nb }, () => rng.range(-1, 1));
  const b = kernel.prepare(refs, nb, d), scratch = new KernelScratch();
  const e = new Float64Array(na), g = new Float64Array(na * d);
  kernel.weighted!({ data: x, stride: d, col0: 0, index: null }, na, d, b, w, e, { data: g, stride: d, col0: 0, index: null }, scratch);
  // normalised rows and their gradient tmp (na × d each), norms and diagonal (na each), S/P (na × nb): no second na × nb
  assert.equal(scratch.size, 2 * na * d + 2 * na + na * nb);
  // against the matrix/gradient path with the weights on every row (independent of the scratch)
  const a = kernel.prepare(x, na, d), k = kernel.matrix(a, b), g2 = new Float64Array(na * d);
  kernel.gradient(a, b, Float64Array.from({ length: na * nb }, (_, q) => w[q % nb]), g2, k);
  for (let i = 0; i < na; i++) {
    let ei = 0;
    for (let q = 0; q < nb; q++) ei += w[q] * k[i * nb + q];
    assert.ok(Math.abs(ei - e[i]) < 1e-12 * Math.max(1, Math.abs(ei)), `energy ${i}`);
  }
  for (let q = 0; q < na * d; q++) assert.ok(Math.abs(g[q] - g2[q]) < 1e-12 * Math.max(1, Math.abs(g2[q])), `gradient ${q}`);
});
