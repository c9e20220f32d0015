/**
 * KernelModel.calculate's per-call arrays (issue 17 goal 4): the features (N × d) and dE/dX (N × d) live only during a
 * call, so they are written into buffers the model reuses from call to call — no 2 × N × d garbage per MD step (at
 * 1728 ions and d = 584, 16 MB a step) — and stale contents never leak into a result: a call after calls on other
 * structures (larger, smaller) is bit-identical to the same call on a fresh model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import type { Descriptor } from '../../src/descriptors/index.js';
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

test('calculate reuses its feature and dE/dX buffers from call to call', () => {
  const rng = new Rng(1), m = model(), seen = spy(m.descriptor);
  const s = randomStructure(rng, 32, 9, ['Na', 'Cl'], 2.0);
  for (let k = 0; k < 3; k++) m.calculate({ ...s, positions: Float64Array.from(s.positions, (x) => x + 0.01 * k) }, { forces: true, stress: true });
  assert.equal(seen.targets.length, 3, 'features written into a target');
  assert.equal(seen.upstreams.length, 3);
  assert.ok(seen.targets.every((b) => b === seen.targets[0]), 'one feature buffer for every call');
  assert.ok(seen.upstreams.every((b) => b === seen.upstreams[0]), 'one dE/dX buffer for every call');
  assert.notEqual(seen.targets[0], seen.upstreams[0]);
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
