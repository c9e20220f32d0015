/**
 * Proves the cell-list neighbour list: it returns exactly the brute-force set of (i, j, shift) pairs with the same
 * vectors and distances, on random triclinic (also very skewed) cells, cutoffs larger than the cell, mixed and no
 * pbc, unwrapped positions and 1-atom cells; every pair satisfies the contract r_ij = r_j + shift·A − r_i; and it
 * agrees with ASE's `neighbor_list` (a tool nobody here wrote) when /usr/bin/python3 has ASE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { makeStructure, Rng, FarfieldError, type Structure } from '../../src/core/index.js';
import { buildNeighbourList, buildNeighbourListInto, buildPairIndex, bruteForceNeighbourList, toHalfList, type NeighbourList } from '../../src/geometry/index.js';

function randomCell(rng: Rng, size: number, skew: number): number[] {
  const c = [size, 0, 0, 0, size, 0, 0, 0, size];
  for (let k = 0; k < 9; k++) c[k] += rng.range(-skew, skew) * size;
  return c;
}

/** Random atoms at fractional coordinates in [−0.2, 1.2) (so some lie outside the cell: unwrapped input). */
function randomStructure(rng: Rng, n: number, cell: number[], pbc: [boolean, boolean, boolean]): Structure {
  const pos = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const f = [rng.range(-0.2, 1.2), rng.range(-0.2, 1.2), rng.range(-0.2, 1.2)];
    for (let d = 0; d < 3; d++) pos[3 * i + d] = f[0] * cell[d] + f[1] * cell[3 + d] + f[2] * cell[6 + d];
  }
  return makeStructure({ symbols: Array(n).fill('Ar'), positions: pos, cell, pbc });
}

function keyed(nl: NeighbourList): Map<string, number> {
  const m = new Map<string, number>();
  for (let p = 0; p < nl.count; p++) {
    const k = `${nl.centres[p]},${nl.neighbours[p]},${nl.shifts[3 * p]},${nl.shifts[3 * p + 1]},${nl.shifts[3 * p + 2]}`;
    assert.ok(!m.has(k), `duplicate pair ${k}`);
    m.set(k, p);
  }
  return m;
}

/** Same pair set, same vectors and distances, CSR grouping by centre, and the contract holds for every pair. */
function assertSameList(s: Structure, a: NeighbourList, b: NeighbourList, what: string): void {
  assert.equal(a.count, b.count, `${what}: ${a.count} pairs, brute force ${b.count}`);
  const ka = keyed(a), kb = keyed(b);
  for (const [k, p] of ka) {
    const q = kb.get(k);
    assert.ok(q !== undefined, `${what}: pair ${k} not in the brute-force list`);
    for (let d = 0; d < 3; d++) assert.ok(Math.abs(a.vectors[3 * p + d] - b.vectors[3 * q + d]) < 1e-9, `${what}: vector of ${k}`);
    assert.ok(Math.abs(a.distances[p] - b.distances[q]) < 1e-9, `${what}: distance of ${k}`);
  }
  assertContract(s, a, what);
}

function assertContract(s: Structure, nl: NeighbourList, what: string): void {
  const { positions: r, cell: A } = s;
  assert.equal(nl.offsets.length, nl.atoms + 1);
  assert.equal(nl.offsets[nl.atoms], nl.count);
  for (let i = 0; i < nl.atoms; i++)
    for (let p = nl.offsets[i]; p < nl.offsets[i + 1]; p++) {
      assert.equal(nl.centres[p], i, `${what}: CSR order`);
      const j = nl.neighbours[p];
      let r2 = 0;
      for (let d = 0; d < 3; d++) {
        const v = r[3 * j + d] - r[3 * i + d] + nl.shifts[3 * p] * A[d] + nl.shifts[3 * p + 1] * A[3 + d] + nl.shifts[3 * p + 2] * A[6 + d];
        assert.ok(Math.abs(v - nl.vectors[3 * p + d]) < 1e-9 * (1 + Math.abs(v)), `${what}: r_ij ≠ r_j + shift·A − r_i for pair ${p}`);
        r2 += v * v;
      }
      assert.ok(Math.abs(Math.sqrt(r2) - nl.distances[p]) < 1e-9, `${what}: distance of pair ${p}`);
      assert.ok(nl.distances[p] > 0 && nl.distances[p] < nl.cutoffA, `${what}: distance out of (0, cutoff)`);
      for (let d = 0; d < 3; d++) if (!s.pbc[d]) assert.equal(nl.shifts[3 * p + d], 0, `${what}: shift along a non-periodic direction`);
    }
}

function compare(s: Structure, cutoff: number, what: string): NeighbourList {
  const fast = buildNeighbourList(s, cutoff);
  const ref = bruteForceNeighbourList(s, cutoff);
  assertSameList(s, fast, ref, what);
  const half = buildNeighbourList(s, cutoff, { half: true });
  assertSameList(s, half, toHalfList(ref), `${what} (half)`);
  assert.equal(2 * half.count, fast.count, `${what}: half list has half the pairs`);
  return fast;
}

test('cell list = brute force on random triclinic cells', () => {
  const rng = new Rng(11);
  for (let t = 0; t < 12; t++) {
    const size = rng.range(6, 14);
    const s = randomStructure(rng, 10 + rng.int(50), randomCell(rng, size, 0.3), [true, true, true]);
    compare(s, rng.range(1.5, 7), `random cell ${t}`);
  }
});

test('cell list = brute force on very skewed cells', () => {
  const cells = [
    [6, 0, 0, 5.7, 1.2, 0, 5.5, 1.0, 1.3],
    [10, 0, 0, -9.5, 2, 0, 0.3, -1.9, 1.5],
    [3, 0, 0, 0, 12, 0, 2.9, 11.5, 1],
  ];
  const rng = new Rng(5);
  cells.forEach((c, t) => compare(randomStructure(rng, 30, c, [true, true, true]), 3.3, `skewed cell ${t}`));
});

test('cutoff larger than the cell: many images, including the centre’s own', () => {
  const rng = new Rng(2);
  const one = makeStructure({ symbols: ['Na'], positions: [0.3, 0.2, 0.1], cell: [2.5, 0, 0, 0.4, 2.2, 0, 0.3, -0.2, 2.8] });
  const nl = compare(one, 7.5, '1-atom cell');
  assert.ok(nl.count > 50);
  // 1-atom simple cubic cell: the count is the number of nonzero lattice points within the cutoff (shell sum 6+12+8)
  const sc = makeStructure({ symbols: ['Na'], positions: [0, 0, 0], cell: [2, 0, 0, 0, 2, 0, 0, 0, 2] });
  assert.equal(buildNeighbourList(sc, 2 * Math.sqrt(3) + 1e-9).count, 26);
  assert.equal(buildNeighbourList(sc, 2.0001).count, 6);
  compare(randomStructure(rng, 5, randomCell(rng, 3, 0.25), [true, true, true]), 9, 'small cell, big cutoff');
});

test('mixed pbc, no pbc, and no cell at all', () => {
  const rng = new Rng(9);
  const patterns: [boolean, boolean, boolean][] = [[true, true, false], [false, true, false], [true, false, true], [false, false, false]];
  for (const pbc of patterns) compare(randomStructure(rng, 40, randomCell(rng, 9, 0.2), pbc), 4.2, `pbc ${pbc}`);
  for (const pbc of patterns.slice(0, 3)) compare(randomStructure(rng, 6, randomCell(rng, 3, 0.2), pbc), 7, `pbc ${pbc}, cutoff > cell`);
  // cluster without a cell, spread wide (bounding-box binning with many empty bins)
  const pos = Float64Array.from({ length: 90 }, () => rng.range(-20, 20));
  compare(makeStructure({ symbols: Array(30).fill('C'), positions: pos }), 9, 'cluster');
  // flat (all atoms in a plane) and single-atom clusters
  const flat = Float64Array.from({ length: 60 }, (_, k) => (k % 3 === 2 ? 1 : rng.range(0, 8)));
  compare(makeStructure({ symbols: Array(20).fill('C'), positions: flat }), 3, 'planar cluster');
  assert.equal(buildNeighbourList(makeStructure({ symbols: ['H'], positions: [1, 2, 3] }), 5).count, 0);
  assert.equal(buildNeighbourList(makeStructure({ symbols: [], positions: [] }), 5).count, 0);
});

test('unwrapped positions: shifts are relative to the positions as given', () => {
  const rng = new Rng(4);
  const cell = randomCell(rng, 7, 0.25);
  const s = randomStructure(rng, 25, cell, [true, true, true]);
  const far = s.positions.slice();
  const moved: number[] = [];
  for (let i = 0; i < 25; i++) {
    const k = [rng.int(7) - 3, rng.int(7) - 3, rng.int(7) - 3];
    moved.push(...k);
    for (let d = 0; d < 3; d++) far[3 * i + d] += k[0] * cell[d] + k[1] * cell[3 + d] + k[2] * cell[6 + d];
  }
  const u = makeStructure({ symbols: Array(25).fill('Ar'), positions: far, cell });
  const a = compare(s, 5, 'wrapped');
  const b = compare(u, 5, 'unwrapped');
  // same vectors; shift(unwrapped) = shift(wrapped) + k_i − k_j
  const kb = keyed(b);
  for (let p = 0; p < a.count; p++) {
    const i = a.centres[p], j = a.neighbours[p];
    const sh = [0, 1, 2].map((d) => a.shifts[3 * p + d] + moved[3 * i + d] - moved[3 * j + d]);
    const q = kb.get(`${i},${j},${sh.join(',')}`);
    assert.ok(q !== undefined, 'unwrapped pair not found with the moved shift');
    assert.ok(Math.abs(a.distances[p] - b.distances[q]) < 1e-9);
  }
});

test('atoms exactly on cell faces and in a dense crystal', () => {
  // fcc Cu, conventional cell 2×2×2: every atom has 12 nearest neighbours at a/√2
  const a = 3.61;
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  const pos: number[] = [];
  for (let x = 0; x < 2; x++) for (let y = 0; y < 2; y++) for (let z = 0; z < 2; z++)
    for (const b of basis) pos.push((x + b[0]) * a, (y + b[1]) * a, (z + b[2]) * a);
  const s = makeStructure({ symbols: Array(32).fill('Cu'), positions: pos, cell: [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a] });
  const nl = compare(s, a / Math.SQRT2 + 0.01, 'fcc');
  for (let i = 0; i < 32; i++) assert.equal(nl.offsets[i + 1] - nl.offsets[i], 12);
  const nl2 = compare(s, a + 0.01, 'fcc 2 shells');
  for (let i = 0; i < 32; i++) assert.equal(nl2.offsets[i + 1] - nl2.offsets[i], 18);
});

test('bad cutoff is refused with FarfieldError', () => {
  const s = makeStructure({ symbols: ['H'], positions: [0, 0, 0], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3] });
  for (const c of [0, -1, NaN, Infinity]) assert.throws(() => buildNeighbourList(s, c), FarfieldError);
});

const ASE_SCRIPT = `
import json, sys
import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
d = json.load(sys.stdin)
at = Atoms(numbers=[18]*len(d['positions']), positions=d['positions'], cell=d['cell'], pbc=d['pbc'])
i, j, S, dist = neighbor_list('ijSd', at, d['cutoff'], self_interaction=False)
print(json.dumps({'i': i.tolist(), 'j': j.tolist(), 'S': S.tolist(), 'd': dist.tolist()}))
`;

const haveAse = spawnSync('/usr/bin/python3', ['-c', 'import ase.neighborlist'], { encoding: 'utf8' }).status === 0;

test('agrees with ASE neighbor_list (cross-check)', { skip: haveAse ? false : '/usr/bin/python3 without ASE: skipping the ASE cross-check' }, () => {
  const rng = new Rng(21);
  const cases: { s: Structure; cutoff: number }[] = [
    { s: randomStructure(rng, 40, randomCell(rng, 9, 0.3), [true, true, true]), cutoff: 4.5 },
    { s: randomStructure(rng, 4, [2.5, 0, 0, 0.4, 2.2, 0, 0.3, -0.2, 2.8], [true, true, true]), cutoff: 6 },
    { s: randomStructure(rng, 30, randomCell(rng, 8, 0.2), [true, false, true]), cutoff: 5 },
  ];
  for (const [t, { s, cutoff }] of cases.entries()) {
    const input = { positions: Array.from({ length: s.species.length }, (_, i) => [...s.positions.subarray(3 * i, 3 * i + 3)]),
      cell: [[...s.cell.subarray(0, 3)], [...s.cell.subarray(3, 6)], [...s.cell.subarray(6, 9)]], pbc: s.pbc, cutoff };
    const r = spawnSync('/usr/bin/python3', ['-c', ASE_SCRIPT], { input: JSON.stringify(input), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const ase = JSON.parse(r.stdout) as { i: number[]; j: number[]; S: number[][]; d: number[] };
    const nl = buildNeighbourList(s, cutoff);
    const mine = keyed(nl);
    assert.equal(ase.i.length, nl.count, `case ${t}: ASE finds ${ase.i.length} pairs, we ${nl.count}`);
    ase.i.forEach((i, p) => {
      const q = mine.get(`${i},${ase.j[p]},${ase.S[p].join(',')}`);
      assert.ok(q !== undefined, `case ${t}: ASE pair ${i}→${ase.j[p]} ${ase.S[p]} missing`);
      assert.ok(Math.abs(nl.distances[q] - ase.d[p]) < 1e-9);
    });
  }
});

test('buildNeighbourListInto = buildNeighbourList bit for bit (buffers too small: grown and kept; large: written in place); buildPairIndex = its pairs', () => {
  const rng = new Rng(31);
  const cell = randomCell(rng, 9, 0.15);
  const a = randomStructure(rng, 40, cell, [true, true, true]), b = randomStructure(rng, 25, cell, [true, true, false]);
  const bufs = { offsets: new Int32Array(0), centres: new Int32Array(8), neighbours: new Int32Array(8), shifts: new Int32Array(24), vectors: new Float64Array(24), distances: new Float64Array(8) };
  for (const half of [false, true]) {
    const ra = buildNeighbourListInto(a, 4.2, bufs, { half }), fa = buildNeighbourList(a, 4.2, { half });
    for (const k of ['offsets', 'centres', 'neighbours', 'shifts', 'vectors', 'distances'] as const) assert.deepEqual(ra[k], fa[k], `${k} (half ${half})`);
    assert.equal(ra.count, fa.count);
    assert.equal(ra.distances.buffer, bufs.distances.buffer, 'the grown buffers are kept');
    const held = bufs.distances;
    const rb = buildNeighbourListInto(b, 3.1, bufs, { half }), fb = buildNeighbourList(b, 3.1, { half });
    assert.equal(bufs.distances, held, 'a smaller list is written into the buffers it finds');
    for (const k of ['offsets', 'centres', 'neighbours', 'shifts', 'vectors', 'distances'] as const) assert.deepEqual(rb[k], fb[k], `${k} (small, half ${half})`);
    const idx = buildPairIndex(a, 4.2, { half });
    assert.equal(idx.count, fa.count);
    assert.deepEqual([idx.offsets, idx.neighbours, idx.shifts], [fa.offsets, fa.neighbours, fa.shifts]);
  }
});
