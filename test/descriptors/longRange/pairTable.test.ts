/**
 * The FKK real-space pair-function table (pairTable.ts) against the analytic pair functions (pairFunction.ts): the
 * default grid reproduces 𝒮_ζ,σ and the split's short part r(d) and their derivatives at random distances to a
 * small fraction of the functions' size, and a grid 8× coarser fails the same check (so the check can detect a table
 * that is too coarse). FKK features and gradients from the table equal the analytic evaluation to 1e-11.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/index.js';
import { ComputeContext, backwardOf } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { SlaterChannel, slaterPair } from '../../../src/descriptors/longRange/pairFunction.js';
import { pairTableStep, tabulatePairFunctions, type PairFunction } from '../../../src/descriptors/longRange/pairTable.js';
import { randomIonic } from './helpers.js';

const sigma = 0.5, zetas = [2, 1, 0.5, 0.125, 0.0156], cutoff = 10.4;
// channel 0: 'real' (𝒮 itself); the others: short parts of splits of width 1.5 … 2 Å (the planner's range)
const fns: PairFunction[] = zetas.map((z, n) =>
  n === 0 ? (d: number, o: Float64Array) => slaterPair(z, sigma, d, o) : ((ch) => (d: number, o: Float64Array) => ch.short(d, o))(new SlaterChannel(z, sigma, 1.5 + 0.1 * n)));
const pref = zetas.map((z) => 0.3 * Math.pow(z, 1.5));

/**
 * Largest |table − analytic| over 4000 random distances in [0.3 Å, cutoff], relative to max |f| (resp. |f′|) per
 * channel. (Below ~0.3 Å the analytic closed form itself carries round-off ~1e-16/d from its 1/2d factor; no pair of
 * atoms comes that close.)
 */
function worstError(step: number): { value: number; slope: number } {
  const t = tabulatePairFunctions(fns, pref, cutoff, step);
  const F = fns.length, v = new Float64Array(F), dv = new Float64Array(F), o = new Float64Array(2), rng = new Rng(3);
  const maxF = new Float64Array(F), maxD = new Float64Array(F), errF = new Float64Array(F), errD = new Float64Array(F);
  for (let s = 0; s < 4000; s++) {
    const d = rng.range(0.3, cutoff);
    t.evaluateWithDerivative(d, v, dv);
    for (let n = 0; n < F; n++) {
      fns[n](d, o);
      maxF[n] = Math.max(maxF[n], Math.abs(pref[n] * o[0]));
      maxD[n] = Math.max(maxD[n], Math.abs(pref[n] * o[1]));
      errF[n] = Math.max(errF[n], Math.abs(v[n] - pref[n] * o[0]));
      errD[n] = Math.max(errD[n], Math.abs(dv[n] - pref[n] * o[1]));
    }
  }
  let value = 0, slope = 0;
  for (let n = 0; n < F; n++) {
    value = Math.max(value, errF[n] / maxF[n]);
    slope = Math.max(slope, errD[n] / maxD[n]);
  }
  return { value, slope };
}

test('pair table: default grid reproduces 𝒮 and the split short parts (values 1e-13, slopes 1e-10 of their size)', () => {
  const e = worstError(pairTableStep(sigma, zetas[0]));
  assert.ok(e.value < 1e-13, `value error ${e.value.toExponential(2)}`);
  assert.ok(e.slope < 1e-10, `slope error ${e.slope.toExponential(2)}`);
});

test('pair table: a grid 8× coarser fails the same check (the check detects a too coarse table)', () => {
  const e = worstError(8 * pairTableStep(sigma, zetas[0]));
  assert.ok(e.value > 1e-13 || e.slope > 1e-10, `coarse table passed: value ${e.value.toExponential(2)}, slope ${e.slope.toExponential(2)}`);
});

test('fkk: features and gradients from the table equal the analytic pair functions to 1e-11', () => {
  const s = randomIonic(11, 64, 12.7, 0.1);
  const tab = new FkkDescriptor(['Na', 'Cl'], { method: 'split' });
  const ana = new FkkDescriptor(['Na', 'Cl'], { method: 'split' });
  ana.tabulate = false;
  const ct = new ComputeContext(s), ca = new ComputeContext(s);
  const ot = tab.compute(s, ct), oa = ana.compute(s, ca);
  const X = ot.features.data, Y = oa.features.data;
  let scale = 0, err = 0;
  for (let k = 0; k < X.length; k++) {
    scale = Math.max(scale, Math.abs(Y[k]));
    err = Math.max(err, Math.abs(X[k] - Y[k]));
  }
  assert.ok(err < 1e-11 * scale, `features: max |Δ| ${err.toExponential(2)} (scale ${scale.toFixed(3)})`);
  const rng = new Rng(5), up = Float64Array.from({ length: X.length }, () => rng.range(-1, 1));
  const gt = backwardOf(tab, s, ct, ot.saved, up), ga = backwardOf(ana, s, ca, oa.saved, up);
  for (const [a, b, what] of [[gt.positions, ga.positions, 'positions'], [gt.strain, ga.strain, 'strain']] as const) {
    let sc = 0, e = 0;
    for (let k = 0; k < a.length; k++) {
      sc = Math.max(sc, Math.abs(b[k]));
      e = Math.max(e, Math.abs(a[k] - b[k]));
    }
    assert.ok(e < 1e-11 * sc, `${what}: max |Δ| ${e.toExponential(2)} (scale ${sc.toExponential(2)})`);
  }
});
