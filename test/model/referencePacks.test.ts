/**
 * Pre-packed reference rows (referencePacks.ts, issue 17): the weighted kernel path with references packed once
 * gives the same bits as the path that packs them on every GEMM call (`KernelScratch.packReferences = false`, the
 * code before), on sizes that cross the GEMM's 256-deep blocks; a new or grown reference set never meets a stale
 * pack (incremental learning adds references: new prepared rows; a hand-built rows object whose arrays are replaced);
 * one pack serves both GEMMs (gemmPackedT: no second pack in the transposed layout);
 * once packed, the references' normalised rows are dropped and recomputed bit for bit for the uncertainty and
 * design paths (matrix, gradient, per-reference and factored gradients); the block kernel holds no part column copy.
 * Model level: KernelModel.calculate with and without pre-packed references, energies / forces / stress bitwise,
 * and the uncertainty (energy σ per atom, force σ) of a model that ran the packed path = that of a fresh model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKernel, type Kernel, type KernelRows, type KernelSpec } from '../../src/model/kernels.js';
import '../../src/model/blockKernel.js';
import { KernelScratch } from '../../src/model/kernelScratch.js';
import { wasmLinalgMemory } from '../../src/math/index.js';
import { fitModel, loadStructures } from '../../src/api/index.js';
import { KernelModel } from '../../src/model/index.js';
import { NACL_PBE, TINY_HYPERS } from '../helpers/tinyModel.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function same(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let k = 0; k < expected.length; k++) assert.ok(Object.is(actual[k], expected[k]), `${what}[${k}]: ${actual[k]} vs ${expected[k]}`);
}

const D = 270, NB = 300, NA = 37;
const whitened = (r: number, d: number, seed: number): KernelSpec => {
  const u = rng(seed);
  return { kind: 'linear', hypers: { whiten: true, center: Array.from({ length: d }, () => u()), transform: Array.from({ length: r }, () => Array.from({ length: d }, () => 3 * u())) } };
};
const SPECS: KernelSpec[] = [
  { kind: 'polynomial', hypers: { zeta: 4 } },
  { kind: 'block', hypers: { parts: [{ kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, weight: 1, columns: [[0, 260]] }, { kernel: whitened(4, 10, 7), weight: 1, columns: [[260, 270]] }] } },
];

/** e and the gradient of `weighted` on rows x (na × d) against prepared b. */
function run(kernel: Kernel, x: Float64Array, na: number, d: number, b: KernelRows, w: Float64Array, scratch: KernelScratch) {
  const e = new Float64Array(na), g = new Float64Array(na * d);
  const view = (data: Float64Array) => ({ data, stride: d, col0: 0, index: null });
  kernel.weighted!(view(x), na, d, b, w, e, view(g), scratch);
  return { e, g };
}

const plain = (): KernelScratch => {
  const s = new KernelScratch();
  s.packReferences = false;
  return s;
};

for (const spec of SPECS)
  test(`pre-packed references = packing per call, bitwise; t dropped and recomputed bitwise (${spec.kind})`, () => {
    const kernel = createKernel(spec);
    const u = rng(3);
    const x = Float64Array.from({ length: NA * D }, () => u()), refs = Float64Array.from({ length: NB * D }, () => u());
    const w = Float64Array.from({ length: NB }, () => 2 * u());
    const live0 = wasmLinalgMemory().packedLive;
    const b = kernel.prepare(refs, NB, D);
    const want = run(kernel, x, NA, D, b, w, plain());
    const packed = new KernelScratch();
    for (const call of [1, 2]) {
      const got = run(kernel, x, NA, D, b, w, packed);
      same(got.e, want.e, `energies, call ${call}`);
      same(got.g, want.g, `gradient, call ${call}`);
    }
    if (wasmLinalgMemory().bytes > 0) {
      // one pack of the polynomial rows (X̂_b, dp columns) serves both GEMMs (A·X̂_bᵀ and P·X̂_b): one pack's bytes
      const dp = spec.kind === 'block' ? 260 : D;
      const onePack = Math.ceil((dp * 4 * Math.ceil(NB / 4) * 8) / 64) * 64;
      assert.equal(wasmLinalgMemory().packedLive - live0, onePack, 'the references are held packed, once');
    }
    if (spec.kind === 'block') {
      const part = (b as KernelRows & { parts: KernelRows[] }).parts[0];
      assert.notEqual(part.x, part.x, 'no column copy of the polynomial part held (gathered on each read)');
      same(part.x, Float64Array.from({ length: NB * 260 }, (_, k) => refs[Math.floor(k / 260) * D + (k % 260)]), 'part columns on demand');
    }
    // the other paths against packed references (t recomputed) = against freshly prepared ones
    const fresh = kernel.prepare(refs, NB, D), a = kernel.prepare(x, NA, D), a2 = kernel.prepare(x, NA, D);
    const k1 = kernel.matrix(a, b), k2 = kernel.matrix(a2, fresh);
    same(k1, k2, 'matrix');
    const coef = Float64Array.from({ length: NA * NB }, () => u());
    const g1 = new Float64Array(NA * D), g2 = new Float64Array(NA * D);
    kernel.gradient(a, b, coef, g1, k1);
    kernel.gradient(a2, fresh, coef, g2, k2);
    same(g1, g2, 'gradient');
    const p1 = new Float64Array(5 * NA * D), p2 = new Float64Array(5 * NA * D);
    kernel.gradientPerReference(a, b, 7, 12, k1, p1);
    kernel.gradientPerReference(a2, fresh, 7, 12, k2, p2);
    same(p1, p2, 'gradientPerReference');
    const idx = Int32Array.from({ length: NA }, (_, i) => i);
    const f1 = kernel.factoredGradient!(a, b, 3, 9, k1, idx, NA), f2 = kernel.factoredGradient!(a2, fresh, 3, 9, k2, idx, NA);
    f1.terms.forEach((t, q) => {
      same(t.coef, f2.terms[q].coef, `factored coef ${q}`);
      same(t.rows, f2.terms[q].rows, `factored rows ${q}`);
    });
  });

test('a new reference set (references added) or replaced rows never meet a stale pack', () => {
  for (const spec of SPECS) {
    const kernel = createKernel(spec);
    const u = rng(4);
    const x = Float64Array.from({ length: NA * D }, () => u());
    const refs = Float64Array.from({ length: (NB + 9) * D }, () => u());
    const w = Float64Array.from({ length: NB + 9 }, () => 2 * u());
    const scratch = new KernelScratch();
    // as incremental learning does: the same kernel, a reference set, then a new one with more references
    const small = kernel.prepare(refs.subarray(0, NB * D), NB, D);
    run(kernel, x, NA, D, small, w.subarray(0, NB), scratch);
    const grown = kernel.prepare(refs, NB + 9, D);
    const got = run(kernel, x, NA, D, grown, w, scratch), want = run(kernel, x, NA, D, kernel.prepare(refs, NB + 9, D), w, plain());
    same(got.e, want.e, `${spec.kind}: energies after adding references`);
    same(got.g, want.g, `${spec.kind}: gradient after adding references`);
  }
  // a hand-built rows object whose arrays are replaced (not how the library does it, but the cache must notice)
  const kernel = createKernel(SPECS[0]);
  const u = rng(5);
  const x = Float64Array.from({ length: NA * D }, () => u());
  const rows = (n: number): KernelRows => kernel.prepare(Float64Array.from({ length: n * D }, () => u()), n, D);
  const r1 = rows(NB), r2 = rows(NB + 4);
  const obj: KernelRows = { rows: r1.rows, cols: D, x: r1.x, t: r1.t, aux: r1.aux };
  const scratch = new KernelScratch();
  run(kernel, x, NA, D, obj, new Float64Array(NB).fill(1), scratch);
  Object.assign(obj, { rows: r2.rows, x: r2.x, t: r2.t, aux: r2.aux });
  const w2 = Float64Array.from({ length: NB + 4 }, () => u());
  const got = run(kernel, x, NA, D, obj, w2, scratch), want = run(kernel, x, NA, D, r2, w2, plain());
  same(got.e, want.e, 'energies after replacing the rows');
  same(got.g, want.g, 'gradient after replacing the rows');
});

test('KernelModel: pre-packed references = packing per call (E, F, stress bitwise); uncertainty afterwards = a fresh model', async () => {
  const data = loadStructures(NACL_PBE).structures;
  const { model } = await fitModel(data.slice(0, 2), { descriptors: 'sr+lr', descriptorHypers: { sr: TINY_HYPERS }, selection: { count: 8 }, threads: 1 }, { onWarning: () => {} });
  const m = model as KernelModel;
  const s = data[4];
  m.packedReferences = false;
  const ref = m.calculate(s);
  m.packedReferences = true;
  for (const call of [1, 2]) {
    const r = m.calculate(s);
    assert.ok(Object.is(r.energyEv, ref.energyEv), `energy, call ${call}`);
    same(r.energiesEv!, ref.energiesEv!, `per-atom energies, call ${call}`);
    same(r.forcesEvPerA!, ref.forcesEvPerA!, `forces, call ${call}`);
    same(r.stressEvPerA3!, ref.stressEvPerA3!, `stress, call ${call}`);
  }
  assert.ok(m.params.covarianceFactor, 'the fit stored a covariance');
  const freshModel = new KernelModel(m.params);
  const uq = m.calculate(s, { uncertainty: true }), uf = freshModel.calculate(s, { uncertainty: true });
  assert.ok(Object.is(uq.uncertainty!.energyEv, uf.uncertainty!.energyEv), 'energy σ');
  same(uq.uncertainty!.energiesEv!, uf.uncertainty!.energiesEv!, 'per-atom energy σ');
  same(uq.uncertainty!.forcesEvPerA!, uf.uncertainty!.forcesEvPerA!, 'force σ');
  same(uq.forcesEvPerA!, uf.forcesEvPerA!, 'forces of the uncertainty path');
});
