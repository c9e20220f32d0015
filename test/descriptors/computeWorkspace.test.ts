/**
 * ComputeWorkspace (descriptors/context.ts; issue 14 item 3): a caller-owned workspace reused along a trajectory gives
 * the features and gradients of a fresh context at every step (same pairs; order may differ, so to round-off) while
 * rebuilding its neighbour lists only when atoms have moved more than half the skin; unrelated structures (frames
 * of a data set) get plain lists, bit-identical to a context without a workspace and with no skin build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import { ComputeContext, ComputeWorkspace, backwardOf, createDescriptor } from '../../src/descriptors/index.js';
import { VerletPairList, buildNeighbourList } from '../../src/geometry/index.js';
import { randomIonic } from './longRange/helpers.js';
import { maxRelativeDifference } from '../helpers/invariance.js';

const spec = { kind: 'composite', species: ['Na', 'Cl'], hypers: { blocks: [{ spec: { kind: 'sr', hypers: {} } }, { spec: { kind: 'fkk', hypers: { accuracy: 1e-6 } } }] } };

function moved(s: Structure, rng: Rng, step: number): Structure {
  return { ...s, positions: Float64Array.from(s.positions, (x) => x + rng.range(-step, step)) };
}

const maxRel = maxRelativeDifference;

test('workspace along a trajectory: features and gradients of a fresh context, few neighbour-list rebuilds', () => {
  const d = createDescriptor(spec), rng = new Rng(2), ws = new ComputeWorkspace(1);
  let s = randomIonic(3, 64, 12.7, 0.1);
  for (let step = 0; step < 8; step++) {
    const cw = new ComputeContext(s, ws), cf = new ComputeContext(s);
    const ow = d.compute(s, cw), of = d.compute(s, cf);
    assert.ok(maxRel(ow.features.data, of.features.data) < 1e-13, `step ${step}: features`);
    const up = Float64Array.from({ length: ow.features.data.length }, (_, k) => Math.sin(k + step));
    const gw = backwardOf(d, s, cw, ow.saved, up), gf = backwardOf(d, s, cf, of.saved, up);
    assert.ok(maxRel(gw.positions, gf.positions) < 1e-12, `step ${step}: position gradients`);
    assert.ok(maxRel(gw.strain, gf.strain) < 1e-12, `step ${step}: strain gradients`);
    s = moved(s, rng, 0.05); // ≤ 0.087 Å per step: the skin/2 = 0.5 Å lasts ~6 steps
  }
  // one skin build per cutoff (sr radial, sr angular, fkk real space) when the trajectory is first seen, at most one
  // more each after ~6 steps
  assert.ok(ws.rebuilds >= 3 && ws.rebuilds <= 6, `rebuilds ${ws.rebuilds}`);
});

test('workspace with unrelated structures: plain lists (bit-identical to no workspace), no skin build', () => {
  const d = createDescriptor(spec), ws = new ComputeWorkspace(1);
  for (let f = 0; f < 4; f++) {
    const s = randomIonic(10 + f, 64, 12.7, 0.1);
    const a = d.compute(s, new ComputeContext(s, ws)).features.data, b = d.compute(s, new ComputeContext(s)).features.data;
    assert.deepEqual(Array.from(a), Array.from(b), `frame ${f}`);
  }
  assert.equal(ws.rebuilds, 0);
});

test('workspace: the angular saved coefficients of consecutive calls share one buffer, with the gradients of a fresh context', () => {
  const d = createDescriptor({ kind: 'angular', species: ['Na', 'Cl'], hypers: {} }), rng = new Rng(4), ws = new ComputeWorkspace(1);
  let s = randomIonic(2, 64, 12.7, 0.1);
  let previous: Float64Array | null = null;
  for (let step = 0; step < 3; step++) {
    const cw = new ComputeContext(s, ws), cf = new ComputeContext(s);
    const ow = d.compute(s, cw), of = d.compute(s, cf);
    const c = (ow.saved as { c: Float64Array }).c;
    if (previous) assert.equal(c.buffer, previous.buffer, `step ${step}: coefficients written into the previous call's buffer`);
    previous = c;
    assert.ok(maxRel(c, (of.saved as { c: Float64Array }).c) < 1e-13, `step ${step}: coefficients`); // pair order may differ
    const up = Float64Array.from({ length: ow.features.data.length }, (_, k) => Math.cos(k + step));
    const gw = backwardOf(d, s, cw, ow.saved, up), gf = backwardOf(d, s, cf, of.saved, up);
    assert.ok(maxRel(gw.positions, gf.positions) < 1e-12, `step ${step}: position gradients`);
    s = moved(s, rng, 0.05);
  }
});

test('workspace: the first structure\'s plain lists are built into the buffers the trajectory then reuses (exact bits; same structure again: same list)', () => {
  const ws = new ComputeWorkspace(1), rng = new Rng(6);
  const a = randomIonic(7, 64, 12.7, 0.1), b = moved(a, rng, 0.05), c = randomIonic(8, 64, 12.7, 0.1);
  // full lists: plain = buildNeighbourList bit for bit, in the buffers the refreshes write into
  const la = ws.neighbours(a, 5);
  const fa = buildNeighbourList(a, 5);
  for (const k of ['offsets', 'centres', 'neighbours', 'shifts', 'vectors', 'distances'] as const) assert.deepEqual(la[k], fa[k], k);
  assert.equal(ws.neighbours(a, 5), la, 'the same structure again: the same plain list');
  const buf = la.distances.buffer;
  const lb = ws.neighbours(b, 5);
  assert.equal(lb.distances.buffer, buf, 'the trajectory refreshes into the plain list\'s buffers');
  assert.equal(ws.rebuilds, 1);
  // an unrelated structure gets a plain list again (exact), and after a refresh in between it is not served stale
  const lc = ws.neighbours(c, 5);
  assert.deepEqual(lc.distances, buildNeighbourList(c, 5).distances);
  ws.neighbours(moved(b, rng, 0.01), 5); // within the skin of b's list: a refresh into the same buffers
  // c again, after a refresh rewrote the buffers of its plain list: not that stale list but c's pairs (a list with the
  // skin now, as c continues the last structure the workspace saw: same pairs, order may differ)
  const again = ws.neighbours(c, 5), fc = buildNeighbourList(c, 5);
  assert.equal(again.count, fc.count);
  const sorted = (x: Float64Array): number[] => Array.from(x).sort((p, q) => p - q);
  assert.ok(sorted(again.distances).every((d, k) => Math.abs(d - sorted(fc.distances)[k]) < 1e-12), 'c again after a refresh');
  // half lists: the exact list at the cutoff first, then the skinned one in the same object and buffers
  const ha = ws.halfPairs(a, 9);
  const hf = new VerletPairList(9, 0);
  hf.update(a.positions, a.cell);
  assert.deepEqual(ha.translation.subarray(0, 3 * ha.count), hf.translation.subarray(0, 3 * hf.count));
  const hbuf = ha.translation.buffer;
  const hb = ws.halfPairs(b, 9);
  assert.equal(hb, ha);
  assert.equal(hb.translation.buffer, hbuf, 'the skinned half list reuses the exact list\'s buffers');
});
