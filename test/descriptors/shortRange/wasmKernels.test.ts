/**
 * The wasm kernels of the short-range descriptors (math/linalg/powerSpectrumWasm.ts: the angular block's basis
 * functions and per-centre power-spectrum products, the radial block's pair loops) give bitwise the features and
 * single-vjp gradients of the TS loops (same operations in the same order), for two and three species, even and odd
 * nmax (SIMD tails), lmax 0, 3 and 7, a periodic cell with self-images, a molecule and a centre without neighbours;
 * the option is validated. The angular pair Jacobians of the batched/factored reverse pass (psJacobian) are bitwise
 * those of centreJacobian's TS loops, and so are the batched and factored gradients built on them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, type Structure } from '../../../src/core/index.js';
import { ComputeContext, backwardOf, backwardManyOf, backwardFactoredOf } from '../../../src/descriptors/index.js';
import { AngularDescriptor } from '../../../src/descriptors/shortRange/angular.js';
import { RadialDescriptor } from '../../../src/descriptors/shortRange/radial.js';
import { wasmLinalgAvailable } from '../../../src/math/index.js';
import { molecule, triclinicNaCl } from './structures.js';

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) assert.fail(`${what}[${k}]: ${a[k]} (wasm) vs ${b[k]} (ts)`);
}

const withLoneAtom = (): Structure =>
  makeStructure({
    symbols: ['O', 'H', 'H', 'C', 'O', 'H', 'H'],
    positions: [[0, 0, 0], [0.96, 0.1, 0], [-0.3, 0.93, 0.2], [1.9, 1.7, -0.4], [2.4, 0.4, 1.1], [3.1, 2.6, -0.2], [30, 30, 30]],
  });

const cases: [string, () => Structure, Record<string, unknown>][] = [
  ['NaCl triclinic, defaults', triclinicNaCl, {}],
  ['NaCl triclinic, lmax 7, nmax 5', triclinicNaCl, { lmax: 7, nmax: 5 }],
  ['molecule + isolated atom, lmax 6, no filter, nmax 3', withLoneAtom, { lmax: 6, filter: false, nmax: 3 }],
  ['molecule, lmax 0, nmax 1', molecule, { lmax: 0, nmax: 1 }],
];

for (const [name, make, hypers] of cases) {
  test(`angular: wasm kernels = TS loops bitwise, features and single vjp (${name})`, { skip: !wasmLinalgAvailable() }, () => {
    const s = make();
    const species = [...s.symbols];
    const ts = new AngularDescriptor(species, { cutoffA: 4.5, ...hypers }, { kernels: 'ts' });
    const wa = new AngularDescriptor(species, { cutoffA: 4.5, ...hypers }, { kernels: 'wasm' });
    assert.equal(ts.kernels, 'ts');
    assert.equal(wa.kernels, 'wasm');
    const ctx = new ComputeContext(s);
    const a = wa.compute(s, ctx), b = ts.compute(s, ctx);
    sameBits(a.features.data, b.features.data, 'features');
    sameBits(a.saved.c, b.saved.c, 'c');
    assert.ok(b.features.data.some((x) => x !== 0));
    const rng = new Rng(7);
    const g = Float64Array.from({ length: s.species.length * ts.width }, () => rng.normal());
    for (let k = 0; k < ts.width; k++) g[k] = 0; // a centre without upstream is skipped by both
    const ga = backwardOf(wa, s, ctx, a.saved, g), gb = backwardOf(ts, s, ctx, b.saved, g);
    sameBits(ga.positions, gb.positions, 'positions');
    sameBits(ga.strain, gb.strain, 'strain');
    assert.ok(gb.positions.some((x) => x !== 0));
  });
}

for (const [name, make, hypers] of cases) {
  test(`angular: wasm pair Jacobians = TS loops bitwise, cached Jacobians, batched and factored vjp (${name})`, { skip: !wasmLinalgAvailable() }, () => {
    const s = make();
    const species = [...s.symbols];
    const ts = new AngularDescriptor(species, { cutoffA: 4.5, ...hypers }, { kernels: 'ts' });
    const wa = new AngularDescriptor(species, { cutoffA: 4.5, ...hypers }, { kernels: 'wasm' });
    const ctx = new ComputeContext(s);
    const a = wa.compute(s, ctx), b = ts.compute(s, ctx);
    const nat = s.species.length, W = ts.width, count = 3, rng = new Rng(11);
    const g = Float64Array.from({ length: count * nat * W }, () => rng.normal());
    const ga = backwardManyOf(wa, s, ctx, a.saved, g, count), gb = backwardManyOf(ts, s, ctx, b.saved, g, count);
    assert.ok(a.saved.jacobian && b.saved.jacobian, 'the batched pass keeps the Jacobians');
    sameBits(a.saved.jacobian, b.saved.jacobian, 'jacobian');
    assert.ok(b.saved.jacobian.some((x) => x !== 0));
    sameBits(ga.positions, gb.positions, 'batched positions');
    sameBits(ga.strain, gb.strain, 'batched strain');
    // factored on fresh states (Jacobians rebuilt in the factored pass)
    const a2 = wa.compute(s, ctx), b2 = ts.compute(s, ctx);
    const coef = (): Float64Array => Float64Array.from({ length: count * nat }, () => rng.normal());
    const rows = (k: number): Float64Array => Float64Array.from({ length: k * W }, () => rng.normal());
    const up = { count, terms: [{ coef: coef(), rows: rows(count) }], own: { coef: coef(), rows: rows(nat) } };
    const fa = backwardFactoredOf(wa, s, ctx, a2.saved, up), fb = backwardFactoredOf(ts, s, ctx, b2.saved, up);
    sameBits(a2.saved.jacobian!, b2.saved.jacobian!, 'jacobian (factored)');
    sameBits(fa.positions, fb.positions, 'factored positions');
    sameBits(fa.strain, fb.strain, 'factored strain');
  });
}

test('angular: kernels option validated; the default picks wasm when available', () => {
  assert.throws(() => new AngularDescriptor(['Na'], {}, { kernels: 'gpu' as 'ts' }), /kernels must be/);
  assert.equal(new AngularDescriptor(['Na'], {}).kernels, wasmLinalgAvailable() ? 'wasm' : 'ts');
});

for (const [name, make, hypers] of [
  ['NaCl triclinic, defaults', triclinicNaCl, {}],
  ['molecule + isolated atom, nmax 5, R 3.1', withLoneAtom, { nmax: 5, cutoffA: 3.1 }],
] as [string, () => Structure, Record<string, unknown>][]) {
  test(`radial: wasm pair loops = TS loops bitwise, features (also on top of non-zero columns) and single vjp (${name})`, { skip: !wasmLinalgAvailable() }, () => {
    const s = make();
    const species = [...s.symbols];
    const ts = new RadialDescriptor(species, hypers, { kernels: 'ts' }), wa = new RadialDescriptor(species, hypers, { kernels: 'wasm' });
    assert.equal(wa.kernels, 'wasm');
    const ctx = new ComputeContext(s);
    sameBits(wa.compute(s, ctx).features.data, ts.compute(s, ctx).features.data, 'features');
    // computeInto accumulates into a composite's columns: the same additions onto non-zero entries
    const nat = s.species.length, stride = ts.width + 3;
    const ta = Float64Array.from({ length: nat * stride }, (_, k) => Math.sin(k)), tb = ta.slice();
    wa.computeInto(s, ctx, { data: ta, stride, offset: 2 });
    ts.computeInto(s, ctx, { data: tb, stride, offset: 2 });
    sameBits(ta, tb, 'computeInto');
    const rng = new Rng(3);
    const g = Float64Array.from({ length: nat * ts.width }, () => rng.normal());
    const ga = backwardOf(wa, s, ctx, {}, g), gb = backwardOf(ts, s, ctx, {}, g);
    sameBits(ga.positions, gb.positions, 'positions');
    sameBits(ga.strain, gb.strain, 'strain');
    assert.ok(gb.positions.some((x) => x !== 0));
  });
}
