/**
 * The weighted kernel path (`Kernel.weighted`, kernelScratch.ts): e_i = Σ_b w_b K(x_i, x_b) and
 * g_i = Σ_b w_b ∂K/∂x_i with the weights as a vector, rows read from / gradients added into larger arrays in place.
 * Reference: the matrix/gradient path with coef = w on every row (an independent evaluation: the kernel matrix and
 * the broadcast coefficient matrix, itself checked against finite differences in kernels.test.ts). Agreement to
 * 1e-12 of each array's largest magnitude; the model-level check compares KernelModel.calculate with
 * `weightedKernelPath` on and off (energies, per-atom energies, forces, stress).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKernel, type Kernel, type KernelSpec } from '../../src/model/kernels.js';
import '../../src/model/blockKernel.js';
import { KernelScratch } from '../../src/model/kernelScratch.js';
import { fitModel, loadStructures } from '../../src/api/index.js';
import type { KernelModel } from '../../src/model/index.js';
import { NACL_PBE, TINY_HYPERS } from '../helpers/tinyModel.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-12): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]));
  for (let k = 0; k < expected.length; k++)
    assert.ok(Math.abs(actual[k] - expected[k]) <= rel * scale, `${what}[${k}]: ${actual[k]} vs ${expected[k]} (scale ${scale})`);
}

/** Reference: matrix + gradient with the weights broadcast to every row. */
function viaMatrix(kernel: Kernel, x: Float64Array, na: number, d: number, refs: Float64Array, nb: number, w: Float64Array) {
  const a = kernel.prepare(x, na, d), b = kernel.prepare(refs, nb, d);
  const k = kernel.matrix(a, b);
  const e = new Float64Array(na);
  for (let i = 0; i < na; i++) for (let q = 0; q < nb; q++) e[i] += w[q] * k[i * nb + q];
  const coef = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) coef.set(w, i * nb);
  const g = new Float64Array(na * d);
  kernel.gradient(a, b, coef, g, k);
  return { e, g };
}

const D = 9;
/** A whitened linear kernel with a given center c and transform T (r × d): K = T(x − c)·T(y − c). */
const whitened = (r: number, seed: number, d = D): KernelSpec => {
  const u = rng(seed);
  return { kind: 'linear', hypers: { whiten: true, center: Array.from({ length: d }, () => u()), transform: Array.from({ length: r }, () => Array.from({ length: d }, () => 3 * u())) } };
};
const SPECS: KernelSpec[] = [
  { kind: 'polynomial', hypers: { zeta: 4 } },
  { kind: 'polynomial', hypers: { zeta: 1 } },
  { kind: 'linear', hypers: {} },
  whitened(5, 3),
  { kind: 'block', hypers: { parts: [{ kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, weight: 1, columns: [[0, 6]] }, { kernel: whitened(2, 7, 3), weight: 1, columns: [[6, 9]] }] } },
  { kind: 'block', hypers: { parts: [{ kernel: { kind: 'polynomial', hypers: { zeta: 3 } }, weight: 0.7, columns: [[0, 2], [5, 9]] }, { kernel: { kind: 'linear', hypers: {} }, weight: 1.3, columns: [[2, 5]] }] } },
];

for (const spec of SPECS)
  test(`weighted kernel = matrix/gradient with broadcast weights: ${JSON.stringify(spec).slice(0, 120)}`, () => {
    const kernel = createKernel(spec);
    assert.equal(typeof kernel.weighted, 'function');
    const u = rng(11);
    const na = 7, nb = 12, N = 15;
    // the rows live scattered in a larger N × (D + 2) array at columns 1..D (stride, col0, index all exercised)
    const stride = D + 2, index = [3, 0, 14, 8, 9, 1, 11];
    const big = Float64Array.from({ length: N * stride }, () => u());
    for (let c = 0; c < stride; c++) big[index[4] * stride + c] = 0; // an all-zero environment (K = 0, ∂K = 0)
    const x = new Float64Array(na * D);
    index.forEach((r, i) => x.set(big.subarray(r * stride + 1, r * stride + 1 + D), i * D));
    const refs = Float64Array.from({ length: nb * D }, () => u());
    const b = kernel.prepare(refs, nb, D);
    const scratch = new KernelScratch();
    for (const seed of [5, 6]) {
      // two weight vectors on the same prepared references: anything cached per weights must follow them
      const wu = rng(seed);
      const w = Float64Array.from({ length: nb }, () => 4 * wu());
      const ref = viaMatrix(kernel, x, na, D, refs, nb, w);
      const e = new Float64Array(na).fill(0);
      const grad = new Float64Array(N * stride).fill(0);
      kernel.weighted!({ data: big, stride, col0: 1, index }, na, D, b, w, e, { data: grad, stride, col0: 1, index }, scratch);
      close(e, ref.e, `energies (weights ${seed})`);
      const g = new Float64Array(na * D);
      index.forEach((r, i) => g.set(grad.subarray(r * stride + 1, r * stride + 1 + D), i * D));
      close(g, ref.g, `gradient (weights ${seed})`);
      // nothing written outside the rows and columns of the view
      for (let r = 0; r < N; r++)
        for (let c = 0; c < stride; c++)
          if (!index.includes(r) || c === 0 || c === stride - 1) assert.equal(grad[r * stride + c], 0, `row ${r} col ${c} written`);
      // energies only (grad null): the same energies
      const e2 = new Float64Array(na);
      kernel.weighted!({ data: big, stride, col0: 1, index }, na, D, b, w, e2, null, scratch);
      close(e2, ref.e, 'energies without gradient');
    }
  });

test('KernelModel: weighted kernel path = matrix/gradient path (energies, forces, stress), no kernel matrix built', async () => {
  const data = loadStructures(NACL_PBE).structures;
  const { model } = await fitModel(data.slice(0, 1), { descriptors: 'sr+lr', descriptorHypers: { sr: TINY_HYPERS }, selection: { count: 6 }, threads: 1 }, { onWarning: () => {} });
  const m = model as KernelModel;
  assert.equal(typeof m.kernel.weighted, 'function');
  const matrix = m.kernel.matrix.bind(m.kernel);
  let matrices = 0;
  m.kernel.matrix = (a, b, out) => {
    matrices++;
    return matrix(a, b, out);
  };
  for (const s of [data[3], data[5]]) {
    m.weightedKernelPath = false;
    const ref = m.calculate(s);
    assert.ok(matrices > 0);
    matrices = 0;
    m.weightedKernelPath = true;
    for (const block of [128, 5]) {
      m.kernelBlockAtoms = block;
      const r = m.calculate(s);
      assert.equal(matrices, 0, 'weighted path built a kernel matrix');
      assert.ok(Math.abs(r.energyEv - ref.energyEv) <= 1e-12 * Math.abs(ref.energyEv), `energy ${r.energyEv} vs ${ref.energyEv}`);
      close(r.energiesEv!, ref.energiesEv!, `per-atom energies (block ${block})`);
      close(r.forcesEvPerA!, ref.forcesEvPerA!, `forces (block ${block})`);
      close(r.stressEvPerA3!, ref.stressEvPerA3!, `stress (block ${block})`);
    }
  }
});

test('weightedGradient = gradient with the weights broadcast to every row, bitwise (no coefficient matrix)', () => {
  for (const spec of SPECS) {
    const kernel = createKernel(spec);
    assert.equal(typeof kernel.weightedGradient, 'function', spec.kind);
    const u = rng(17);
    const na = 9, nb = 14;
    const a = kernel.prepare(Float64Array.from({ length: na * D }, () => u()), na, D);
    const b = kernel.prepare(Float64Array.from({ length: nb * D }, () => u()), nb, D);
    const w = Float64Array.from({ length: nb }, () => 3 * u());
    const kmat = kernel.matrix(a, b);
    const coef = new Float64Array(na * nb);
    for (let i = 0; i < na; i++) coef.set(w, i * nb);
    const start = Float64Array.from({ length: na * D }, () => u());
    const want = start.slice(), got = start.slice();
    kernel.gradient(a, b, coef, want, kmat);
    kernel.weightedGradient!(a, b, w, got, kmat);
    for (let k = 0; k < na * D; k++) assert.ok(Object.is(got[k], want[k]), `${JSON.stringify(spec).slice(0, 60)} [${k}]: ${got[k]} vs ${want[k]}`);
  }
});
