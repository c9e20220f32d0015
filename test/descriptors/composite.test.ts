/**
 * Composite descriptor: features are the blocks' features × √weight, concatenated; the vjp is the weighted sum of
 * the blocks' vjps (single, batched, factored); column metadata; JSON round-trip. Uses a toy descriptor with a hand-checkable gradient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, type Structure } from '../../src/core/index.js';
import {
  ComputeContext, DESCRIPTORS, backwardFactoredOf, backwardManyOf, backwardOf, createDescriptor, expandFactored, singleBlock, vjpByLoop,
  type Descriptor, type DescriptorGradients, type DescriptorSpec,
} from '../../src/descriptors/index.js';
import { checkDescriptorGradients } from '../helpers/descriptorGradients.js';

/** Toy: X_i = (Σ_j |r_j − r_i|², scale·N) for a molecule; dX_i0/dr_j = 2(r_j − r_i), dX_i0/dr_i = −Σ_j 2(r_j − r_i). */
function toy(species: readonly string[], hypers: Record<string, unknown>): Descriptor<null> {
  const scale = (hypers.scale as number | undefined) ?? 1;
  /** The toy's only reverse pass: one gradient at a time (the composite's generic loop serves batches). */
  const backward = (s: Structure, g: Float64Array): DescriptorGradients => {
    const n = s.species.length, p = s.positions, pos = new Float64Array(3 * n), strain = new Float64Array(9);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let a = 0; a < 3; a++) {
          const d = 2 * g[2 * i] * (p[3 * j + a] - p[3 * i + a]);
          pos[3 * j + a] += d;
          pos[3 * i + a] -= d;
          for (let b = 0; b < 3; b++) strain[3 * a + b] += d * (p[3 * j + b] - p[3 * i + b]);
        }
    return { positions: pos, strain };
  };
  return {
    kind: 'toy-composite-test', species, cutoffA: 3, labels: [`toy:d2`, `toy:n${scale}`], width: 2,
    columnBlocks: singleBlock('toy-composite-test', 2, { bodyOrder: 2, range: 'short', linear: null, speciesChannels: null }),
    compute(s: Structure) {
      const n = s.species.length, data = new Float64Array(2 * n), p = s.positions;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) for (let a = 0; a < 3; a++) data[2 * i] += (p[3 * j + a] - p[3 * i + a]) ** 2;
        data[2 * i + 1] = scale * n;
      }
      return { features: { rows: n, cols: 2, data, labels: [...this.labels] }, saved: null };
    },
    vjp(s: Structure, _c: ComputeContext, _saved: null, up) {
      return vjpByLoop(up, s.species.length, 2, (g) => backward(s, g));
    },
    toJSON(): DescriptorSpec { return { kind: 'toy-composite-test', species: [...species], hypers: { scale } }; },
  };
}
if (!DESCRIPTORS.has('toy-composite-test')) DESCRIPTORS.register('toy-composite-test', toy);

const mol = makeStructure({ symbols: ['O', 'H', 'H'], positions: [[0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0.1]] });
const spec: DescriptorSpec = {
  kind: 'composite', species: ['H', 'O'],
  hypers: { blocks: [{ spec: { kind: 'toy-composite-test', hypers: { scale: 1 } }, weight: 0.25 }, { spec: { kind: 'toy-composite-test', hypers: { scale: 2 } }, weight: 4 }] },
};

test('composite concatenates blocks scaled by √weight, with labels and cutoff', () => {
  const d = createDescriptor(spec);
  assert.equal(d.width, 4);
  assert.deepEqual(d.labels, ['toy:d2', 'toy:n1', 'b1:toy:d2', 'toy:n2']);
  const X = d.compute(mol, new ComputeContext(mol)).features;
  const A = toy(['H', 'O'], { scale: 1 }).compute(mol, new ComputeContext(mol)).features.data;
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(X.data[4 * i] - 0.5 * A[2 * i]) < 1e-14);
    assert.ok(Math.abs(X.data[4 * i + 2] - 2 * A[2 * i]) < 1e-14);
    assert.equal(X.data[4 * i + 3], 2 * 2 * 3);
  }
  assert.equal(d.cutoffA, 3);
});

test('composite vjp = Σ_b √w_b · block vjp on its column slice', () => {
  const d = createDescriptor(spec);
  const ctx = new ComputeContext(mol);
  const out = d.compute(mol, ctx);
  const g = Float64Array.from({ length: 12 }, (_, k) => Math.sin(k + 1));
  const r = backwardOf(d, mol, ctx, out.saved, g);
  const t = toy(['H', 'O'], {});
  const g1 = new Float64Array(6), g2 = new Float64Array(6);
  for (let i = 0; i < 3; i++) {
    g1[2 * i] = 0.5 * g[4 * i]; g1[2 * i + 1] = 0.5 * g[4 * i + 1];
    g2[2 * i] = 2 * g[4 * i + 2]; g2[2 * i + 1] = 2 * g[4 * i + 3];
  }
  const r1 = backwardOf(t, mol, ctx, null, g1), r2 = backwardOf(t, mol, ctx, null, g2);
  for (let k = 0; k < 9; k++) assert.ok(Math.abs(r.positions[k] - r1.positions[k] - r2.positions[k]) < 1e-13);
  for (let k = 0; k < 9; k++) assert.ok(Math.abs(r.strain[k] - r1.strain[k] - r2.strain[k]) < 1e-13);
  // and the composite's gradient is right: finite differences of g·X (every position component and the strain)
  checkDescriptorGradients(d, mol, { weights: g, h: 1e-6, rtol: 1e-6, what: 'composite' });
});

test('composite batched vjp = loop of single vjps: batched blocks (column views, nested) and looped blocks mixed', () => {
  // sr (itself a composite with batched blocks) + the toy block (single passes only) + radial, in one composite
  const mixed: DescriptorSpec = {
    kind: 'composite', species: ['H', 'O'],
    hypers: { blocks: [
      { spec: { kind: 'sr', hypers: { radial: { cutoffA: 4, nmax: 3 }, angular: { cutoffA: 4, nmax: 2, lmax: 2 } } }, weight: 0.7 },
      { spec: { kind: 'toy-composite-test', hypers: { scale: 1 } }, weight: 2 },
      { spec: { kind: 'radial', hypers: { cutoffA: 3, nmax: 2 } }, weight: 0 },
      { spec: { kind: 'radial', hypers: { cutoffA: 3.5, nmax: 4 } }, weight: 1.3 },
    ] },
  };
  const d = createDescriptor(mixed);
  const ctx = new ComputeContext(mol);
  const out = d.compute(mol, ctx);
  const count = 3, size = 3 * d.width;
  const g = Float64Array.from({ length: count * size }, (_, k) => (k < size ? 0 : Math.sin(0.7 * k + 1)));
  const many = backwardManyOf(d, mol, ctx, out.saved, g, count);
  for (let c = 0; c < count; c++) {
    const one = backwardOf(d, mol, ctx, out.saved, g.subarray(c * size, (c + 1) * size));
    const scale = Math.max(...one.positions.map(Math.abs), ...one.strain.map(Math.abs), 1e-300);
    for (let k = 0; k < 9; k++) {
      assert.ok(Math.abs(many.positions[c * 9 + k] - one.positions[k]) <= 1e-12 * scale, `entry ${c} position ${k}`);
      assert.ok(Math.abs(many.strain[c * 9 + k] - one.strain[k]) <= 1e-12 * scale, `entry ${c} strain ${k}`);
    }
  }
  assert.throws(() => backwardManyOf(d, mol, ctx, out.saved, g.subarray(1), count), /expected 3×3×/);
  // factored upstream (one term + own part): every block gets its columns, the toy block expands them
  const coef = Float64Array.from({ length: count * 3 }, (_, k) => (k < 3 ? 0 : Math.cos(k))), own = Float64Array.from({ length: count * 3 }, (_, k) => (k < 3 ? 0 : Math.sin(2 * k)));
  const up = { count, terms: [{ coef, rows: Float64Array.from({ length: count * d.width }, (_, k) => Math.sin(0.3 * k)) }],
    own: { coef: own, rows: Float64Array.from({ length: 3 * d.width }, (_, k) => Math.cos(0.2 * k)) } };
  const dense = new Float64Array(count * size);
  expandFactored(up, 3, d.width, 0, count, dense);
  const f = backwardFactoredOf(d, mol, ctx, out.saved, up), ref = backwardManyOf(d, mol, ctx, out.saved, dense, count);
  const sc = Math.max(...ref.positions.map(Math.abs), ...ref.strain.map(Math.abs));
  for (let k = 0; k < ref.positions.length; k++) assert.ok(Math.abs(f.positions[k] - ref.positions[k]) <= 1e-12 * sc);
  for (let k = 0; k < ref.strain.length; k++) assert.ok(Math.abs(f.strain[k] - ref.strain[k]) <= 1e-12 * sc);
});

test('composite JSON round-trips and invalid input is refused', () => {
  const d = createDescriptor(spec);
  const j = JSON.parse(JSON.stringify(d.toJSON())) as DescriptorSpec;
  assert.deepEqual(j, spec);
  assert.deepEqual(createDescriptor(j).toJSON(), j);
  assert.throws(() => createDescriptor({ ...spec, hypers: { blocks: [] } }), /non-empty/);
  assert.throws(() => createDescriptor({ ...spec, hypers: { blocks: [{ spec: { kind: 'toy-composite-test' }, weight: -1 }] } }), /weight/);
  assert.throws(() => createDescriptor({ ...spec, hypers: { blocks: [{ spec: { kind: 'nope' } }] } }), /unknown descriptor 'nope'/);
  assert.throws(() => createDescriptor({ ...spec, hypers: { blocks: [{ spec: { kind: 'toy-composite-test', species: ['O'] } }] } }), /species/);
  assert.throws(() => createDescriptor({ ...spec, hypers: { blocks: spec.hypers.blocks, extra: 1 } }), /unknown hyperparameter/);
});

test('factored upstream with entries zero on a block (a block kernel\'s split references): the block sees only its live entries', () => {
  // two toy blocks; entries 0–4 reach block 0 only (term rows zero on block 1's columns), entry 5 block 1 only, entry 6
  // nothing (coefficients zero) — the spy records the entry count each block's vjp receives
  const seen: number[] = [];
  const spyKind = 'toy-composite-spy-test';
  if (!DESCRIPTORS.has(spyKind)) DESCRIPTORS.register(spyKind, (sp, h) => {
    const t = toy(sp, h);
    return { ...t, kind: spyKind, vjp(s: Structure, c: ComputeContext, sv: null, up) { seen.push(up.count); return t.vjp(s, c, sv, up); } };
  });
  const two: DescriptorSpec = {
    kind: 'composite', species: ['H', 'O'],
    hypers: { blocks: [{ spec: { kind: spyKind, hypers: { scale: 1 } }, weight: 0.25 }, { spec: { kind: spyKind, hypers: { scale: 2 } }, weight: 4 }] },
  };
  const d = createDescriptor(two);
  const ctx = new ComputeContext(mol);
  const out = d.compute(mol, ctx);
  const count = 7, nat = 3, D = d.width;
  const coef = Float64Array.from({ length: count * nat }, (_, k) => (k >= 6 * nat ? 0 : 0.5 + Math.cos(k)));
  const rows0 = new Float64Array(count * D), rows1 = new Float64Array(count * D);
  for (let c = 0; c < count; c++)
    for (let k = 0; k < 2; k++) {
      if (c < 5) rows0[c * D + k] = Math.sin(c + 0.3 * k + 1);
      if (c === 5) rows1[c * D + 2 + k] = Math.cos(c + 0.7 * k);
      rows1[6 * D + 2 + k] = 1; // entry 6: a nonzero row, but zero coefficients
    }
  const up = { count, terms: [{ coef, rows: rows0 }, { coef, rows: rows1 }] };
  const dense = new Float64Array(count * nat * D);
  expandFactored(up, nat, D, 0, count, dense);
  const f = backwardFactoredOf(d, mol, ctx, out.saved, up);
  assert.deepEqual(seen, [5, 1]);
  seen.length = 0;
  const ref = backwardManyOf(d, mol, ctx, out.saved, dense, count);
  const sc = Math.max(...ref.positions.map(Math.abs), ...ref.strain.map(Math.abs));
  for (let k = 0; k < ref.positions.length; k++) assert.ok(Math.abs(f.positions[k] - ref.positions[k]) <= 1e-12 * sc, `position ${k}`);
  for (let k = 0; k < ref.strain.length; k++) assert.ok(Math.abs(f.strain[k] - ref.strain[k]) <= 1e-12 * sc, `strain ${k}`);
  for (let k = 6 * 3 * nat; k < 7 * 3 * nat; k++) assert.equal(f.positions[k], 0);
});
