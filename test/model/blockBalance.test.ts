/**
 * sr+lr defaults (automatic block balancing + block kernel with a whitened linear long-range part):
 * - the balanced block weights are in the saved descriptor spec; save → load → predict is bit-identical;
 * - forces and stress of the default sr+lr model = finite differences of its energy (1e-6 relative);
 * - a small point-charge fit (8-atom cells) reaches a tight held-out energy error with the defaults, far below sr
 *   alone and below the paper's kernel on the unbalanced vector (a regression to the collapsed fit fails here);
 * - the reproduction case of the collapse (paper kernel, no balancing, Bayesian solver): γ ≥ 1, weights not ~0,
 *   and a warning in the solver info.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../src/core/index.js';
import { ComputeContext } from '../../src/descriptors/index.js';
import { ElectrostaticsCalculator } from '../../src/electrostatics/calculator.js';
import { fitModel } from '../../src/api/fit.js';
import { blockReferences, createKernel, parseModel, serializeModel, whitening, type KernelModel } from '../../src/model/index.js';
import { label, randomStructure } from './helpers/data.js';
import { checkCalculator } from '../helpers/gradient.js';

const charges = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, accuracy: 1e-8 });
const rng = new Rng(5);
const make = (k: number): Structure[] =>
  label(Array.from({ length: k }, () => randomStructure(rng, 8, rng.range(5.5, 7), ['Na', 'Cl'], 2.0)), charges);
const train = make(20);
const val = make(8);
const SEL = { count: 40 };

let cached: Promise<Awaited<ReturnType<typeof fitModel>>> | null = null;
const defaultFit = (): Promise<Awaited<ReturnType<typeof fitModel>>> => (cached ??= fitModel(train, { descriptors: 'sr+lr', selection: SEL }, { validation: val }));

test('sr+lr defaults: balanced block weights in the model, ⟨|X_k|²⟩ = β_k/Σβ, save → load → predict bit-identical', async () => {
  const r = await defaultFit();
  const bal = r.metadata.blockBalance!;
  assert.ok(bal && bal.length === 2, 'block balance recorded');
  assert.deepEqual(bal.map((b) => b.kind), ['sr', 'fkk']);
  assert.ok(bal[1].rmsNorm > 100 * bal[0].rmsNorm, `raw FKK block dominates |X| (${bal[1].rmsNorm} vs ${bal[0].rmsNorm})`);
  const spec = r.model.descriptor.toJSON() as unknown as { hypers: { blocks: { weight: number }[] } };
  assert.deepEqual(spec.hypers.blocks.map((b) => b.weight), bal.map((b) => b.weight));
  // the balanced descriptor gives mean |X_k|² = 1/2 per block over the training environments
  const d = r.model.descriptor as unknown as { columnOffsets: Int32Array; width: number };
  const sums = [0, 0];
  let n = 0;
  for (const s of train) {
    const x = r.model.descriptor.compute(s, new ComputeContext(s)).features.data;
    for (let i = 0; i < s.species.length; i++, n++)
      for (let k = 0; k < 2; k++) for (let c = d.columnOffsets[k]; c < d.columnOffsets[k + 1]; c++) sums[k] += x[i * d.width + c] ** 2;
  }
  for (const v of sums) assert.ok(Math.abs(v / n - 0.5) < 1e-9, `⟨|X_k|²⟩ = ${v / n}`);
  // kernel: block with the paper's polynomial on sr and a whitened linear kernel on fkk
  const k = r.model.kernel.toJSON() as { kind: string; hypers: { parts: { kernel: { kind: string; hypers: Record<string, unknown> } }[] } };
  assert.equal(k.kind, 'block');
  assert.deepEqual(k.hypers.parts.map((p) => p.kernel.kind), ['polynomial', 'linear']);
  assert.ok(Array.isArray(k.hypers.parts[1].kernel.hypers.transform));
  // save → load → predict
  const loaded = parseModel(serializeModel(r.model));
  for (const s of val.slice(0, 3)) {
    const a = r.model.calculate(s, { forces: true, stress: true }), b = loaded.calculate(s, { forces: true, stress: true });
    assert.equal(b.energyEv, a.energyEv);
    assert.deepEqual(Array.from(b.forcesEvPerA!), Array.from(a.forcesEvPerA!));
    assert.deepEqual(Array.from(b.stressEvPerA3!), Array.from(a.stressEvPerA3!));
  }
});

test('sr+lr defaults (block kernel): forces and stress = finite differences of the energy (1e-6)', async () => {
  const { model } = await defaultFit();
  for (const s of val.slice(0, 1)) checkCalculator(model, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, components: [0, 4, 8, 13, 17, 23], strainComponents: [0, 1, 5, 8] });
});

test('point charges in 8-atom cells: sr+lr defaults fit well, far better than sr and the unbalanced paper kernel', async () => {
  const r = await defaultFit();
  const eDef = r.errors.validation!.energy!.rmspe_percent!, fDef = r.errors.validation!.forces!.rmspe_percent!;
  const sr = await fitModel(train, { descriptors: 'sr', selection: SEL }, { validation: val });
  const paper = await fitModel(train, { descriptors: 'sr+lr', kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, balance: false, selection: SEL }, { validation: val });
  const eSr = sr.errors.validation!.energy!.rmspe_percent!, ePaper = paper.errors.validation!.energy!.rmspe_percent!;
  assert.ok(eDef < 2 && fDef < 4, `sr+lr defaults: validation energy RMSPE ${eDef} %, forces ${fDef} %`);
  assert.ok(r.errors.train.energy!.rmspe_percent! < 1, `train energy RMSPE ${r.errors.train.energy!.rmspe_percent} %`);
  assert.ok(eDef < eSr / 10, `sr+lr ${eDef} % vs sr ${eSr} %`);
  assert.ok(eDef < ePaper / 10, `sr+lr ${eDef} % vs paper kernel unbalanced ${ePaper} %`);
  assert.ok(!r.metadata.solver.warnings, `no solver warnings: ${r.metadata.solver.warnings}`);
});

test('collapse reproduction (paper kernel, unbalanced, bayes): no silent collapse — γ ≥ 1, weights not ~0, warned', async () => {
  const warned: string[] = [];
  const r = await fitModel(train.slice(0, 8), { descriptors: 'sr+lr', kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, balance: false, selection: { count: 8 } }, { onWarning: (m) => warned.push(m) });
  const info = r.metadata.solver;
  assert.deepEqual(warned, info.warnings);
  assert.ok(info.effectiveParameters >= 1, `γ = ${info.effectiveParameters}`);
  assert.ok(info.sigmaW! > 1e-3, `σ_w = ${info.sigmaW}`);
  let wmax = 0;
  for (const w of r.model.weights) wmax = Math.max(wmax, Math.abs(w));
  assert.ok(wmax > 1e-6, `max |w| = ${wmax}`);
  assert.ok(info.warnings && info.warnings.length > 0, 'the degenerate fit is reported');
  assert.ok(r.errors.train.forces!.rmspe_percent! < 99, `forces not ≈ 0 (RMSPE ${r.errors.train.forces!.rmspe_percent} %)`);
});

test('whitening without shrinkage: z = T(x − c) has identity covariance / r; near-constant directions are dropped', () => {
  const g = new Rng(3);
  const n = 200, d = 4;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const a = g.normal(), b = g.normal();
    x.set([1000 + 1e-3 * a, 500 + 2 * a + b, 7 + b, 1000 + 1e-3 * a - 2e-3 * b * 0], i * d);
  }
  const { center, transform } = whitening(x, n, d, { shrink: 0 }); // no shrinkage: plain whitening
  const r = transform.length;
  assert.ok(r >= 2 && r <= 3, `kept ${r} directions`);
  const cov = new Float64Array(r * r);
  for (let i = 0; i < n; i++) {
    const z = transform.map((row) => row.reduce((s, t, k) => s + t * (x[i * d + k] - center[k]), 0));
    for (let p = 0; p < r; p++) for (let q = 0; q < r; q++) cov[p * r + q] += (z[p] * z[q]) / n;
  }
  for (let p = 0; p < r; p++) for (let q = 0; q < r; q++) assert.ok(Math.abs(cov[p * r + q] - (p === q ? 1 / r : 0)) < 1e-8, `cov[${p},${q}] = ${cov[p * r + q]}`);
});

test('whitenFloor: directions below floor × λ_max are dropped (default 1e-12 keeps them); bad values refused; kept in the spec', () => {
  const g = new Rng(5);
  const n = 300, d = 3;
  const x = new Float64Array(n * d);
  // variances 1, 1e-8 and 1e-14 (relative to the first) along the three axes
  for (let i = 0; i < n; i++) x.set([g.normal(), 1e-4 * g.normal(), 1e-7 * g.normal()], i * d);
  assert.equal(whitening(x, n, d).transform.length, 2, 'default floor 1e-12: the 1e-14 direction goes, the 1e-8 one stays');
  assert.equal(whitening(x, n, d, 1e-6).transform.length, 1, 'floor 1e-6: only the leading direction');
  for (const bad of [0, 1, -1e-6, 'x'])
    assert.throws(() => createKernel({ kind: 'linear', hypers: { whiten: true, whitenFloor: bad } }), /whitenFloor/);
  const k = createKernel({ kind: 'linear', hypers: { whiten: true, whitenFloor: 1e-6 } });
  assert.equal((k.toJSON().hypers as Record<string, unknown>).whitenFloor, 1e-6);
});

test('blockReferences: real references act only through the non-linear part, pseudo-references give z_q (untied weights)', () => {
  const g = new Rng(9);
  const d = 6, n = 40;
  const x = Float64Array.from({ length: n * d }, () => g.range(-1, 1) + 3);
  const lin = whitening(x.subarray(0, n * d).map((v, k) => (k % d >= 2 ? v : 0)).filter((_, k) => k % d >= 2), n, 4);
  const spec = { kind: 'block', hypers: { parts: [
    { kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, weight: 1, columns: [[0, 2]] },
    { kernel: { kind: 'linear', hypers: { whiten: true, ...lin } }, weight: 1, columns: [[2, 6]] },
  ] } };
  const k = createKernel(spec);
  const refs = blockReferences(spec, x.slice(0, 5 * d), d);
  const r = lin.transform.length;
  assert.equal(refs.length, (5 + r) * d);
  const poly = createKernel({ kind: 'polynomial', hypers: { zeta: 4 } });
  const a = x.slice(10 * d, 13 * d);
  const K = k.matrix(k.prepare(a, 3, d), k.prepare(refs, 5 + r, d));
  for (let i = 0; i < 3; i++) {
    const z = lin.transform.map((row) => row.reduce((s, t, q) => s + t * (a[i * d + 2 + q] - lin.center[q]), 0));
    for (let b = 0; b < 5; b++) {
      const want = poly.matrix(poly.prepare(a.slice(i * d, i * d + 2), 1, 2), poly.prepare(x.slice(b * d, b * d + 2), 1, 2))[0];
      assert.ok(Math.abs(K[i * (5 + r) + b] - want) < 1e-12, `real reference ${b}: ${K[i * (5 + r) + b]} vs ${want}`);
    }
    for (let q = 0; q < r; q++) assert.ok(Math.abs(K[i * (5 + r) + 5 + q] - z[q]) < 1e-9, `pseudo-reference ${q}: ${K[i * (5 + r) + 5 + q]} vs ${z[q]}`);
  }
});

test('whitenShrink: directions with λ ≫ δ are whitened, those with λ ≪ δ keep their natural scale (never amplified); ⟨|z|²⟩ = 1', () => {
  const g = new Rng(7);
  const n = 2000, d = 3;
  const x = new Float64Array(n * d);
  // variances 1, 1e-8, 1e-11 along the axes; δ = 1e-6 λ_max
  for (let i = 0; i < n; i++) x.set([g.normal(), 1e-4 * g.normal(), 10 ** -5.5 * g.normal()], i * d);
  const { center, transform } = whitening(x, n, d, { shrink: 1e-6 });
  assert.equal(transform.length, 3);
  const sd = transform.map((row) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += row.reduce((a, t, k) => a + t * (x[i * d + k] - center[k]), 0) ** 2;
    return Math.sqrt(s / n);
  });
  const tot = sd.reduce((a, v) => a + v * v, 0);
  assert.ok(Math.abs(tot - 1) < 1e-9, `⟨|z|²⟩ = ${tot}`);
  // leading direction whitened (sd ≈ 1/√r_eff), the small ones at √(λ/(λ+δ)) of it: ≈ 1e-1 and ≈ 3e-3, not 1
  const rel = sd.map((v) => v / sd[0]).sort((a, b) => b - a);
  assert.ok(Math.abs(rel[1] - Math.sqrt(1e-8 / (1e-8 + 1e-6))) < 0.02, `second direction ${rel[1]}`);
  assert.ok(Math.abs(rel[2] - Math.sqrt(1e-11 / (1e-11 + 1e-6))) < 5e-4, `third direction ${rel[2]}`);
  for (const bad of [-1, 1, 'x'])
    assert.throws(() => createKernel({ kind: 'linear', hypers: { whiten: true, whitenShrink: bad } }), /whitenShrink/);
  for (const bad of [0, -1, 'x'])
    assert.throws(() => createKernel({ kind: 'linear', hypers: { whiten: true, densityScale: bad } }), /densityScale/);
});

test('model files fitted before the shrinkage/density whitening still load and predict with their stored transform', () => {
  // an old-style fitted linear part: only whiten/center/transform (no whitenShrink, densityScale)
  const old = { kind: 'linear', hypers: { whiten: true, center: [1, 2], transform: [[2, 0], [0, 0.5]] } };
  const k = createKernel(old);
  assert.deepEqual(k.toJSON(), old, 'round trip adds no keys');
  const a = k.prepare(Float64Array.from([3, 4]), 1, 2), b = k.prepare(Float64Array.from([1, 6]), 1, 2);
  // z_a = (4, 1), z_b = (0, 2): K = 2
  assert.equal(k.matrix(a, b)[0], 2);
});
