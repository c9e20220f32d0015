/**
 * Proves the structure transformations by their defining properties: supercells keep every local environment and
 * scale extensive labels; rotations are orthogonal, Haar-uniform on average, preserve distances and rotate forces
 * and stress consistently; translations and permutations carry labels along. Supercell order cross-checked with
 * ASE's `Atoms.repeat` when /usr/bin/python3 has ASE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { makeStructure, Rng, FarfieldError, cellVolume, det3, mul3, transpose3, type Structure } from '../../src/core/index.js';
import {
  supercell, randomRotation, rotationAboutAxis, rotateStructure, translateStructure, permuteAtoms, buildNeighbourList,
} from '../../src/geometry/index.js';

function sample(rng: Rng, n = 6): Structure {
  const cell = Float64Array.from({ length: 9 }, (_, k) => (k % 4 === 0 ? 4 : 0) + rng.range(-0.8, 0.8));
  const pos = Float64Array.from({ length: 3 * n }, () => rng.range(0, 4));
  return makeStructure({
    symbols: Array.from({ length: n }, (_, i) => (i % 2 ? 'Na' : 'Cl')), positions: pos, cell,
    labels: {
      energyEv: -7.25,
      forcesEvPerA: Float64Array.from({ length: 3 * n }, () => rng.range(-1, 1)),
      stressEvPerA3: Float64Array.of(0.01, 0.002, -0.003, 0.002, -0.02, 0.004, -0.003, 0.004, 0.005),
      charges: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)),
    },
    arrays: { tag: { type: 'I', width: 1, data: Int32Array.from({ length: n }, (_, i) => 10 * i) } },
  });
}

/** Sorted neighbour distances of every atom (the local environment), as strings for comparison. */
function environments(s: Structure, cutoff: number): string[] {
  const nl = buildNeighbourList(s, cutoff);
  const out: string[] = [];
  for (let i = 0; i < nl.atoms; i++)
    out.push(Array.from(nl.distances.subarray(nl.offsets[i], nl.offsets[i + 1])).sort((a, b) => a - b).map((d) => d.toFixed(8)).join(' '));
  return out;
}

test('supercell: volume ×n, atoms ×n, environments unchanged, labels extensive/intensive', () => {
  const rng = new Rng(1);
  const s = sample(rng);
  const big = supercell(s, [2, 1, 3]);
  assert.equal(big.species.length, 36);
  assert.ok(Math.abs(cellVolume(big.cell) - 6 * cellVolume(s.cell)) < 1e-9);
  assert.equal(big.labels.energyEv, -7.25 * 6);
  assert.deepEqual([...big.labels.stressEvPerA3!], [...s.labels.stressEvPerA3!]);
  const e0 = environments(s, 5), e1 = environments(big, 5);
  for (let k = 0; k < 36; k++) {
    assert.equal(e1[k], e0[k % 6], `environment of supercell atom ${k}`);
    assert.equal(big.species[k], s.species[k % 6]);
    assert.equal(big.labels.charges![k], s.labels.charges![k % 6]);
    assert.equal(big.labels.forcesEvPerA![3 * k + 1], s.labels.forcesEvPerA![3 * (k % 6) + 1]);
    assert.equal((big.arrays.tag.data as Int32Array)[k], 10 * (k % 6));
  }
  const cube = supercell(s, [2, 2, 2]);
  assert.ok(Math.abs(cellVolume(cube.cell) - 8 * cellVolume(s.cell)) < 1e-9);
  assert.throws(() => supercell(s, [0, 1, 1]), FarfieldError);
  assert.throws(() => supercell(s, [1.5, 1, 1]), FarfieldError);
  const slab = makeStructure({ symbols: ['H'], positions: [0, 0, 0], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3], pbc: [true, true, false] });
  assert.throws(() => supercell(slab, [1, 1, 2]), FarfieldError);
  assert.equal(supercell(slab, [2, 2, 1]).species.length, 4);
});

const haveAse = spawnSync('/usr/bin/python3', ['-c', 'import ase'], { encoding: 'utf8' }).status === 0;

test('supercell atom order and positions match ASE Atoms.repeat', { skip: haveAse ? false : '/usr/bin/python3 without ASE: skipping' }, () => {
  const s = sample(new Rng(2), 3);
  const script = `
import json, sys
from ase import Atoms
d = json.load(sys.stdin)
a = Atoms('ClNaCl', positions=d['p'], cell=d['c'], pbc=True).repeat((2, 3, 1))
print(json.dumps({'p': a.positions.flatten().tolist(), 'c': a.cell.array.flatten().tolist()}))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify({ p: [0, 1, 2].map((i) => [...s.positions.subarray(3 * i, 3 * i + 3)]), c: [0, 1, 2].map((i) => [...s.cell.subarray(3 * i, 3 * i + 3)]) }),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const ase = JSON.parse(r.stdout) as { p: number[]; c: number[] };
  const big = supercell(s, [2, 3, 1]);
  ase.p.forEach((x, k) => assert.ok(Math.abs(big.positions[k] - x) < 1e-12, `position entry ${k}`));
  ase.c.forEach((x, k) => assert.ok(Math.abs(big.cell[k] - x) < 1e-12));
});

test('random rotations are proper orthogonal and average to zero (Haar)', () => {
  const rng = new Rng(3);
  const mean = new Float64Array(9);
  const M = 4000;
  for (let t = 0; t < M; t++) {
    const R = randomRotation(rng);
    const I = mul3(R, transpose3(R));
    for (let k = 0; k < 9; k++) assert.ok(Math.abs(I[k] - (k % 4 === 0 ? 1 : 0)) < 1e-12);
    assert.ok(Math.abs(det3(R) - 1) < 1e-12);
    for (let k = 0; k < 9; k++) mean[k] += R[k] / M;
  }
  // E[R_ij] = 0 for the Haar measure; each entry has variance 1/3, so the mean's standard error is 1/√(3M) ≈ 0.009.
  for (let k = 0; k < 9; k++) assert.ok(Math.abs(mean[k]) < 0.04, `mean R[${k}] = ${mean[k]}`);
});

test('rotation about an axis: right-handed, x → y for +90° about z', () => {
  const R = rotationAboutAxis([0, 0, 2], Math.PI / 2);
  const s = makeStructure({ symbols: ['H'], positions: [1, 0, 0], labels: { forcesEvPerA: Float64Array.of(0, 1, 0) } });
  const r = rotateStructure(s, R);
  assert.ok(Math.abs(r.positions[0]) < 1e-15 && Math.abs(r.positions[1] - 1) < 1e-15);
  assert.ok(Math.abs(r.labels.forcesEvPerA![0] + 1) < 1e-15);
});

test('rotateStructure preserves distances and volume, rotates forces and stress consistently', () => {
  const rng = new Rng(4);
  const s = sample(rng);
  const R = randomRotation(rng);
  const r = rotateStructure(s, R);
  assert.deepEqual(environments(r, 5), environments(s, 5));
  assert.ok(Math.abs(cellVolume(r.cell) - cellVolume(s.cell)) < 1e-9);
  assert.equal(r.labels.energyEv, s.labels.energyEv);
  // rotating back with Rᵀ restores everything
  const back = rotateStructure(r, transpose3(R));
  for (let k = 0; k < 18; k++) {
    assert.ok(Math.abs(back.positions[k] - s.positions[k]) < 1e-12);
    assert.ok(Math.abs(back.labels.forcesEvPerA![k] - s.labels.forcesEvPerA![k]) < 1e-12);
  }
  for (let k = 0; k < 9; k++) assert.ok(Math.abs(back.labels.stressEvPerA3![k] - s.labels.stressEvPerA3![k]) < 1e-14);
  // invariants: F·r per atom, trace and Frobenius norm of the stress
  for (let i = 0; i < 6; i++) {
    let a = 0, b = 0;
    for (let d = 0; d < 3; d++) {
      a += s.labels.forcesEvPerA![3 * i + d] * s.positions[3 * i + d];
      b += r.labels.forcesEvPerA![3 * i + d] * r.positions[3 * i + d];
    }
    assert.ok(Math.abs(a - b) < 1e-12);
  }
  const tr = (m: Float64Array): number => m[0] + m[4] + m[8];
  const fro = (m: Float64Array): number => Math.hypot(...m);
  assert.ok(Math.abs(tr(r.labels.stressEvPerA3!) - tr(s.labels.stressEvPerA3!)) < 1e-15);
  assert.ok(Math.abs(fro(r.labels.stressEvPerA3!) - fro(s.labels.stressEvPerA3!)) < 1e-15);
  assert.throws(() => rotateStructure(s, [1, 0, 0, 0, 2, 0, 0, 0, 1]), FarfieldError);
  assert.equal(s.positions[0], sample(new Rng(4)).positions[0], 'input mutated');
});

test('translate and permute carry labels along; permuting back restores the structure', () => {
  const rng = new Rng(5);
  const s = sample(rng);
  const t = translateStructure(s, [1.5, -2, 0.25]);
  assert.ok(Math.abs(t.positions[4] - s.positions[4] + 2) < 1e-15);
  assert.deepEqual(environments(t, 5), environments(s, 5));
  const order = [3, 0, 5, 1, 4, 2];
  const p = permuteAtoms(s, order);
  for (let k = 0; k < 6; k++) {
    assert.equal(p.species[k], s.species[order[k]]);
    assert.equal(p.labels.charges![k], s.labels.charges![order[k]]);
    assert.equal(p.positions[3 * k + 2], s.positions[3 * order[k] + 2]);
    assert.equal(p.labels.forcesEvPerA![3 * k], s.labels.forcesEvPerA![3 * order[k]]);
  }
  const inverse = new Array<number>(6);
  order.forEach((o, k) => { inverse[o] = k; });
  assert.deepEqual([...permuteAtoms(p, inverse).positions], [...s.positions]);
  assert.throws(() => permuteAtoms(s, [0, 0, 1, 2, 3, 4]), FarfieldError);
  assert.throws(() => translateStructure(s, [0, NaN, 0]), FarfieldError);
});
