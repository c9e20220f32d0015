/**
 * Proves neighbour-list reuse with a skin: along a random-walk trajectory (atoms crossing cell faces, never
 * wrapped) the cached list has exactly the pairs, vectors and distances of a fresh cell list at every step, while
 * rebuilding only when some atom has moved more than skin/2; a changed cell forces a rebuild.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, FarfieldError, type Structure } from '../../src/core/index.js';
import { buildNeighbourList, neighbourListCache, type NeighbourList } from '../../src/geometry/index.js';

function pairs(nl: NeighbourList): Map<string, number> {
  const m = new Map<string, number>();
  for (let p = 0; p < nl.count; p++) m.set(`${nl.centres[p]},${nl.neighbours[p]},${nl.shifts.subarray(3 * p, 3 * p + 3).join(',')}`, nl.distances[p]);
  return m;
}

function assertSame(a: NeighbourList, b: NeighbourList, what: string): void {
  assert.equal(a.count, b.count, `${what}: ${a.count} vs ${b.count} pairs`);
  assert.deepEqual(a.offsets, b.offsets, `${what}: CSR offsets`);
  const pb = pairs(b);
  for (const [k, d] of pairs(a)) {
    assert.ok(pb.has(k), `${what}: pair ${k} missing in the fresh list`);
    assert.ok(Math.abs(pb.get(k)! - d) < 1e-12);
  }
}

test('cached list equals a fresh list along a trajectory, with few rebuilds', () => {
  const rng = new Rng(1);
  const cell = [9, 0, 0, 1.5, 8.5, 0, -0.7, 0.9, 9.2];
  const n = 40;
  const pos = Float64Array.from({ length: 3 * n }, () => rng.range(0, 9));
  let s: Structure = makeStructure({ symbols: Array(n).fill('Ar'), positions: pos, cell });
  for (const half of [false, true]) {
    const cache = neighbourListCache(4.5, 1.0, { half });
    for (let step = 0; step < 60; step++) {
      assertSame(cache.get(s), buildNeighbourList(s, 4.5, { half }), `step ${step}${half ? ' (half)' : ''}`);
      const next = s.positions.slice();
      for (let k = 0; k < next.length; k++) next[k] += rng.range(-0.08, 0.08);
      s = { ...s, positions: next };
    }
    assert.ok(cache.rebuilds > 1 && cache.rebuilds < 30, `${cache.rebuilds} rebuilds in 60 steps`);
  }
});

test('a changed cell or atom count forces a rebuild; bad parameters are refused', () => {
  const s = makeStructure({ symbols: ['Ar', 'Ar'], positions: [0, 0, 0, 2, 0, 0], cell: [5, 0, 0, 0, 5, 0, 0, 0, 5] });
  const cache = neighbourListCache(3, 0.5);
  cache.get(s);
  cache.get(s);
  assert.equal(cache.rebuilds, 1);
  const bigger = { ...s, cell: Float64Array.of(5.5, 0, 0, 0, 5.5, 0, 0, 0, 5.5) };
  assertSame(cache.get(bigger), buildNeighbourList(bigger, 3), 'new cell');
  assert.equal(cache.rebuilds, 2);
  assert.throws(() => neighbourListCache(0, 1), FarfieldError);
  assert.throws(() => neighbourListCache(3, -1), FarfieldError);
});

test('a refresh writes into the buffers of the previous one (no per-step allocation); a rebuild with more pairs grows them', () => {
  const rng = new Rng(2);
  const n = 30;
  const cell = [8, 0, 0, 0, 8, 0, 0, 0, 8];
  const s: Structure = makeStructure({ symbols: Array(n).fill('Ar'), positions: Float64Array.from({ length: 3 * n }, () => rng.range(0, 8)), cell });
  const cache = neighbourListCache(4, 1);
  const a = cache.get(s);
  const moved = { ...s, positions: s.positions.map((x) => x + 0.01) };
  const b = cache.get(moved);
  assert.equal(cache.rebuilds, 1);
  for (const key of ['offsets', 'centres', 'neighbours', 'shifts', 'vectors', 'distances'] as const)
    assert.equal(b[key].buffer, a[key].buffer, `${key} reuses its buffer`);
  assertSame(b, buildNeighbourList(moved, 4), 'refreshed list');
  // Compress the cell: more pairs than the buffers hold → a rebuild into larger buffers, still the exact list.
  const dense = { ...s, cell: Float64Array.of(6, 0, 0, 0, 6, 0, 0, 0, 6), positions: s.positions.map((x) => x * 0.75) };
  const c = cache.get(dense);
  assert.ok(c.count > b.count, `${c.count} > ${b.count} pairs`);
  assertSame(c, buildNeighbourList(dense, 4), 'list after growing');
});

test('the refreshed list keeps buffers for the pairs within the cutoff (plus headroom), not for every pair at cutoff + skin', () => {
  const rng = new Rng(3);
  const n = 60;
  const cell = [9, 0, 0, 0, 9, 0, 0, 0, 9];
  const s: Structure = makeStructure({ symbols: Array(n).fill('Ar'), positions: Float64Array.from({ length: 3 * n }, () => rng.range(0, 9)), cell });
  const cutoff = 3, skin = 1;
  const nl = neighbourListCache(cutoff, skin).get(s);
  const atSkin = buildNeighbourList(s, cutoff + skin).count;
  assert.ok(atSkin > 1.8 * nl.count, `${atSkin} pairs at cutoff + skin vs ${nl.count} within the cutoff`);
  // (4/3)³ ≈ 2.4 × as many pairs at cutoff + skin: buffers of that size would fail here
  assert.ok(nl.distances.buffer.byteLength <= 8 * (1.05 * nl.count + 65), `${nl.distances.buffer.byteLength / 8} slots for ${nl.count} pairs`);
  assert.ok(nl.vectors.buffer.byteLength <= 24 * (1.05 * nl.count + 65), 'vectors sized to the pairs within the cutoff');
  assertSame(nl, buildNeighbourList(s, cutoff), 'compact refreshed list');
});
