/**
 * Proves the Ewald-like split of periodic LODE (src/descriptors/lode/split.ts): split = unsplit reciprocal sum to
 * 1e-10 (this fixes the background term −(N_J/V) Y₀₀ 8π²(σ′² − σ²) I_n(0) and the self terms), the PME long part
 * and the automatic plan reach the accuracy target, the short-part spline meets its error budget, the reverse pass
 * (positions and strain, explicit k-vectors and PME) equals finite differences, backwardMany = a loop of backward,
 * the auto plan picks the split for large cells, and the new hyperparameters validate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Structure } from '../../../src/core/index.js';
import { ComputeContext, backwardManyOf, backwardOf } from '../../../src/descriptors/index.js';
import { BesselChannel, channelAbsVolume, LodeDescriptor, parseLodeHypers, shortTable, shortTableStep } from '../../../src/descriptors/lode/index.js';
import { checkDescriptorGradients } from '../../helpers/descriptorGradients.js';
import { randomIonic } from '../longRange/helpers.js';

const X = (d: LodeDescriptor, s: Structure) => d.compute(s, new ComputeContext(s)).features.data;
const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, x, k) => Math.max(m, Math.abs(x - b[k])), 0);

test('split (σ′ = 1, k-vectors) = unsplit reciprocal sum to 1e-10, incl. the background and self terms', () => {
  const s = randomIonic(5, 8, 6.5, 0.2);
  const base = { cutoffA: 3, count: 2, smearingA: 0.5, accuracy: 2e-11 };
  const ref = X(new LodeDescriptor(['Na', 'Cl'], { ...base, method: 'reciprocal', accuracy: 1e-13 }), s);
  const d = new LodeDescriptor(['Na', 'Cl'], { ...base, method: 'split', splitWidthA: 1, reciprocalSolver: 'ewald' });
  assert.equal(d.plan(s).mode, 'split');
  const err = maxDiff(X(d, s), ref);
  assert.ok(err < 1e-10, `split vs reciprocal: ${err}`);
});

test('PME long part and the automatic plan meet the accuracy target (vs a converged reciprocal sum)', () => {
  const s = randomIonic(6, 10, 7, 0.2);
  const base = { cutoffA: 3, count: 3, smearingA: 0.5 };
  const ref = X(new LodeDescriptor(['Na', 'Cl'], { ...base, method: 'reciprocal', accuracy: 1e-11 }), s);
  const pme = new LodeDescriptor(['Na', 'Cl'], { ...base, method: 'split', reciprocalSolver: 'pme', accuracy: 1e-6 });
  assert.ok(pme.plan(s).channels.every((c) => c.solver === 'pme'));
  const e1 = maxDiff(X(pme, s), ref);
  assert.ok(e1 < 1e-6, `pme split error ${e1}`);
  const auto = new LodeDescriptor(['Na', 'Cl'], { ...base, accuracy: 1e-6 });
  const e2 = maxDiff(X(auto, s), ref);
  assert.ok(e2 < 1e-6, `auto (${auto.plan(s).mode}) error ${e2}`);
});

test('short-part spline meets its budget (accuracy/4) against the quadrature pair functions', () => {
  const sigma = 0.5, Rc = 4, acc = 1e-6, sl = 1.5;
  const sh = Array.from({ length: 6 }, (_, n) => new BesselChannel(n + 1, Rc, sigma)), lo = sh.map((c) => new BesselChannel(c.n, Rc, sl));
  const step = shortTableStep(sigma, Math.max(...sh.map(channelAbsVolume)), acc / 4);
  const tab = shortTable(sh, lo, 10, step);
  const v = new Float64Array(6), dv = new Float64Array(6), a = new Float64Array(2), b = new Float64Array(2);
  let e = 0;
  for (let d = 0.013; d < 10; d += 0.097) {
    tab.evaluateWithDerivative(d, v, dv);
    for (let n = 0; n < 6; n++) { sh[n].pair(d, a); lo[n].pair(d, b); e = Math.max(e, Math.abs(v[n] - (a[0] - b[0]))); }
  }
  assert.ok(e < acc / 4, `spline error ${e} (step ${step})`);
});

function fd(d: LodeDescriptor, s: Structure, what: string): void {
  checkDescriptorGradients(d, s, { weightSeed: 3, rtol: 1e-6, what });
}

test('split reverse pass = finite differences (positions, strain), k-vectors and PME long part', () => {
  const s = randomIonic(4, 6, 6, 0.2);
  const fixed = { cutoffA: 3, count: 3, smearingA: 0.5, method: 'split', splitWidthA: 1, realCutoffA: 8, kCutoffPerA: 5, accuracy: 1e-7 };
  fd(new LodeDescriptor(['Na', 'Cl'], { ...fixed, reciprocalSolver: 'ewald' }), s, 'lode split ewald');
  fd(new LodeDescriptor(['Na', 'Cl'], { ...fixed, reciprocalSolver: 'pme' }), s, 'lode split pme');
});

test('split backwardMany = a loop of backward; auto picks the split for a large cell', () => {
  const s = randomIonic(8, 8, 6.5, 0.2);
  const d = new LodeDescriptor(['Na', 'Cl'], { cutoffA: 3, count: 2, smearingA: 0.5, method: 'split', splitWidthA: 1, reciprocalSolver: 'pme', accuracy: 1e-6 });
  const ctx = new ComputeContext(s);
  const out = d.compute(s, ctx);
  const size = out.features.data.length, rng = new Rng(4);
  const g = Float64Array.from({ length: 3 * size }, () => rng.range(-1, 1));
  const many = backwardManyOf(d, s, ctx, out.saved, g, 3);
  for (let c = 0; c < 3; c++) {
    const one = backwardOf(d, s, ctx, out.saved, g.subarray(c * size, (c + 1) * size));
    assert.ok(maxDiff(one.positions, many.positions.subarray(c * 3 * s.species.length, (c + 1) * 3 * s.species.length)) < 1e-10);
    assert.ok(maxDiff(one.strain, many.strain.subarray(9 * c, 9 * c + 9)) < 1e-10);
  }
  // 4096-atom melt-density cell: planning only (no evaluation)
  const L = Math.cbrt(4096 / 0.032);
  const big = { ...s, cell: Float64Array.from([L, 0, 0, 0, L, 0, 0, 0, L]), species: new Int32Array(4096), positions: new Float64Array(3 * 4096) } as unknown as Structure;
  const plan = new LodeDescriptor(['Na', 'Cl'], {}).plan(big);
  assert.equal(plan.mode, 'split');
});

test('split hyperparameters validate', () => {
  assert.throws(() => parseLodeHypers({ splitWidthA: 0.4 }), /split width/);
  assert.throws(() => parseLodeHypers({ method: 'fast' }), /method/);
  assert.throws(() => parseLodeHypers({ realCutoffA: 3 }), /real-space cutoff/);
  assert.throws(() => parseLodeHypers({ reciprocalSolver: 'fft' }), /reciprocalSolver/);
  const h = parseLodeHypers({ method: 'split', splitWidthA: 1.2 });
  assert.equal(h.splitWidthA, 1.2);
  const d = new LodeDescriptor(['Na'], { method: 'split', splitWidthA: 1.2 });
  assert.deepEqual(new LodeDescriptor(['Na'], d.toJSON().hypers).toJSON(), d.toJSON());
});
