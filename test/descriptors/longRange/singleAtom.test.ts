/**
 * One atom per cell (issue 13 item 1 concerned the electrostatics real-space sum; the descriptors use the geometry
 * neighbour list, which holds self images j = i, n ≠ 0): the per-atom FKK (Ewald and PME reciprocal paths) and LODE
 * descriptors of a 1-atom triclinic cell equal those of both atoms of its 2×1×1 supercell, to the plans' accuracy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, type Structure } from '../../../src/core/index.js';
import { ComputeContext } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { LodeDescriptor } from '../../../src/descriptors/lode/index.js';

const cell = [4.1, 0, 0, 0.7, 3.9, 0, -0.5, 0.4, 4.4];
const one = makeStructure({ symbols: ['Na'], positions: [0.3, 0.2, 0.1], cell });
const two = makeStructure({ symbols: ['Na', 'Na'], positions: [0.3, 0.2, 0.1, 4.4, 0.2, 0.1], cell: [8.2, ...cell.slice(1)] });

for (const [name, make] of [
  ['fkk (ewald)', () => new FkkDescriptor(['Na'], { accuracy: 1e-8, reciprocalSolver: 'ewald' })],
  ['fkk (pme)', () => new FkkDescriptor(['Na'], { accuracy: 1e-8, reciprocalSolver: 'pme' })],
  ['lode', () => new LodeDescriptor(['Na'], {})],
] as [string, () => { compute(s: Structure, c: ComputeContext): { features: { data: Float64Array } } }][]) {
  test(`${name}: 1-atom cell = each atom of its 2×1×1 supercell`, () => {
    const d = make();
    const x1 = d.compute(one, new ComputeContext(one)).features.data, x2 = d.compute(two, new ComputeContext(two)).features.data;
    assert.equal(x2.length, 2 * x1.length);
    const scale = Math.max(...Array.from(x1, Math.abs));
    for (let k = 0; k < x1.length; k++)
      for (const y of [x2[k], x2[x1.length + k]]) assert.ok(Math.abs(x1[k] - y) <= 1e-7 * scale, `feature ${k}: ${x1[k]} vs ${y}`);
  });
}
