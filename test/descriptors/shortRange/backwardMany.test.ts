/**
 * Batched reverse pass of the short-range descriptors: `vjp` of a batch (pair-Jacobian GEMMs; `backwardManyOf`)
 * equals a loop of single dense vjps (`backwardOf`) to 1e-12 relative, for 'radial', 'angular' and 'sr' (composite of both, column views), on a small
 * triclinic cell (several images of every atom, and of itself) and a three-species molecule; with batch entries that
 * are all zero or touch only some centres; with and without the cached Jacobian; bad batches are refused.
 * The factored vjp (upstream Σ_r P_r[c,i] T_r[c,:] + Q[c,i] U[i,:]; `backwardFactoredOf`) equals the batch on the
 * expanded upstream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../../src/core/index.js';
import { backwardFactoredOf, backwardManyOf, backwardOf, expandFactored, type FactoredTerms, ComputeContext, createDescriptor, type Descriptor, type DescriptorGradients, type DescriptorSpec } from '../../../src/descriptors/index.js';
import { triclinicNaCl, molecule } from './structures.js';
import { batchedDescriptor, loopedDescriptor } from '../../helpers/plainDescriptor.js';

/** count upstreams: entry 0 all zero, entry 1 only on atom 1, the rest dense random. */
function upstreams(rng: Rng, count: number, nat: number, width: number): Float64Array {
  const g = new Float64Array(count * nat * width);
  for (let c = 1; c < count; c++)
    for (let i = 0; i < nat; i++)
      for (let k = 0; k < width; k++) if (c !== 1 || i === 1) g[(c * nat + i) * width + k] = rng.normal();
  return g;
}

/** max |a − b| / max |b| (and a floor so an all-zero reference must be matched exactly). */
function relErr(a: Float64Array, b: Float64Array): number {
  let e = 0, s = 0;
  for (let k = 0; k < a.length; k++) {
    e = Math.max(e, Math.abs(a[k] - b[k]));
    s = Math.max(s, Math.abs(b[k]));
  }
  return s > 0 ? e / s : e;
}

function compare(d: Descriptor, s: Structure, count: number, seed: number): void {
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const nat = s.species.length, size = nat * d.width;
  const g = upstreams(new Rng(seed), count, nat, d.width);
  for (let rep = 0; rep < 2; rep++) {
    // rep 1 runs with the Jacobian cached by rep 0
    const many: DescriptorGradients = backwardManyOf(d, s, ctx, out.saved, g, count);
    assert.equal(many.positions.length, count * 3 * nat);
    assert.equal(many.strain.length, count * 9);
    for (let c = 0; c < count; c++) {
      const one = backwardOf(d, s, ctx, out.saved, g.subarray(c * size, (c + 1) * size));
      const ep = relErr(many.positions.subarray(c * 3 * nat, (c + 1) * 3 * nat), one.positions);
      const es = relErr(many.strain.subarray(c * 9, (c + 1) * 9), one.strain);
      assert.ok(ep <= 1e-12 && es <= 1e-12, `${d.kind} entry ${c} (rep ${rep}): positions ${ep}, strain ${es}`);
      if (c === 0) assert.ok(many.positions.subarray(0, 3 * nat).every((x) => x === 0));
    }
  }
}

const specs: DescriptorSpec[] = [
  { kind: 'radial', species: ['Na', 'Cl'], hypers: { cutoffA: 6, nmax: 6 } },
  { kind: 'angular', species: ['Na', 'Cl'], hypers: { cutoffA: 4.5, nmax: 4, lmax: 3 } },
  { kind: 'sr', species: ['Na', 'Cl'], hypers: { radial: { cutoffA: 6, nmax: 5 }, angular: { cutoffA: 4.5, nmax: 3, lmax: 4, filter: false } } },
];

for (const spec of specs)
  test(`${spec.kind}: batched vjp = loop of single vjps (triclinic cell with self-images), 1e-12 relative`, () => {
    compare(createDescriptor(spec), triclinicNaCl(), 5, 11);
  });

test('radial, angular, sr: batched vjp = loop of single vjps on a three-species molecule', () => {
  for (const kind of ['radial', 'angular', 'sr'])
    compare(createDescriptor({ kind, species: ['H', 'C', 'O'], hypers: {} }), molecule(), 4, 12);
});

test('backwardManyOf: a descriptor answering by a loop of single passes agrees; bad batch sizes are refused', () => {
  const d = createDescriptor(specs[1]);
  const s = triclinicNaCl();
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const g = upstreams(new Rng(3), 3, s.species.length, d.width);
  const plain: Descriptor = loopedDescriptor(d);
  const a = backwardManyOf(plain, s, ctx, out.saved, g, 3), b = backwardManyOf(d, s, ctx, out.saved, g, 3);
  assert.ok(relErr(b.positions, a.positions) <= 1e-12 && relErr(b.strain, a.strain) <= 1e-12);
  assert.throws(() => backwardManyOf(d, s, ctx, out.saved, g.subarray(1), 3), /expected 3×6×/);
  assert.throws(() => backwardManyOf(d, s, ctx, out.saved, g, 2), /expected 2×6×/);
  assert.throws(() => backwardManyOf(d, s, ctx, { c: new Float64Array(3) }, g, 3), /saved state/);
});

/** A factored upstream with two terms and an own part; coefficients zero on some atoms and in entry 0. */
function factored(rng: Rng, count: number, nat: number, width: number): FactoredTerms {
  const coef = (): Float64Array => {
    const c = new Float64Array(count * nat);
    for (let e = 1; e < count; e++) for (let i = 0; i < nat; i++) if ((i + e) % 3 !== 0) c[e * nat + i] = rng.normal();
    return c;
  };
  const rows = (n: number): Float64Array => Float64Array.from({ length: n * width }, () => rng.normal());
  return { count, terms: [{ coef: coef(), rows: rows(count) }, { coef: coef(), rows: rows(count) }], own: { coef: coef(), rows: rows(nat) } };
}

for (const [name, s] of [['triclinic cell', triclinicNaCl()], ['molecule', molecule()]] as const)
  test(`radial, angular, sr: factored vjp = batched vjp on the expanded upstream (${name})`, () => {
    const species = name === 'molecule' ? ['H', 'C', 'O'] : ['Na', 'Cl'];
    for (const spec of specs) {
      const d = createDescriptor({ ...spec, species });
      const ctx = new ComputeContext(s);
      const out = d.compute(s, ctx);
      const nat = s.species.length, count = 4;
      const up = factored(new Rng(21), count, nat, d.width);
      const dense = new Float64Array(count * nat * d.width);
      expandFactored(up, nat, d.width, 0, count, dense);
      const a = backwardFactoredOf(d, s, ctx, out.saved, up), b = backwardManyOf(d, s, ctx, out.saved, dense, count);
      const ep = relErr(a.positions, b.positions), es = relErr(a.strain, b.strain);
      assert.ok(ep <= 1e-12 && es <= 1e-12, `${d.kind}: positions ${ep}, strain ${es}`);
      assert.ok(a.positions.subarray(0, 3 * nat).every((x) => x === 0) && a.strain.subarray(0, 9).every((x) => x === 0));
      // the generic adapters (expand into batches, loop of single passes) agree too
      const plain = batchedDescriptor(loopedDescriptor(d));
      const c = backwardFactoredOf(plain, s, ctx, out.saved, up);
      assert.ok(relErr(c.positions, b.positions) <= 1e-12 && relErr(c.strain, b.strain) <= 1e-12, `${d.kind} fallback`);
    }
  });
