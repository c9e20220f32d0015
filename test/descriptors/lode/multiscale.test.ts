/**
 * Proves the multi-scale SOAP–LODE descriptor 'lode-ms' (src/descriptors/lode/multiscale.ts): its l = 0 potential
 * coefficients equal the 'lode' features; its l = 1 potential coefficients equal the field of the species'
 * potential (√(4π/3)∫r³χ_n1 dr/vol × ∂c^lode/∂r_i from the 'lode' reverse pass) when the sources lie outside the
 * support — this fixes the sign/parity convention of odd l; the split potential part (short part s_nl(d)Y_lm by
 * the order-l Hankel transform, long part with σ′, l = 0 background) equals the unsplit sum; the invariants are rotation (l ≤ 2), translation,
 * wrap, permutation and 2×2×2-supercell invariant; the reverse pass (through c^ρ and c^V) equals finite differences
 * of positions and strain; backwardMany = a loop of backward; hyperparameters validate; open boundaries refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure, Rng, type Structure } from '../../../src/core/index.js';
import { ComputeContext, backwardManyOf, backwardOf, createDescriptor } from '../../../src/descriptors/index.js';
import { BesselChannel, LodeDescriptor, LodeMsDescriptor, parseLodeMsHypers } from '../../../src/descriptors/lode/index.js';
import { checkDescriptorGradients } from '../../helpers/descriptorGradients.js';
import { checkInvariance } from '../../helpers/invariance.js';
import { randomIonic } from '../longRange/helpers.js';

test('l = 0 potential coefficients = lode features; l = 1 = the field from the lode reverse pass', () => {
  // Na at the origin; Cl sources ≥ 4.2 Å away (R_c = 2, σ = 0.3: outside the support + 7σ)
  const s = makeStructure({
    symbols: ['Na', 'Cl', 'Cl', 'Na'],
    positions: [0.3, 0.2, 0.1, 4.6, 0.5, -0.4, -1.2, 3.9, 2.8, 6.2, 6.1, 5.7],
    cell: [12, 0, 0, 0.5, 11, 0, -0.3, 0.4, 11.5],
  });
  const hyp = { cutoffA: 2, count: 2, smearingA: 0.3, kCutoffPerA: 14 };
  const ms = new LodeMsDescriptor(['Na', 'Cl'], { ...hyp, lmax: 1, densityCutoffA: 3, densityCount: 2, method: 'reciprocal' });
  const { cpot } = ms.coefficients(s, new ComputeContext(s));
  const lode = new LodeDescriptor(['Na', 'Cl'], { ...hyp, method: 'reciprocal' });
  const ctx = new ComputeContext(s);
  const out = lode.compute(s, ctx);
  const T = 2, L2 = 4, NLM = 2 * L2;
  for (let i = 0; i < 4; i++) for (let J = 0; J < T; J++) for (let n = 0; n < 2; n++)
    assert.ok(Math.abs(cpot[(i * T + J) * NLM + n * L2] - out.features.data[i * 4 + J * 2 + n]) < 1e-10, `l = 0 (${i}, ${J}, ${n})`);
  // field at atom 0 of species Cl (J = 1): upstream 1 on c^lode_{0,Cl,1}
  const g = new Float64Array(out.features.data.length);
  g[0 * 4 + 1 * 2 + 0] = 1;
  const grad = backwardOf(lode, s, ctx, out.saved, g).positions;
  const vol = new BesselChannel(1, 2, 0.3).volumeIntegral();
  for (let n = 0; n < 2; n++) {
    const f = (Math.sqrt((4 * Math.PI) / 3) * ms.potentialMoment(1, n)) / vol;
    const c = (m: number) => cpot[(0 * T + 1) * NLM + n * L2 + m];
    // Y_1,−1 ↔ y, Y_10 ↔ z, Y_11 ↔ x
    const exp = [f * grad[1], f * grad[2], f * grad[0]];
    for (let m = 0; m < 3; m++) assert.ok(Math.abs(c(1 + m) - exp[m]) < 1e-7 * Math.max(1, Math.abs(exp[m])), `l = 1, n = ${n}, m = ${m - 1}: ${c(1 + m)} vs ${exp[m]}`);
    assert.ok(Math.abs(exp[0]) + Math.abs(exp[1]) + Math.abs(exp[2]) > 1e-3);
  }
});

test('split potential coefficients (all l ≤ 2) = unsplit reciprocal sum to 1e-9; auto meets the target', () => {
  const s = randomIonic(5, 8, 6.5, 0.2);
  const base = { lmax: 2, cutoffA: 3, count: 2, densityCutoffA: 3, densityCount: 2, smearingA: 0.5 };
  const ref = new LodeMsDescriptor(['Na', 'Cl'], { ...base, method: 'reciprocal', accuracy: 1e-12 });
  const a = ref.coefficients(s, new ComputeContext(s)).cpot;
  const sp = new LodeMsDescriptor(['Na', 'Cl'], { ...base, method: 'split', splitWidthA: 1, accuracy: 1e-10 });
  const b = sp.coefficients(s, new ComputeContext(s));
  assert.equal(b.plan.mode, 'split');
  const err = a.reduce((m, x, k) => Math.max(m, Math.abs(x - b.cpot[k])), 0);
  assert.ok(err < 1e-9, `split vs reciprocal ${err}`);
  const auto = new LodeMsDescriptor(['Na', 'Cl'], { ...base, accuracy: 1e-6 }).coefficients(s, new ComputeContext(s)).cpot;
  const e2 = a.reduce((m, x, k) => Math.max(m, Math.abs(x - auto[k])), 0);
  assert.ok(e2 < 1e-6, `auto ${e2}`);
});

test('lode-ms invariances (rotation incl. l ≤ 2, translation, wrap, permutation, 2×2×2 supercell)', () => {
  const d = new LodeMsDescriptor(['Na', 'Cl'], { lmax: 2, cutoffA: 3, count: 2, densityCutoffA: 3, densityCount: 2, smearingA: 0.5, accuracy: 1e-9 });
  checkInvariance((s) => d.compute(s, new ComputeContext(s)).features.data, randomIonic(12, 6, 6.5, 0.2), { rtol: 1e-8, atol: 1e-9, reps: [2, 2, 2], what: 'lode-ms' });
});

test('lode-ms reverse pass = finite differences (positions, strain), unsplit and split; backwardMany = loop', () => {
  const s = randomIonic(4, 6, 6, 0.2);
  for (const method of ['reciprocal', 'split']) fdCheck(s, new LodeMsDescriptor(['Na', 'Cl'], { lmax: 2, cutoffA: 3, count: 2, densityCutoffA: 3.5, densityCount: 2, smearingA: 0.5, kCutoffPerA: 5, method, splitWidthA: 1, realCutoffA: 8 }), method);
});

function fdCheck(s: Structure, d: LodeMsDescriptor, what: string): void {
  const rng = new Rng(3);
  const w = Float64Array.from({ length: s.species.length * d.width }, () => rng.range(-1, 1));
  checkDescriptorGradients(d, s, { weights: w, rtol: 1e-6, what: `lode-ms ${what}` });
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const w2 = Float64Array.from({ length: 2 * w.length }, () => rng.range(-1, 1));
  const many = backwardManyOf(d, s, ctx, out.saved, w2, 2);
  const one = backwardOf(d, s, ctx, out.saved, w2.subarray(w.length));
  for (let k = 0; k < 3 * s.species.length; k++) assert.ok(Math.abs(many.positions[3 * s.species.length + k] - one.positions[k]) < 1e-10);
}

test('lode-ms hyperparameters validate, round-trip, open boundaries are refused', () => {
  assert.throws(() => parseLodeMsHypers({ lmax: -1 }), /lmax/);
  assert.throws(() => parseLodeMsHypers({ nmax: 2 }), /unknown hyperparameter/);
  const spec = { kind: 'lode-ms', species: ['Na', 'Cl'], hypers: { ...parseLodeMsHypers({ lmax: 1, count: 3 }) } };
  const d = createDescriptor(spec);
  assert.deepEqual(createDescriptor(JSON.parse(JSON.stringify(d.toJSON()))).toJSON(), d.toJSON());
  assert.equal(d.width, 2 * 2 * 4 * 3 * 2);
  const open = makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 2.5, 0, 0] });
  assert.throws(() => d.compute(open, new ComputeContext(open)), /periodic/);
});
