/**
 * Proves the cell-coordinate helpers: fractional ↔ Cartesian round trips, wrapping moves atoms by lattice vectors
 * into [0, 1) along periodic directions only, and the minimum image is the shortest image (checked against an
 * exhaustive search over ±6 images, on skewed cells where rounding fractional coordinates alone is wrong).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, FarfieldError, inv3, cellWidths } from '../../src/core/index.js';
import {
  cartesianToFractional, fractionalToCartesian, wrapPositionsArray, wrapPositions, minimumImageVector,
  minimumImageFunction, minimumImageDistance, buildNeighbourList,
} from '../../src/geometry/index.js';

function randomCell(rng: Rng, size: number, skew: number): Float64Array {
  return Float64Array.from({ length: 9 }, (_, k) => (k % 4 === 0 ? size : 0) + rng.range(-skew, skew) * size);
}

const SKEWED = [
  Float64Array.of(6, 0, 0, 5.7, 1.2, 0, 5.5, 1.0, 1.3),
  Float64Array.of(10, 0, 0, -9.5, 2, 0, 0.3, -1.9, 1.5),
  Float64Array.of(3, 0, 0, 0, 12, 0, 2.9, 11.5, 1),
];

test('fractional ↔ Cartesian round trip; lattice vectors have unit fractional coordinates', () => {
  const rng = new Rng(1);
  for (let t = 0; t < 5; t++) {
    const cell = randomCell(rng, 7, 0.4);
    const f = Float64Array.from({ length: 30 }, () => rng.range(-2, 3));
    const back = cartesianToFractional(cell, fractionalToCartesian(cell, f));
    for (let k = 0; k < 30; k++) assert.ok(Math.abs(back[k] - f[k]) < 1e-12);
    const fa = cartesianToFractional(cell, cell);
    for (let k = 0; k < 9; k++) assert.ok(Math.abs(fa[k] - (k % 4 === 0 ? 1 : 0)) < 1e-12);
  }
  assert.throws(() => cartesianToFractional([1, 0, 0, 2, 0, 0, 0, 0, 1], [0, 0, 0]), FarfieldError);
  assert.throws(() => fractionalToCartesian([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0]), FarfieldError);
});

test('wrapping moves atoms by lattice vectors into [0, 1) along periodic directions only', () => {
  const rng = new Rng(2);
  const cell = SKEWED[1];
  const pos = fractionalToCartesian(cell, Float64Array.from({ length: 60 }, () => rng.range(-5, 5)));
  for (const pbc of [[true, true, true], [true, false, true], [false, false, false]] as [boolean, boolean, boolean][]) {
    const w = wrapPositionsArray(cell, pbc, pos);
    const f0 = cartesianToFractional(cell, pos), f1 = cartesianToFractional(cell, w);
    for (let k = 0; k < 60; k++) {
      const d = k % 3;
      const moved = f0[k] - f1[k];
      assert.ok(Math.abs(moved - Math.round(moved)) < 1e-9, 'moved by a non-lattice vector');
      if (pbc[d]) assert.ok(f1[k] >= -1e-12 && f1[k] < 1 + 1e-12, `fractional ${f1[k]} outside [0, 1)`);
      else assert.ok(Math.abs(moved) < 1e-9, 'non-periodic direction was wrapped');
    }
  }
  const s = makeStructure({ symbols: ['H', 'H'], positions: [[-1, 7, 13], [0.5, 0.5, 0.5]], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3], labels: { energyEv: -2 } });
  const ws = wrapPositions(s);
  assert.deepEqual([...ws.positions].map((x) => +x.toFixed(12)), [2, 1, 1, 0.5, 0.5, 0.5]);
  assert.equal(ws.labels.energyEv, -2);
  assert.equal(s.positions[0], -1, 'input mutated');
});

/**
 * Exhaustive reference: shortest of v + n·A over all n that can matter. A shortest image d has |d| ≤ |v| and
 * fractional components f_k(v) + n_k with |f_k(d)| ≤ |d| / w_k, so |n_k| ≤ |v| / w_k + |f_k(v)|.
 */
function exhaustive(cell: Float64Array, pbc: boolean[], v: number[]): number {
  const inv = inv3(cell), w = cellWidths(cell), len = Math.hypot(v[0], v[1], v[2]);
  const r = [0, 1, 2].map((d) => (pbc[d] ? Math.ceil(len / w[d] + Math.abs(v[0] * inv[d] + v[1] * inv[3 + d] + v[2] * inv[6 + d])) : 0));
  let best = Infinity;
  for (let a = -r[0]; a <= r[0]; a++)
    for (let b = -r[1]; b <= r[1]; b++)
      for (let c = -r[2]; c <= r[2]; c++) {
        const x = v[0] + a * cell[0] + b * cell[3] + c * cell[6];
        const y = v[1] + a * cell[1] + b * cell[4] + c * cell[7];
        const z = v[2] + a * cell[2] + b * cell[5] + c * cell[8];
        best = Math.min(best, Math.hypot(x, y, z));
      }
  return best;
}

test('minimum image is the shortest image on skewed triclinic cells (where rounding alone fails)', () => {
  const rng = new Rng(3);
  let roundingWasWrong = 0;
  for (const cell of [...SKEWED, randomCell(rng, 5, 0.3)]) {
    const inv = inv3(cell);
    const mic = minimumImageFunction(cell, [true, true, true]);
    for (let t = 0; t < 100; t++) {
      const v = [rng.range(-4, 4), rng.range(-4, 4), rng.range(-4, 4)];
      const m = mic(v);
      const ref = exhaustive(cell, [true, true, true], v);
      assert.ok(Math.abs(Math.hypot(m[0], m[1], m[2]) - ref) < 1e-9, `|mic| ${Math.hypot(m[0], m[1], m[2])} vs ${ref}`);
      // m − v must be a lattice vector
      const f = [0, 1, 2].map((d) => (m[0] - v[0]) * inv[d] + (m[1] - v[1]) * inv[3 + d] + (m[2] - v[2]) * inv[6 + d]);
      for (const x of f) assert.ok(Math.abs(x - Math.round(x)) < 1e-9);
      // the orthorhombic shortcut: subtract round(f)·A only
      const g = [0, 1, 2].map((d) => v[0] * inv[d] + v[1] * inv[3 + d] + v[2] * inv[6 + d]).map((x) => x - Math.round(x));
      const naive = Math.hypot(...[0, 1, 2].map((c) => g[0] * cell[c] + g[1] * cell[3 + c] + g[2] * cell[6 + c]));
      if (naive > ref + 1e-9) roundingWasWrong++;
    }
  }
  assert.ok(roundingWasWrong > 20, 'test cells are not skewed enough to distinguish the shortcut');
});

test('minimum image with mixed and no pbc', () => {
  const rng = new Rng(4);
  const cell = SKEWED[0];
  for (const pbc of [[true, false, true], [false, true, false]]) {
    for (let t = 0; t < 100; t++) {
      const v = [rng.range(-4, 4), rng.range(-4, 4), rng.range(-4, 4)];
      const m = minimumImageVector(cell, pbc, v);
      assert.ok(Math.abs(Math.hypot(m[0], m[1], m[2]) - exhaustive(cell, pbc, v)) < 1e-9);
    }
  }
  assert.deepEqual([...minimumImageVector(new Float64Array(9), [false, false, false], [20, 0, -3])], [20, 0, -3]);
});

test('minimumImageDistance = the shortest distance of the pair in a neighbour list', () => {
  const rng = new Rng(5);
  const cell = SKEWED[2];
  const s = makeStructure({ symbols: Array(8).fill('Ar'), positions: fractionalToCartesian(cell, Float64Array.from({ length: 24 }, () => rng.uniform())), cell });
  const nl = buildNeighbourList(s, 8);
  const best = new Map<string, number>();
  for (let p = 0; p < nl.count; p++) {
    const k = `${nl.centres[p]},${nl.neighbours[p]}`;
    best.set(k, Math.min(best.get(k) ?? Infinity, nl.distances[p]));
  }
  for (let i = 0; i < 8; i++)
    for (let j = 0; j < 8; j++) if (i !== j) assert.ok(Math.abs(minimumImageDistance(s, i, j) - best.get(`${i},${j}`)!) < 1e-9);
  assert.throws(() => minimumImageDistance(s, 0, 8), FarfieldError);
});
