/**
 * The skinned half pair list (geometry/pairList.ts): along a random walk (atoms crossing cell faces, never wrapped),
 * the stored pairs within the cutoff are exactly the pairs of a fresh half neighbour list — in a triclinic cell
 * large enough for the binned build and in one so narrow that several images of a pair are within reach (the
 * neighbour-list fallback) — while the list is rebuilt only when an atom has moved more than skin/2 or the cell
 * changed; slot gather/scatter are inverse permutations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng } from '../../src/core/index.js';
import { VerletPairList, buildNeighbourList, gatherSlots, scatterAddSlots } from '../../src/geometry/index.js';

/** Canonical keys of the unordered pairs (i, j, r_ij) within `cutoff`: smaller atom first, r_ij rounded. */
function keyOf(i: number, j: number, x: number, y: number, z: number): string {
  if (i > j || (i === j && (x < 0 || (x === 0 && (y < 0 || (y === 0 && z < 0)))))) [i, j, x, y, z] = [j, i, -x, -y, -z];
  return `${i},${j},${x.toFixed(6)},${y.toFixed(6)},${z.toFixed(6)}`;
}

function listPairs(l: VerletPairList, pos: Float64Array, cutoff: number): string[] {
  const out: string[] = [];
  for (let p = 0; p < l.count; p++) {
    const i = l.order[l.first[p]], j = l.order[l.second[p]];
    const x = pos[3 * j] - pos[3 * i] + l.translation[3 * p], y = pos[3 * j + 1] - pos[3 * i + 1] + l.translation[3 * p + 1], z = pos[3 * j + 2] - pos[3 * i + 2] + l.translation[3 * p + 2];
    if (x * x + y * y + z * z < cutoff * cutoff) out.push(keyOf(i, j, x, y, z));
  }
  return out.sort();
}

function freshPairs(pos: Float64Array, cell: number[], cutoff: number): string[] {
  const n = pos.length / 3;
  const nl = buildNeighbourList(makeStructure({ symbols: Array(n).fill('Ar'), positions: Array.from(pos), cell }), cutoff, { half: true });
  const out: string[] = [];
  for (let p = 0; p < nl.count; p++) out.push(keyOf(nl.centres[p], nl.neighbours[p], nl.vectors[3 * p], nl.vectors[3 * p + 1], nl.vectors[3 * p + 2]));
  return out.sort();
}

for (const [label, cell, n, cutoff] of [
  ['binned build', [14, 0, 0, 1.5, 13.5, 0, -0.7, 0.9, 14.2], 150, 4.5],
  ['narrow cell (neighbour-list fallback)', [6, 0, 0, 1.1, 5.5, 0, -0.4, 0.6, 7], 12, 4.5],
] as const) {
  test(`pair list = fresh half list along a random walk, few rebuilds (${label})`, () => {
    const rng = new Rng(4);
    let pos = Float64Array.from({ length: 3 * n }, () => rng.range(0, 14));
    const list = new VerletPairList(cutoff, 1.0);
    let expected = 0, ref = pos.slice();
    for (let step = 0; step < 40; step++) {
      const moved = step === 0 || pos.some((_, k) => k % 3 === 0 && Math.hypot(pos[k] - ref[k], pos[k + 1] - ref[k + 1], pos[k + 2] - ref[k + 2]) > 0.5);
      if (moved) { expected++; ref = pos.slice(); }
      assert.equal(list.update(pos, cell), moved, `step ${step}: rebuild`);
      assert.equal(list.rebuilds, expected);
      assert.deepEqual(listPairs(list, pos, cutoff), freshPairs(pos, [...cell], cutoff), `step ${step}`);
      pos = pos.map((x) => x + rng.range(-0.08, 0.08));
    }
    assert.ok(expected > 1 && expected < 20, `${expected} rebuilds in 40 steps`);
    // a changed cell forces a rebuild
    assert.equal(list.update(pos, cell.map((x) => 1.02 * x)), true);
    // slot order is a permutation: gather then scatter-add restores the rows
    const v = Float64Array.from({ length: 3 * n }, (_, k) => k + 0.5), back = new Float64Array(3 * n);
    scatterAddSlots(list.order, gatherSlots(list.order, v, 3, new Float64Array(3 * n)), 3, back);
    assert.deepEqual(back, v);
  });
}

test('the list keeps little more room than its pairs (it lives on along a trajectory): ≤ 1.1 × count + 64 slots', () => {
  const rng = new Rng(11);
  for (const [L, n, cutoff] of [[16, 400, 5], [7, 60, 4]] as const) {
    const pos = Float64Array.from({ length: 3 * n }, () => rng.range(0, L));
    const cell = [L, 0, 0, 0, L, 0, 0, 0, L];
    const l = new VerletPairList(cutoff, 1);
    l.update(pos, cell);
    assert.ok(l.count > 0);
    // the 1.2 × estimate then × 1.25 of the reserve gave ≈ 1.5 × count
    assert.ok(l.first.length <= 1.1 * l.count + 64, `L ${L}: ${l.first.length} slots for ${l.count} pairs`);
    assert.equal(l.translation.length, 3 * l.first.length);
    assert.deepEqual(listPairs(l, pos, cutoff), freshPairs(pos, [...cell], cutoff), `L ${L}: the pairs within the cutoff`);
  }
});

test('update(…, 0): the exact list at the cutoff (= a skin-0 list, bit for bit) in buffers the skinned list then reuses', () => {
  const rng = new Rng(12);
  for (const [cell, n] of [[[14, 0, 0, 1.5, 13.5, 0, -0.7, 0.9, 14.2], 150], [[6, 0, 0, 1.1, 5.5, 0, -0.4, 0.6, 7], 12]] as const) {
    const pos = Float64Array.from({ length: 3 * n }, () => rng.range(0, 14));
    const l = new VerletPairList(4.5, 1), exact = new VerletPairList(4.5, 0);
    assert.equal(l.update(pos, cell, 0), true);
    exact.update(pos, cell);
    assert.equal(l.count, exact.count);
    assert.deepEqual([l.order, l.first.subarray(0, l.count), l.second.subarray(0, l.count), l.translation.subarray(0, 3 * l.count), l.start],
      [exact.order, exact.first.subarray(0, exact.count), exact.second.subarray(0, exact.count), exact.translation.subarray(0, 3 * exact.count), exact.start]);
    assert.equal(l.update(pos, cell, 0), false, 'same positions: kept');
    assert.equal(l.valid(pos.map((x) => x + 1e-9), cell), false, 'an exact list holds for its positions only');
    assert.equal(l.rebuilds - l.exactBuilds, 0);
    const first = l.first.buffer;
    const moved = pos.map((x) => x + rng.range(-0.05, 0.05));
    assert.equal(l.update(moved, cell), true, 'the trajectory: a build with the skin');
    assert.equal(l.rebuilds - l.exactBuilds, 1);
    assert.equal(l.first.buffer, first, 'in the buffers of the exact build (sized for the skin)');
    assert.deepEqual(listPairs(l, moved, 4.5), freshPairs(moved, [...cell], 4.5));
    assert.throws(() => l.update(moved, cell, 0.5), RangeError);
  }
});
