/**
 * Energy-σ bounds from K covariance directions (model/energyBounds.ts): for every K the per-atom and total bounds
 * contain the exact σ = √(φᵀ C Cᵀ φ) (the model's full path, and a brute-force product in the test for a
 * non-orthogonal factor), they close at K = rank, they tighten as K grows, and the spectrum reproduces Σ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.js';
import { KernelModel, fitKernelModel } from '../../src/model/index.js';
import { covarianceSpectrum } from '../../src/model/energyBounds.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';

const rng = new Rng(5);
const train = label(Array.from({ length: 6 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 1.7, true)), morseCalculator());
const probes = [randomStructure(new Rng(21), 8, 6.5, ['Na', 'Cl'], 1.7, true), randomStructure(new Rng(22), 12, 6.0, ['Na', 'Cl'], 1.5, true)];
const base = fitKernelModel(train, { descriptor: { kind: 'sr', species: ['Na', 'Cl'], hypers: {} }, selection: { method: 'fps', count: 6 }, threads: 1 }).model;

function check(m: KernelModel, label: string): void {
  const rank = m.params.covarianceFactor!.rank;
  for (const s of probes) {
    m.energyUncertaintyOptions = {};
    const exact = m.calculate(s, { uncertainty: true, forceUncertainty: false }).uncertainty!;
    let prevWidth = Infinity;
    for (const k of [0, 1, 3, 7, rank - 1, rank]) {
      m.energyUncertaintyOptions = { directions: k };
      const u = m.calculate(s, { uncertainty: true, forceUncertainty: false }).uncertainty!;
      const b = u.energiesBoundsEv!;
      let width = 0;
      for (let i = 0; i < s.species.length; i++) {
        const e = exact.energiesEv![i], tol = 1e-7 * e + 1e-12;
        assert.ok(b.lower[i] <= e + tol && e <= b.upper[i] + tol, `${label} K=${k} atom ${i}: ${b.lower[i]} ≤ ${e} ≤ ${b.upper[i]}`);
        assert.ok(b.lower[i] <= u.energiesEv![i] + tol && u.energiesEv![i] <= b.upper[i] + tol);
        width += b.upper[i] - b.lower[i];
        if (k === rank) assert.ok(Math.abs(u.energiesEv![i] - e) <= 1e-6 * e + 1e-12, `${label}: K = rank is exact`);
      }
      const E = exact.energyEv!;
      assert.ok(b.totalLower <= E * (1 + 1e-7) + 1e-12 && E <= b.totalUpper * (1 + 1e-7) + 1e-12, `${label} K=${k} total: ${b.totalLower} ≤ ${E} ≤ ${b.totalUpper}`);
      if (k === rank) assert.ok(Math.abs(u.energyEv! - E) <= 1e-6 * E + 1e-12);
      if (k >= 1) assert.ok(width <= prevWidth * (1 + 1e-9) + 1e-12, `${label}: bounds tighten with K (${width} vs ${prevWidth})`);
      if (k >= 1) prevWidth = width;
    }
    m.energyUncertaintyOptions = {};
  }
}

test('energy-σ bounds contain the exact σ and close at K = rank (Bayesian factor, orthogonal columns)', () => {
  check(base, 'bayes');
});

test('energy-σ bounds with a non-orthogonal, rank-deficient factor (eigen path) contain √(φᵀCCᵀφ)', () => {
  const M = base.refs.nColumns, r = M - 3;
  const g = new Rng(9);
  const data = Float64Array.from({ length: M * r }, () => 0.05 * g.normal());
  const m = new KernelModel({ ...base.params, covarianceFactor: { rank: r, data } });
  check(m, 'random');
  // the spectrum reproduces Σ = C Cᵀ
  const sp = covarianceSpectrum({ rank: r, data }, M);
  for (const [a, b] of [[0, 0], [1, 4], [M - 1, 2]]) {
    let direct = 0, viaSpectrum = 0;
    for (let k = 0; k < r; k++) direct += data[a * r + k] * data[b * r + k];
    for (let k = 0; k < sp.rank; k++) viaSpectrum += sp.values[k] * sp.vectors[a * sp.rank + k] * sp.vectors[b * sp.rank + k];
    assert.ok(Math.abs(direct - viaSpectrum) < 1e-10, `Σ[${a},${b}]: ${direct} vs ${viaSpectrum}`);
  }
});

test('totalOnly: the exact σ of the total energy from the kernel matrices\' column sums, without per-atom rows', () => {
  for (const s of probes) {
    base.energyUncertaintyOptions = {};
    const exact = base.calculate(s, { uncertainty: true, forceUncertainty: false }).uncertainty!.energyEv!;
    base.energyUncertaintyOptions = { totalOnly: true };
    const u = base.calculate(s, { uncertainty: true, forceUncertainty: false }).uncertainty!;
    base.energyUncertaintyOptions = {};
    assert.equal(u.energiesEv, undefined);
    assert.ok(Math.abs(u.energyEv! - exact) <= 1e-9 * exact, `${u.energyEv} vs ${exact}`);
  }
});
