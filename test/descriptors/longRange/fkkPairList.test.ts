/**
 * The FKK real space reads the context's half pair list (issue 17 goal 4): no full neighbour list at its cutoff is
 * asked for (at 1728 ions and R ≈ 11.4 Å that list and its stored skin list held ≈ 31 MB between MD steps; the
 * skinned half list holds ≈ 11 MB), and along a trajectory the skinned list — pairs up to cutoff + skin, used as it
 * stands — gives the features and gradients of a fresh context (each pair once, both directions from one read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/index.js';
import { ComputeContext, ComputeWorkspace, backwardOf } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { randomIonic } from './helpers.js';
import { maxRelativeDifference } from '../../helpers/invariance.js';

const hypers = { count: 4, scale: 2, method: 'split', splitWidthA: 1.2, realCutoffA: 5.5, kCutoffPerA: 1.6, reciprocalSolver: 'pme' };

test('fkk real space asks no full neighbour list; with a trajectory workspace it equals a fresh context (features, gradients)', () => {
  const d = new FkkDescriptor(['Na', 'Cl'], hypers), rng = new Rng(8), ws = new ComputeWorkspace(1);
  let s = randomIonic(4, 48, 11.5, 0.1);
  for (let step = 0; step < 4; step++) {
    const ctx = new ComputeContext(s, ws), asked: number[] = [];
    const full = ctx.neighbours.bind(ctx);
    ctx.neighbours = (c: number) => { asked.push(c); return full(c); };
    const out = d.compute(s, ctx);
    const up = Float64Array.from({ length: out.features.data.length }, (_, k) => Math.cos(k + step));
    const g = backwardOf(d, s, ctx, out.saved, up);
    assert.deepEqual(asked, [], `step ${step}: full lists asked for at ${asked.join(', ')} Å`);
    const cf = new ComputeContext(s), of = d.compute(s, cf), gf = backwardOf(d, s, cf, of.saved, up);
    assert.ok(maxRelativeDifference(out.features.data, of.features.data) < 1e-13, `step ${step}: features`);
    assert.ok(maxRelativeDifference(g.positions, gf.positions) < 1e-12, `step ${step}: position gradients`);
    assert.ok(maxRelativeDifference(g.strain, gf.strain) < 1e-12, `step ${step}: strain gradients`);
    s = { ...s, positions: Float64Array.from(s.positions, (x) => x + rng.range(-0.05, 0.05)) };
  }
  assert.equal(ws.rebuilds, 1, 'one skinned half list for the whole run');
});
