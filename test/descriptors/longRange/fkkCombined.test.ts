/**
 * The FKK real-space reverse pass of a species-constant upstream through one combined derivative per pair
 * (pairCombined.ts) against the channel-by-channel pass (combineSpeciesConstant false, itself checked against finite
 * differences in fkkGradient.test.ts): positions and strain to 1e-12 relative, on plans whose real-space channels end
 * at different cutoffs (intervals a cutoff falls in go channel by channel) — 'real' and 'split' channels mixed, and
 * all 'split'; with and without the strain; a general upstream keeps the channel-by-channel pass (bit for bit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/index.js';
import { ComputeContext, backwardOf } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { randomIonic } from './helpers.js';

const species = ['Na', 'Cl'];

const closeRel = (a: Float64Array, b: Float64Array, rtol: number, what: string): void => {
  let scale = 0, worst = 0;
  for (let k = 0; k < b.length; k++) { scale = Math.max(scale, Math.abs(b[k])); worst = Math.max(worst, Math.abs(a[k] - b[k])); }
  assert.ok(scale > 0 && worst <= rtol * scale, `${what}: max |Δ| ${worst.toExponential(2)} vs scale ${scale.toExponential(2)}`);
};

for (const [name, hypers] of [
  ['auto (real + split channels)', { count: 5, scale: 2, accuracy: 1e-6 }],
  ['split, own cutoffs', { count: 4, scale: 2, method: 'split', accuracy: 1e-7 }],
] as const)
  test(`species-constant upstream: combined derivative = channel by channel (${name})`, () => {
    const s = randomIonic(61, 40, 11, 0.2);
    const a = new FkkDescriptor(species, hypers), b = new FkkDescriptor(species, hypers);
    b.combineSpeciesConstant = false;
    const plan = a.plan(s), cuts = new Set(plan.channels.filter((c) => c.mode !== 'reciprocal').map((c) => c.realCutoffA.toFixed(6)));
    assert.ok(cuts.size >= 2, `channels end at different cutoffs (${[...cuts].join(', ')})`);
    const n = s.species.length, W = a.width, rng = new Rng(4);
    const rows = [0, 1].map(() => Float64Array.from({ length: W }, () => rng.range(-1, 1)));
    const g = new Float64Array(n * W);
    for (let i = 0; i < n; i++) g.set(rows[s.species[i]], i * W);
    for (const strain of [true, false]) {
      const ca = new ComputeContext(s, null, { strain }), cb = new ComputeContext(s, null, { strain });
      const oa = a.compute(s, ca), ob = b.compute(s, cb);
      const ga = backwardOf(a, s, ca, oa.saved, g), gb = backwardOf(b, s, cb, ob.saved, g);
      closeRel(ga.positions, gb.positions, 1e-12, `strain ${strain}: positions`);
      assert.notDeepEqual(Array.from(ga.positions), Array.from(gb.positions), 'the combined pass ran (rounding differs)');
      if (strain) closeRel(ga.strain, gb.strain, 1e-12, 'strain');
      // a general upstream: the channel-by-channel pass in both
      const h = Float64Array.from(g, (v) => v + rng.range(-0.1, 0.1));
      const ha = backwardOf(a, s, ca, oa.saved, h), hb = backwardOf(b, s, cb, ob.saved, h);
      assert.deepEqual(Array.from(ha.positions), Array.from(hb.positions), `strain ${strain}: general upstream bit for bit`);
    }
  });
