/**
 * reduceCell: a unimodular change of basis (same lattice, same determinant) to short rows — the sheared simple-cubic
 * basis `a 0 0 / a a 0 / −a −a a` of issue 13 reduces to rows of length a; random unimodular transforms of a
 * triclinic cell reduce to the same row lengths as the cell itself; and PME on a sheared cell (which now runs on the
 * reduced basis) equals PME on the reduced cell given directly, for energy, forces and stress, at the same parameters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellVolume, inv3, makeStructure } from '../../src/core/index.js';
import { computeElectrostatics, coulombKernel, reduceCell, tuneElectrostatics } from '../../src/electrostatics/index.js';
import { randomIons, TRICLINIC } from './helpers.js';

const rowLengths = (c: ArrayLike<number>): number[] => [0, 1, 2].map((d) => Math.hypot(c[3 * d], c[3 * d + 1], c[3 * d + 2])).sort((x, y) => x - y);
const isLatticeBasisOf = (r: Float64Array, c: ArrayLike<number>): boolean => {
  // r = M c with M integer and |det M| = 1
  const ci = inv3(c);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    const m = r[3 * i] * ci[j] + r[3 * i + 1] * ci[3 + j] + r[3 * i + 2] * ci[6 + j];
    if (Math.abs(m - Math.round(m)) > 1e-9) return false;
  }
  return Math.abs(cellVolume(r) - cellVolume(c)) < 1e-9 * Math.abs(cellVolume(c));
};

test('reduceCell: sheared cubic → cubic rows; unimodular images of a triclinic cell → its own row lengths', () => {
  const a = 4.2;
  const sheared = Float64Array.from([a, 0, 0, a, a, 0, -a, -a, a]);
  const r = reduceCell(sheared);
  assert.ok(isLatticeBasisOf(r, sheared));
  for (const L of rowLengths(r)) assert.ok(Math.abs(L - a) < 1e-12, `row ${L}`);
  const t = Float64Array.from(TRICLINIC);
  assert.equal(reduceCell(t), t, 'an already reduced cell is returned as is');
  for (const M of [[1, 2, 0, 0, 1, 0, 0, 0, 1], [1, 0, 0, -3, 1, 0, 2, 1, 1], [2, 1, 1, 1, 1, 0, 1, 1, 1]]) {
    const c = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) c[3 * i + j] += M[3 * i + k] * t[3 * k + j];
    const rc = reduceCell(c);
    assert.ok(isLatticeBasisOf(rc, c));
    rowLengths(rc).forEach((L, k) => assert.ok(Math.abs(L - rowLengths(t)[k]) < 1e-9, `M ${M}: ${rowLengths(rc)} vs ${rowLengths(t)}`));
  }
});

test('PME on a sheared cell = PME on its reduced cell (same parameters): energy, forces, stress', () => {
  const a = 9.5;
  const { structure: s, charges: q } = randomIons(40, [a, 0, 0, 0, a, 0, 0, 0, a], 4, 1.8);
  const sheared = makeStructure({ symbols: Array.from(s.species, (k) => s.symbols[k]), positions: s.positions, cell: [a, 0, 0, a, a, 0, -a, -a, a] });
  const p = tuneElectrostatics(sheared, q, { method: 'pme', accuracy: 1e-6 });
  const r1 = computeElectrostatics(sheared, q, coulombKernel(), p), r2 = computeElectrostatics(s, q, coulombKernel(), p);
  assert.ok(Math.abs(r1.energyEv - r2.energyEv) < 1e-10 * Math.abs(r2.energyEv));
  for (let k = 0; k < r1.forcesEvPerA!.length; k++) assert.ok(Math.abs(r1.forcesEvPerA![k] - r2.forcesEvPerA![k]) < 1e-10);
  for (let k = 0; k < 9; k++) assert.ok(Math.abs(r1.stressEvPerA3![k] - r2.stressEvPerA3![k]) < 1e-12);
  // and the tuned mesh is that of the cubic cell
  assert.deepEqual(p.mesh, tuneElectrostatics(s, q, { method: 'pme', accuracy: 1e-6 }).mesh);
});
