/**
 * Kernels: values against their formulas, ∂K/∂X against central finite differences, the batched per-reference
 * gradient against the weighted gradient, and the registry / JSON round trip. The FD checker is shown to fail on
 * a deliberately wrong gradient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { createDescriptor, expandFactored, singleBlock, type ColumnGroup } from '../../src/descriptors/index.js';
import { bindKernel, createKernel, leafBlocks, type Kernel, type KernelSpec } from '../../src/model/index.js';
import { checkGradient } from '../helpers/gradient.js';

const D = 7;
function randRows(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n * D }, () => rng.range(-0.3, 1));
}

const SPECS: KernelSpec[] = [
  { kind: 'polynomial', hypers: { zeta: 4 } },
  { kind: 'polynomial', hypers: { zeta: 3 } },
  { kind: 'gaussian', hypers: { scale: 2.5 } },
  { kind: 'vasp', hypers: { zeta: 4, linearColumns: [[0, 3]], polynomialColumns: [[3, 7]] } },
  { kind: 'linear', hypers: {} },
  { kind: 'linear', hypers: { whiten: true, center: [0.1, -0.2, 0.3, 0, 0.5, 0.2, -0.1], transform: [[1, 0.5, 0, -0.3, 0.2, 0, 0.1], [0, 2, 1, 0, -1, 0.4, 0], [0.3, 0, 0, 1.5, 0, 0.2, -0.7]] } },
  { kind: 'block', hypers: { parts: [{ kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, weight: 0.7, columns: [[0, 4]] }, { kernel: { kind: 'linear', hypers: {} }, weight: 1.3, columns: [[4, 7]] }] } },
  { kind: 'block', hypers: { parts: [{ kernel: { kind: 'linear', hypers: {} }, weight: 0.4, columns: [[0, 2], [5, 7]] }, { kernel: { kind: 'gaussian', hypers: { scale: 2 } }, weight: 1, columns: [[2, 5]] }] } },
];

/** Checks ∂/∂a of Σ_ib coef_ib K(a_i,b_b) by central differences (checkGradient, h 1e-5, 1e-8 of ‖g_fd‖∞). */
function checkKernelGradient(k: Kernel, a: Float64Array, na: number, b: Float64Array, nb: number, coef: Float64Array,
  grad: (k: Kernel, a: Float64Array) => Float64Array): void {
  const B = k.prepare(b, nb, D);
  const f = (x: Float64Array): number => {
    const m = k.matrix(k.prepare(x, na, D), B);
    let s = 0;
    for (let q = 0; q < m.length; q++) s += coef[q] * m[q];
    return s;
  };
  checkGradient(f, grad(k, a), a, { h: 1e-5, rtol: 1e-8, what: `${k.toJSON().kind} kernel gradient` });
}

for (const spec of SPECS) {
  test(`${spec.kind} ${JSON.stringify(spec.hypers)}: gradient = finite differences, per-reference gradient consistent`, () => {
    const rng = new Rng(3);
    const k = createKernel(spec);
    const na = 3, nb = 5;
    const a = randRows(rng, na), b = randRows(rng, nb);
    const coef = Float64Array.from({ length: na * nb }, () => rng.range(-1, 1));
    const analytic = (kk: Kernel, x: Float64Array): Float64Array => {
      const out = new Float64Array(na * D);
      kk.gradient(kk.prepare(x, na, D), kk.prepare(b, nb, D), coef, out);
      return out;
    };
    checkKernelGradient(k, a, na, b, nb, coef, analytic);
    // per-reference: Σ_b coef_ib G_b[i] = gradient
    const A = k.prepare(a, na, D), B = k.prepare(b, nb, D);
    const km = k.matrix(A, B);
    const per = new Float64Array(nb * na * D);
    k.gradientPerReference(A, B, 0, nb, km, per);
    const g = analytic(k, a);
    for (let i = 0; i < na; i++)
      for (let c = 0; c < D; c++) {
        let s = 0;
        for (let bb = 0; bb < nb; bb++) s += coef[i * nb + bb] * per[(bb * na + i) * D + c];
        assert.ok(Math.abs(s - g[i * D + c]) < 1e-12 * (1 + Math.abs(g[i * D + c])));
      }
    // sub-range b0..b1 equals the slice of the full result
    const part = new Float64Array(2 * na * D);
    k.gradientPerReference(A, B, 2, 4, km, part);
    assert.deepEqual(Array.from(part), Array.from(per.subarray(2 * na * D, 4 * na * D)));
    // factored form, rows placed at atoms [4, 1, 6] of a 7-atom structure, references 1..4: expands to the same
    // per-reference gradients (and zero on the other atoms)
    assert.ok(typeof k.factoredGradient === 'function', `${spec.kind} has factoredGradient`);
    const index = [4, 1, 6], nat = 7;
    const up = k.factoredGradient!(A, B, 1, 4, km, index, nat);
    assert.equal(up.count, 3);
    const full = new Float64Array(3 * nat * D);
    expandFactored(up, nat, D, 0, 3, full);
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < nat; i++)
        for (let q = 0; q < D; q++) {
          const v = full[(c * nat + i) * D + q];
          const r = index.indexOf(i);
          const want = r < 0 ? 0 : per[((1 + c) * na + r) * D + q];
          assert.ok(Math.abs(v - want) <= 1e-13 * (1 + Math.abs(want)), `entry ${c}, atom ${i}, column ${q}: ${v} vs ${want}`);
        }
    // JSON round trip
    assert.deepEqual(createKernel(k.toJSON()).toJSON(), k.toJSON());
  });
}

test('the finite-difference check fails on a wrong gradient (meta-test)', () => {
  const rng = new Rng(4);
  const k = createKernel({ kind: 'polynomial', hypers: { zeta: 4 } });
  const a = randRows(rng, 2), b = randRows(rng, 3);
  const coef = Float64Array.from({ length: 6 }, () => rng.range(-1, 1));
  const wrong = (kk: Kernel, x: Float64Array): Float64Array => {
    const out = new Float64Array(2 * D);
    kk.gradient(kk.prepare(x, 2, D), kk.prepare(b, 3, D), coef, out);
    out[3] *= 1.01; // 1 % error in one component
    return out;
  };
  assert.throws(() => checkKernelGradient(k, a, 2, b, 3, coef, wrong), /kernel gradient check failed at component 3/);
});

test('polynomial kernel: value (x̂·ŷ)^ζ, K(x, x) = 1, scale invariance', () => {
  const k = createKernel({ kind: 'polynomial', hypers: { zeta: 4 } });
  const x = Float64Array.from([1, 2, 0, 0, 0, 0, 0]);
  const y = Float64Array.from([3, 0, 0, 4, 0, 0, 0]);
  const m = k.matrix(k.prepare(x, 1, D), k.prepare(y, 1, D));
  assert.ok(Math.abs(m[0] - (3 / (Math.sqrt(5) * 5)) ** 4) < 1e-15);
  const self = k.matrix(k.prepare(y, 1, D), k.prepare(y.map((v) => 7 * v), 1, D));
  assert.ok(Math.abs(self[0] - 1) < 1e-15);
});

test('gaussian kernel: value exp(−|x−y|²/s)', () => {
  const k = createKernel({ kind: 'gaussian', hypers: { scale: 2 } });
  const x = Float64Array.from([1, 2, 0, 0, 0, 0, 1]);
  const y = Float64Array.from([0, 2, 1, 0, 0, 0, 0]);
  const m = k.matrix(k.prepare(x, 1, D), k.prepare(y, 1, D));
  assert.ok(Math.abs(m[0] - Math.exp(-3 / 2)) < 1e-15);
});

test('vasp kernel: linear radial + β(x̂ᴬ·ŷᴬ)^ζ; columns bound from composite blocks', () => {
  const k = createKernel({ kind: 'vasp', hypers: { zeta: 2, polynomialWeight: 0.5, linearColumns: [[0, 2]], polynomialColumns: [[2, 7]] } });
  const x = Float64Array.from([1, 2, 1, 0, 0, 0, 0]);
  const y = Float64Array.from([3, 1, 1, 1, 0, 0, 0]);
  const m = k.matrix(k.prepare(x, 1, D), k.prepare(y, 1, D));
  assert.ok(Math.abs(m[0] - (5 + 0.5 * (1 / Math.sqrt(2)) ** 2)) < 1e-14);
  // column metadata of an sr+lr composite: radial (2-body) and angular (3-body) in the sr block, FKK (2-body, long range)
  const group = (name: string, start: number, end: number, bodyOrder: number, range: 'short' | 'long'): ColumnGroup =>
    ({ name, start, end, bodyOrder, range, linear: range === 'long' ? 'density' : null, speciesChannels: null });
  const srlr = { kind: 'composite', width: 8, columnBlocks: [
    { name: 'sr', start: 0, end: 5, weight: 1, groups: [group('radial', 0, 2, 2, 'short'), group('angular', 2, 5, 3, 'short')] },
    { name: 'fkk', start: 5, end: 8, weight: 1, groups: [group('fkk', 5, 8, 2, 'long')] },
  ] };
  assert.deepEqual(leafBlocks(srlr), [['radial', 0, 2], ['angular', 2, 5], ['fkk', 5, 8]]);
  const bound = bindKernel({ kind: 'vasp', hypers: {} }, srlr);
  assert.deepEqual(bound.hypers.linearColumns, [[0, 2], [5, 8]]);
  assert.deepEqual(bound.hypers.polynomialColumns, [[2, 5]]);
  const noAngular = { kind: 'x', width: 2, columnBlocks: singleBlock('x', 2, { bodyOrder: 2, range: 'short', linear: null, speciesChannels: null }) };
  assert.throws(() => bindKernel({ kind: 'vasp', hypers: {} }, noAngular), /no angular block/);
  // the same binding from real descriptors' declared metadata (sr: radial nmax 1 × 2 species, angular; then FKK)
  const real = createDescriptor({ kind: 'composite', species: ['Na', 'Cl'], hypers: { blocks: [
    { spec: { kind: 'sr', hypers: { radial: { nmax: 1 }, angular: { nmax: 1, lmax: 1 } } } }, { spec: { kind: 'fkk', hypers: { count: 2 } } }] } });
  const rw = real.columnBlocks[0].groups[0].end, sw = real.columnBlocks[0].end;
  assert.deepEqual(leafBlocks(real).map(([name]) => name), ['radial', 'angular', 'fkk']);
  const rb = bindKernel({ kind: 'vasp', hypers: {} }, real);
  assert.deepEqual(rb.hypers.linearColumns, [[0, rw], [sw, real.width]]);
  assert.deepEqual(rb.hypers.polynomialColumns, [[rw, sw]]);
  assert.throws(() => bindKernel({ kind: 'vasp', hypers: {} }, createDescriptor({ kind: 'radial', species: ['Na'], hypers: {} })), /no angular block/);
});

test('registry errors list the known kernels; bad hypers are refused', () => {
  assert.throws(() => createKernel({ kind: 'nope', hypers: {} }), /polynomial, gaussian, vasp/);
  assert.throws(() => createKernel({ kind: 'polynomial', hypers: { zeta: 2.5 } }), /positive integer/);
  assert.throws(() => createKernel({ kind: 'gaussian', hypers: { scale: -1 } }), /> 0/);
  assert.throws(() => createKernel({ kind: 'polynomial', hypers: { zeta: 4, foo: 1 } }), /unknown hyperparameter 'foo'/);
});
